// The New-case form's values and their request body. The values keep the API's shape and field
// paths (so that a field error `release.capsularLevel` lands on the control of that name), with
// `null` for "not chosen yet" and a few controls that exist only in the browser (`patientMode`).
import type {
  ActivityLevel,
  Anesthesia,
  CapsularLevel,
  Capsulotomy,
  CaseData,
  ConservativeTreatment,
  HoProphylaxis,
  ImpingementProcedure,
  Indication,
  InjectionResponse,
  IntraoperativeEvent,
  Portal,
  Positioning,
  PriorSurgery,
  ReleaseLocation,
  ReleaseTechnique,
  Sex,
  Side,
} from '@ilr/clinical';
import type { components } from '../api/schema.js';

type PromInvitations = components['schemas']['PromInvitations'];

export type CreateCaseRequest = components['schemas']['CreateCaseRequest'];

export interface CaseFormValues {
  // Browser only: whether the case is for a registered patient (by id) or one typed here.
  patientMode: 'new' | 'existing';
  patientId: string;
  // Email and invitation preference are optional (step 12: questionnaire invitations); absent in older drafts.
  patient: {
    mrn: string;
    birthDate: string | null;
    sex: Sex | null;
    email?: string;
    promInvitations?: PromInvitations | null;
  };
  surgeryDate: string | null;
  side: Side | null;
  indications: Indication[];
  priorIpsilateralSurgery: PriorSurgery[] | null;
  diagnosticInjection: { performed: boolean; response: InjectionResponse | null };
  symptomDurationMonths: number | null;
  conservativeTreatment: ConservativeTreatment[] | null;
  examination: { snappingReproduced: boolean | null };
  activityLevel: ActivityLevel | null;
  heightCm: number | null;
  weightKg: number | null;
  imaging: {
    alphaAngle: number | null;
    lateralCenterEdgeAngle: number | null;
    tonnisGrade: number | null;
    dynamicUltrasoundSnapping: boolean | null;
    bifidTendonOnMri: boolean | null;
  };
  anesthesia: Anesthesia | null;
  positioning: Positioning | null;
  tractionMinutes: number | null;
  operativeMinutes: number | null;
  portals: Portal[];
  portalsOther: string;
  capsulotomy: Capsulotomy | null;
  capsularClosure: boolean;
  findings: {
    labralTear: boolean;
    anteriorLabralLesionAtPsoas: boolean;
    cam: boolean;
    pincer: boolean;
    acetabularCartilageIcrs: number | null;
    femoralCartilageIcrs: number | null;
  };
  release: {
    location: ReleaseLocation | null;
    capsularLevel: CapsularLevel | null;
    technique: ReleaseTechnique | null;
    tendonBundles: number;
    allBundlesReleased: boolean | null;
  };
  impingementRepair: { performed: boolean; procedures: ImpingementProcedure[] };
  hoProphylaxis: HoProphylaxis | null;
  intraoperativeEvents: IntraoperativeEvent[] | null;
  notes: string;
}

export function emptyCaseFormValues(): CaseFormValues {
  return {
    patientMode: 'new',
    patientId: '',
    patient: { mrn: '', birthDate: null, sex: null },
    surgeryDate: null,
    side: null,
    indications: [],
    priorIpsilateralSurgery: null,
    diagnosticInjection: { performed: false, response: null },
    symptomDurationMonths: null,
    conservativeTreatment: null,
    examination: { snappingReproduced: null },
    activityLevel: null,
    heightCm: null,
    weightKg: null,
    imaging: {
      alphaAngle: null,
      lateralCenterEdgeAngle: null,
      tonnisGrade: null,
      dynamicUltrasoundSnapping: null,
      bifidTendonOnMri: null,
    },
    anesthesia: null,
    positioning: null,
    tractionMinutes: null,
    operativeMinutes: null,
    portals: [],
    portalsOther: '',
    capsulotomy: null,
    capsularClosure: false,
    findings: {
      labralTear: false,
      anteriorLabralLesionAtPsoas: false,
      cam: false,
      pincer: false,
      acetabularCartilageIcrs: null,
      femoralCartilageIcrs: null,
    },
    release: { location: null, capsularLevel: null, technique: null, tendonBundles: 1, allBundlesReleased: null },
    impingementRepair: { performed: false, procedures: [] },
    hoProphylaxis: null,
    intraoperativeEvents: null,
    notes: '',
  };
}

// The paths of the fields a case cannot be sent without (CreateCaseRequest `required`, plus the
// patient): the form marks them and says so before it asks the server.
export const REQUIRED_CASE_FIELDS = [
  'surgeryDate',
  'side',
  'indications',
  'anesthesia',
  'positioning',
  'tractionMinutes',
  'operativeMinutes',
  'portals',
  'capsulotomy',
  'release.location',
  'release.technique',
  'hoProphylaxis',
] as const;

function valueAt(values: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | null)?.[key], values);
}

export interface MissingField {
  field: string;
  code: 'required';
}

// Required fields not filled in yet, by path.
export function missingCaseFields(values: CaseFormValues): MissingField[] {
  const paths: string[] = [...REQUIRED_CASE_FIELDS];
  if (values.patientMode === 'existing') paths.unshift('patientId');
  else paths.unshift('patient.mrn', 'patient.birthDate', 'patient.sex');
  return paths
    .filter((path) => {
      const v = valueAt(values, path);
      return (
        v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && !v.length)
      );
    })
    .map((field) => ({ field, code: 'required' }));
}

