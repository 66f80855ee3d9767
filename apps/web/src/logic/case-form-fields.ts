// Which case-form fields apply to the values typed so far, and pruning of those that no longer do.
// Nothing here restates a clinical rule: a conditional field applies exactly when libs/clinical's
// own rules (checkCaseRules, checkComplicationRules) accept a value in it — a field they answer
// `not_allowed` for is hidden, one they answer `required` for is shown and marked required.
import { checkCaseRules, checkComplicationRules, type ComplicationData, type RuleViolation } from '@ilr/clinical';
import { caseDataOfValues, type CaseFormValues } from './case-form-values.js';

type Probe<T> = (data: T) => void;

// The findings of the rules about `field` once `probe` has put a value in it.
function caseFindings(values: CaseFormValues, field: string, probe: Probe<ReturnType<typeof caseDataOfValues>>) {
  const data = caseDataOfValues(values, '9999-12-31');
  probe(data);
  return checkCaseRules(data, { today: '9999-12-31' }).filter((v: RuleViolation) => v.field === field);
}

const refuses = (findings: RuleViolation[]) =>
  findings.some((v) => v.code === 'not_allowed' || v.code === 'no_capsulotomy');
const demands = (findings: RuleViolation[]) => findings.some((v) => v.code === 'required');

export interface CaseFieldState {
  // Shown at all.
  applies: boolean;
  // Shown and must be filled in.
  required: boolean;
}

export type ConditionalCaseField =
  | 'patientId'
  | 'patient'
  | 'diagnosticInjection.response'
  | 'portalsOther'
  | 'capsularClosure'
  | 'release.capsularLevel'
  | 'release.allBundlesReleased'
  | 'impingementRepair.procedures';

export function caseFieldStates(values: CaseFormValues): Record<ConditionalCaseField, CaseFieldState> {
  const response = caseFindings(values, 'diagnosticInjection.response', (d) => {
    d.diagnosticInjection.response = 'complete_relief';
  });
  const otherPortal = caseFindings(values, 'portalsOther', (d) => {
    d.portalsOther = 'probe';
  });
  const closure = caseFindings(values, 'capsularClosure', (d) => {
    d.capsularClosure = true;
  });
  const level = caseFindings(values, 'release.capsularLevel', (d) => {
    d.release.capsularLevel = 'central_compartment';
  });
  const levelMissing = caseFindings(values, 'release.capsularLevel', (d) => {
    d.release.capsularLevel = null;
  });
  const bundles = caseFindings(values, 'release.allBundlesReleased', (d) => {
    d.release.allBundlesReleased = null;
  });
  const procedures = caseFindings(values, 'impingementRepair.procedures', (d) => {
    d.impingementRepair.procedures = ['synovectomy'];
  });
  const proceduresMissing = caseFindings(values, 'impingementRepair.procedures', (d) => {
    d.impingementRepair.procedures = [];
  });
  const responseMissing = caseFindings(values, 'diagnosticInjection.response', (d) => {
    d.diagnosticInjection.response = null;
  });
  const otherMissing = caseFindings(values, 'portalsOther', (d) => {
    d.portalsOther = null;
  });
  const existing = values.patientMode === 'existing';
  return {
    patientId: { applies: existing, required: existing },
    patient: { applies: !existing, required: !existing },
    'diagnosticInjection.response': { applies: !refuses(response), required: demands(responseMissing) },
    portalsOther: { applies: !refuses(otherPortal), required: demands(otherMissing) },
    capsularClosure: { applies: !refuses(closure), required: false },
    'release.capsularLevel': { applies: !refuses(level), required: demands(levelMissing) },
    'release.allBundlesReleased': { applies: demands(bundles), required: demands(bundles) },
    'impingementRepair.procedures': { applies: !refuses(procedures), required: demands(proceduresMissing) },
  };
}

// The values with every field that no longer applies emptied, as the request must carry them
// (a capsular level left over from before the location changed would be refused by the server).
export function pruneCaseValues(values: CaseFormValues): CaseFormValues {
  const states = caseFieldStates(values);
  const out = structuredClone(values);
  if (!states.patientId.applies) out.patientId = '';
  if (!states.patient.applies) out.patient = { mrn: '', birthDate: null, sex: null };
  if (!states['diagnosticInjection.response'].applies) out.diagnosticInjection.response = null;
  if (!states.portalsOther.applies) out.portalsOther = '';
  if (!states.capsularClosure.applies) out.capsularClosure = false;
  if (!states['release.capsularLevel'].applies) out.release.capsularLevel = null;
  if (!states['release.allBundlesReleased'].applies) out.release.allBundlesReleased = null;
  if (!states['impingementRepair.procedures'].applies) out.impingementRepair.procedures = [];
  return out;
}

// The complication form's conditional fields, from checkComplicationRules in the same way.
export interface ComplicationFormValues {
  type: ComplicationData['type'] | null;
  onsetDate: string | null;
  brookerGrade: number | null;
  recurrenceCause: ComplicationData['recurrenceCause'];
  sinkGrade: number | null;
  clavienDindo: ComplicationData['clavienDindo'];
  reoperation: {
    date: string | null;
    procedure: NonNullable<ComplicationData['reoperation']>['procedure'] | null;
  } | null;
  resolvedDate: string | null;
  followUpId: string | null;
  description: string;
}

export type ConditionalComplicationField = 'brookerGrade' | 'recurrenceCause' | 'description';

function complicationFindings(values: ComplicationFormValues, field: string, probe: Probe<ComplicationData>) {
  const data: ComplicationData = {
    type: values.type ?? 'persistent_groin_pain',
    onsetDate: '2000-01-01',
    brookerGrade: values.brookerGrade,
    recurrenceCause: values.recurrenceCause,
    sinkGrade: 5,
    description: values.description,
  };
  probe(data);
  return checkComplicationRules(data, { surgeryDate: '2000-01-01', today: '9999-12-31', caseId: '' }).filter(
    (v) => v.field === field,
  );
}

export function complicationFieldStates(
  values: ComplicationFormValues,
): Record<ConditionalComplicationField, CaseFieldState> {
  const brooker = complicationFindings(values, 'brookerGrade', (d) => {
    d.brookerGrade = 1;
  });
  const brookerMissing = complicationFindings(values, 'brookerGrade', (d) => {
    d.brookerGrade = null;
  });
  const cause = complicationFindings(values, 'recurrenceCause', (d) => {
    d.recurrenceCause = 'unknown';
  });
  const causeMissing = complicationFindings(values, 'recurrenceCause', (d) => {
    d.recurrenceCause = null;
  });
  const descriptionMissing = complicationFindings(values, 'description', (d) => {
    d.description = null;
  });
  return {
    brookerGrade: { applies: !refuses(brooker), required: demands(brookerMissing) },
    recurrenceCause: { applies: !refuses(cause), required: demands(causeMissing) },
    // A description may accompany any complication; it is required for `other`.
    description: { applies: true, required: demands(descriptionMissing) },
  };
}

export function pruneComplicationValues(values: ComplicationFormValues): ComplicationFormValues {
  const states = complicationFieldStates(values);
  return {
    ...values,
    brookerGrade: states.brookerGrade.applies ? values.brookerGrade : null,
    recurrenceCause: states.recurrenceCause.applies ? values.recurrenceCause : null,
  };
}
