import { ageInYears } from './dates.js';
import {
  type ActivityLevel,
  type Anesthesia,
  type Capsulotomy,
  type CapsularLevel,
  type ConservativeTreatment,
  type HoProphylaxis,
  type ImpingementProcedure,
  type Indication,
  type InjectionResponse,
  type IntraoperativeEvent,
  LABRAL_PROCEDURES,
  type Portal,
  type Positioning,
  type PriorSurgery,
  type ReleaseLocation,
  type ReleaseTechnique,
  type Side,
} from './vocabulary.js';

// One hip, one operation: DOMAIN.md § Case, in the shape the API speaks.
export interface CaseData {
  surgeryDate: string;
  side: Side;
  indications: Indication[];
  priorIpsilateralSurgery: PriorSurgery[] | null; // null: not recorded; []: none
  diagnosticInjection: { performed: boolean; response?: InjectionResponse | null };
  symptomDurationMonths?: number | null;
  conservativeTreatment: ConservativeTreatment[] | null; // null: not recorded; []: none
  examination?: { snappingReproduced?: boolean | null } | null;
  activityLevel?: ActivityLevel | null;
  heightCm?: number | null;
  weightKg?: number | null;
  imaging?: {
    alphaAngle?: number | null;
    lateralCenterEdgeAngle?: number | null;
    tonnisGrade?: number | null;
    dynamicUltrasoundSnapping?: boolean | null;
    bifidTendonOnMri?: boolean | null;
  } | null;
  anesthesia: Anesthesia;
  positioning: Positioning;
  tractionMinutes: number;
  operativeMinutes: number;
  portals: Portal[];
  portalsOther?: string | null;
  capsulotomy: Capsulotomy;
  capsularClosure: boolean;
  findings: {
    labralTear: boolean;
    anteriorLabralLesionAtPsoas: boolean;
    cam: boolean;
    pincer: boolean;
    acetabularCartilageIcrs?: number | null;
    femoralCartilageIcrs?: number | null;
  };
  release: {
    location: ReleaseLocation;
    capsularLevel?: CapsularLevel | null;
    technique: ReleaseTechnique;
    tendonBundles: number;
    allBundlesReleased?: boolean | null;
  };
  impingementRepair: { performed: boolean; procedures: ImpingementProcedure[] };
  hoProphylaxis: HoProphylaxis;
  intraoperativeEvents: IntraoperativeEvent[] | null; // null: not recorded; []: none
  notes?: string | null;
}

export interface RuleViolation {
  field: string;
  code: string;
  message: string;
}

export interface CaseRuleContext {
  // Today's date in the registry's time zone.
  today: string;
  // The patient's birth date, when known, for the age-at-surgery rule.
  birthDate?: string;
  // Where the birth date came from in the request (`patient.birthDate` for an inline patient).
  birthDateField?: string;
}

export const EARLIEST_SURGERY_DATE = '2000-01-01';
export const AGE_AT_SURGERY = { min: 10, max: 100 } as const;

const absent = (value: unknown) => value === undefined || value === null;

// The cross-field consistency rules of DOMAIN.md § Case (single-field ranges and codes are checked
// by the request schema). Pure: the API, a form and the CSV importer all call this with the
// complete case — for a PATCH, the stored case with the changes applied.
export function checkCaseRules(data: CaseData, context: CaseRuleContext): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const add = (field: string, code: string, message: string) => violations.push({ field, code, message });

  if (data.surgeryDate > context.today) add('surgeryDate', 'in_future', 'surgeryDate must not be in the future');
  if (data.surgeryDate < EARLIEST_SURGERY_DATE)
    add('surgeryDate', 'too_early', `surgeryDate must not be before ${EARLIEST_SURGERY_DATE}`);
  if (context.birthDate) {
    const age = ageInYears(context.birthDate, data.surgeryDate);
    if (age < AGE_AT_SURGERY.min || age > AGE_AT_SURGERY.max) {
      add(
        context.birthDateField ?? 'surgeryDate',
        'age_out_of_range',
        `age at surgery must be ${AGE_AT_SURGERY.min}–${AGE_AT_SURGERY.max} years`,
      );
    }
  }

  const injection = data.diagnosticInjection;
  if (injection.performed && absent(injection.response)) {
    add(
      'diagnosticInjection.response',
      'required',
      'diagnosticInjection.response is required when an injection was performed',
    );
  }
  if (!injection.performed && !absent(injection.response)) {
    add(
      'diagnosticInjection.response',
      'not_allowed',
      'diagnosticInjection.response is only given when an injection was performed',
    );
  }

  if (data.operativeMinutes < data.tractionMinutes) {
    add('operativeMinutes', 'less_than_traction', 'operativeMinutes must be at least tractionMinutes');
  }

  const hasOtherPortal = data.portals.includes('other');
  const otherText = data.portalsOther?.trim();
  if (hasOtherPortal && !otherText)
    add('portalsOther', 'required', "portalsOther is required when portals include 'other'");
  if (!hasOtherPortal && !absent(data.portalsOther))
    add('portalsOther', 'not_allowed', "portalsOther is only given with the portal 'other'");

  if (data.capsulotomy === 'none' && data.capsularClosure) {
    add('capsularClosure', 'no_capsulotomy', "capsularClosure must be false when capsulotomy is 'none'");
  }

  const release = data.release;
  if (release.location === 'capsular' && absent(release.capsularLevel)) {
    add('release.capsularLevel', 'required', 'release.capsularLevel is required for a capsular release');
  }
  if (release.location !== 'capsular' && !absent(release.capsularLevel)) {
    add('release.capsularLevel', 'not_allowed', 'release.capsularLevel is only given for a capsular release');
  }
  // An unreleased bundle is a known cause of recurrence (Shu & Safran 2011).
  if (release.tendonBundles > 1 && absent(release.allBundlesReleased)) {
    add('release.allBundlesReleased', 'required', 'release.allBundlesReleased is required when tendonBundles > 1');
  }

  const repair = data.impingementRepair;
  if (repair.performed && repair.procedures.length === 0) {
    add(
      'impingementRepair.procedures',
      'required',
      'impingementRepair.procedures must name at least one procedure when performed',
    );
  }
  if (!repair.performed && repair.procedures.length > 0) {
    add(
      'impingementRepair.procedures',
      'not_allowed',
      'impingementRepair.procedures must be empty when no repair was performed',
    );
  }
  const labral = repair.procedures.filter((code) => (LABRAL_PROCEDURES as readonly string[]).includes(code));
  if (labral.length > 1) {
    add(
      'impingementRepair.procedures',
      'conflicting_labral_procedures',
      `at most one of ${LABRAL_PROCEDURES.join(', ')} may be given`,
    );
  }
  return violations;
}

// BMI in kg/m², unrounded; absent when height or weight is.
export function bodyMassIndex(heightCm?: number | null, weightKg?: number | null): number | null {
  if (absent(heightCm) || absent(weightKg)) return null;
  const metres = heightCm! / 100;
  return weightKg! / (metres * metres);
}