// Omits what is empty: an omitted optional field means "not recorded" to the API.
function present<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}
const text = (value: string) => (value.trim() === '' ? null : value.trim());

// The request body of a complete form (missingCaseFields is empty). Values that no longer apply
// must have been pruned first (pruneCaseValues in case-form-fields.ts); this function sends what it is given.
export function toCreateCaseRequest(values: CaseFormValues): CreateCaseRequest {
  if (missingCaseFields(values).length) throw new Error('toCreateCaseRequest needs a complete form');
  const v = values as CompleteValues;
  const imaging = present(v.imaging);
  const examination = present(v.examination);
  const findings = v.findings;
  return {
    ...(v.patientMode === 'existing'
      ? { patientId: v.patientId.trim() }
      : {
          patient: {
            mrn: v.patient.mrn.trim(),
            birthDate: v.patient.birthDate,
            sex: v.patient.sex,
            ...(v.patient.email?.trim() ? { email: v.patient.email.trim() } : {}),
            ...(v.patient.promInvitations ? { promInvitations: v.patient.promInvitations } : {}),
          },
        }),
    surgeryDate: v.surgeryDate,
    side: v.side,
    indications: v.indications,
    ...present({
      priorIpsilateralSurgery: v.priorIpsilateralSurgery,
      symptomDurationMonths: v.symptomDurationMonths,
      conservativeTreatment: v.conservativeTreatment,
      activityLevel: v.activityLevel,
      heightCm: v.heightCm,
      weightKg: v.weightKg,
    }),
    diagnosticInjection: present(v.diagnosticInjection) as CreateCaseRequest['diagnosticInjection'],
    ...(Object.keys(examination).length ? { examination } : {}),
    ...(Object.keys(imaging).length ? { imaging } : {}),
    anesthesia: v.anesthesia,
    positioning: v.positioning,
    tractionMinutes: v.tractionMinutes,
    operativeMinutes: v.operativeMinutes,
    portals: v.portals,
    ...present({ portalsOther: text(v.portalsOther) }),
    capsulotomy: v.capsulotomy,
    capsularClosure: v.capsularClosure,
    findings: present(findings) as CreateCaseRequest['findings'],
    release: present(v.release) as CreateCaseRequest['release'],
    impingementRepair: { performed: v.impingementRepair.performed, procedures: v.impingementRepair.procedures },
    hoProphylaxis: v.hoProphylaxis,
    ...present({ intraoperativeEvents: v.intraoperativeEvents, notes: text(v.notes) }),
  };
}

type NonNull<T> = { [K in keyof T]: Exclude<T[K], null> };
type CompleteValues = Omit<
  CaseFormValues,
  'surgeryDate' | 'side' | 'anesthesia' | 'positioning' | 'tractionMinutes' | 'operativeMinutes' | 'capsulotomy'
> &
  NonNull<
    Pick<
      CaseFormValues,
      'surgeryDate' | 'side' | 'anesthesia' | 'positioning' | 'tractionMinutes' | 'operativeMinutes' | 'capsulotomy'
    >
  > & {
    patient: NonNull<CaseFormValues['patient']>;
    release: CaseFormValues['release'] & NonNull<Pick<CaseFormValues['release'], 'location' | 'technique'>>;
    hoProphylaxis: HoProphylaxis;
  };

// The case as libs/clinical's rules see it, from values that may still be incomplete: a field not
// filled in yet gets a neutral stand-in, chosen so that it never breaks a rule itself (an operative
// time at least the traction time; no capsulotomy, so no closure; a release at the lesser trochanter,
// so no capsular level until a location is chosen).
export function caseDataOfValues(values: CaseFormValues, today: string): CaseData {
  return {
    surgeryDate: values.surgeryDate ?? today,
    side: values.side ?? 'left',
    indications: values.indications,
    priorIpsilateralSurgery: values.priorIpsilateralSurgery,
    diagnosticInjection: { ...values.diagnosticInjection },
    symptomDurationMonths: values.symptomDurationMonths,
    conservativeTreatment: values.conservativeTreatment,
    examination: { ...values.examination },
    activityLevel: values.activityLevel,
    heightCm: values.heightCm,
    weightKg: values.weightKg,
    imaging: { ...values.imaging },
    anesthesia: values.anesthesia ?? 'general',
    positioning: values.positioning ?? 'supine',
    tractionMinutes: values.tractionMinutes ?? 0,
    operativeMinutes: values.operativeMinutes ?? Math.max(values.tractionMinutes ?? 0, 5),
    portals: values.portals,
    portalsOther: text(values.portalsOther),
    capsulotomy: values.capsulotomy ?? 'none',
    capsularClosure: values.capsularClosure,
    findings: { ...values.findings },
    release: {
      ...values.release,
      location: values.release.location ?? 'lesser_trochanter',
      technique: values.release.technique ?? 'complete_tenotomy',
    },
    impingementRepair: {
      performed: values.impingementRepair.performed,
      procedures: values.impingementRepair.procedures,
    },
    hoProphylaxis: values.hoProphylaxis ?? 'none',
    intraoperativeEvents: values.intraoperativeEvents,
    notes: text(values.notes),
  };
}
