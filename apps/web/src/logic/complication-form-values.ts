// The complication form's values (ComplicationFormValues in case-form-fields.ts) and their request
// body, checked with libs/clinical's checkComplicationRules like the server does.
import { checkComplicationRules, type ComplicationData } from '@ilr/clinical';
import type { components } from '../api/schema.js';
import { type ComplicationFormValues, pruneComplicationValues } from './case-form-fields.js';
import { fieldLabel } from './labels.js';
import { fieldErrorsOf, type FieldErrors } from './problem.js';

export type CreateComplicationRequest = components['schemas']['CreateComplicationRequest'];

export function emptyComplicationFormValues(): ComplicationFormValues {
  return {
    type: null,
    onsetDate: null,
    brookerGrade: null,
    recurrenceCause: null,
    sinkGrade: null,
    clavienDindo: null,
    reoperation: null,
    resolvedDate: null,
    followUpId: null,
    description: '',
  };
}

export function missingComplicationFields(values: ComplicationFormValues): string[] {
  const missing: string[] = [];
  if (!values.type) missing.push('type');
  if (!values.onsetDate) missing.push('onsetDate');
  if (values.sinkGrade === null) missing.push('sinkGrade');
  if (values.reoperation) {
    if (!values.reoperation.date) missing.push('reoperation.date');
    if (!values.reoperation.procedure) missing.push('reoperation.procedure');
  }
  return missing;
}

export interface ComplicationCheckContext {
  surgeryDate: string;
  today: string;
  caseId: string;
  // The case of the chosen visit; the form offers only this case's visits, so it defaults to caseId.
  followUpCaseId?: string | null;
}

const text = (value: string) => (value.trim() === '' ? null : value.trim());

// The complication as the rules see it; a field not filled in yet gets a stand-in that breaks no rule.
function complicationDataOf(values: ComplicationFormValues, context: ComplicationCheckContext): ComplicationData {
  const onsetDate = values.onsetDate ?? context.surgeryDate;
  return {
    type: values.type ?? 'persistent_groin_pain',
    onsetDate,
    brookerGrade: values.brookerGrade,
    recurrenceCause: values.recurrenceCause,
    sinkGrade: values.sinkGrade ?? 5,
    clavienDindo: values.clavienDindo,
    reoperation: values.reoperation
      ? { date: values.reoperation.date ?? onsetDate, procedure: values.reoperation.procedure ?? 'other' }
      : null,
    resolvedDate: values.resolvedDate,
    followUpId: values.followUpId,
    description: text(values.description),
  };
}

export function checkComplicationValues(
  values: ComplicationFormValues,
  context: ComplicationCheckContext,
): FieldErrors {
  const pruned = pruneComplicationValues(values);
  const missing = missingComplicationFields(pruned).map((field) => ({
    field,
    code: 'required',
    message: `${fieldLabel(field)} is required`,
  }));
  const violations = checkComplicationRules(complicationDataOf(pruned, context), {
    surgeryDate: context.surgeryDate,
    today: context.today,
    caseId: context.caseId,
    followUpCaseId: context.followUpCaseId === undefined ? context.caseId : context.followUpCaseId,
  });
  // A stand-in reoperation procedure must not produce a finding about the procedure.
  const kept = violations.filter((v) => !(v.field === 'reoperation.procedure' && !pruned.reoperation?.procedure));
  return fieldErrorsOf([...missing, ...kept]);
}

// The body of a complete, pruned form.
export function toCreateComplicationRequest(values: ComplicationFormValues): CreateComplicationRequest {
  if (missingComplicationFields(values).length) throw new Error('toCreateComplicationRequest needs a complete form');
  const v = pruneComplicationValues(values);
  const body: CreateComplicationRequest = { type: v.type!, onsetDate: v.onsetDate!, sinkGrade: v.sinkGrade! };
  if (v.brookerGrade !== null) body.brookerGrade = v.brookerGrade;
  if (v.recurrenceCause) body.recurrenceCause = v.recurrenceCause;
  if (v.clavienDindo) body.clavienDindo = v.clavienDindo;
  if (v.reoperation) body.reoperation = { date: v.reoperation.date!, procedure: v.reoperation.procedure! };
  if (v.resolvedDate) body.resolvedDate = v.resolvedDate;
  if (v.followUpId) body.followUpId = v.followUpId;
  const description = text(v.description);
  if (description) body.description = description;
  return body;
}
