// A complete, consistent New-case form (a central capsular release with a labral repair), with overrides.
import { emptyCaseFormValues, type CaseFormValues } from '../case-form-values.js';

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K];
};

export function completeCaseValues(overrides: DeepPartial<CaseFormValues> = {}): CaseFormValues {
  const base: CaseFormValues = {
    ...emptyCaseFormValues(),
    patient: { mrn: 'H1234567', birthDate: '1990-05-17', sex: 'female' },
    surgeryDate: '2026-03-02',
    side: 'right',
    indications: ['internal_snapping_hip'],
    diagnosticInjection: { performed: true, response: 'partial_relief' },
    anesthesia: 'general',
    positioning: 'supine',
    tractionMinutes: 45,
    operativeMinutes: 90,
    portals: ['anterolateral', 'mid_anterior'],
    capsulotomy: 'interportal',
    capsularClosure: true,
    release: {
      location: 'capsular',
      capsularLevel: 'central_compartment',
      technique: 'fractional_lengthening',
      tendonBundles: 1,
      allBundlesReleased: null,
    },
    impingementRepair: { performed: true, procedures: ['labral_repair'] },
    hoProphylaxis: 'nsaid',
  };
  return merge(base, overrides) as CaseFormValues;
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (typeof over !== 'object' || over === null || Array.isArray(over)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(over)) out[key] = merge(out[key], value);
  return out;
}
