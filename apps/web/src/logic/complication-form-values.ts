// The complication form's values (ComplicationFormValues in case-form-fields.ts) and their request
// body, checked with libs/clinical's checkComplicationRules like the server does.
import {
  BROOKER_GRADE,
  checkComplicationRules,
  CLAVIEN_DINDO,
  COMPLICATION_TYPE,
  type ComplicationData,
  RECURRENCE_CAUSE,
  REOPERATION_PROCEDURE,
  SINK_GRADE,
} from '@ilr/clinical';
import type { components } from '../api/schema.js';
import { type ComplicationFormValues, pruneComplicationValues } from './case-form-fields.js';
import { codeLabel, fieldLabel, type Option } from './labels.js';
import { fieldErrorsOf, type FieldErrors } from './problem.js';
import { dateInWords, TIMEPOINT_LABELS } from './visit-labels.js';

export type CreateComplicationRequest = components['schemas']['CreateComplicationRequest'];
export type ComplicationResponse = components['schemas']['ComplicationResponse'];
type FollowUpResponse = components['schemas']['FollowUpResponse'];

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

// The case's visits for "Found at visit", in visit order: timepoint and date in words.
export function visitOptions(followUps: readonly Pick<FollowUpResponse, 'id' | 'visitDate' | 'timepoint'>[]): Option[] {
  return [...followUps]
    .sort((a, b) => a.visitDate.localeCompare(b.visitDate))
    .map((f) => ({ value: f.id, label: `${TIMEPOINT_LABELS[f.timepoint]} visit, ${dateInWords(f.visitDate)}` }));
}

export interface Described {
  label: string;
  value: string;
}

// A saved complication in words, field by field (only what it records).
export function describeComplication(
  c: ComplicationResponse,
  followUps: readonly Pick<FollowUpResponse, 'id' | 'visitDate' | 'timepoint'>[] = [],
): Described[] {
  const lines: Described[] = [
    { label: fieldLabel('type'), value: codeLabel(COMPLICATION_TYPE, c.type) },
    {
      label: fieldLabel('onsetDate'),
      value: `${dateInWords(c.onsetDate)} (day ${c.onsetDay} after surgery)`,
    },
  ];
  if (c.brookerGrade !== null)
    lines.push({ label: fieldLabel('brookerGrade'), value: codeLabel(BROOKER_GRADE, String(c.brookerGrade) as '1') });
  if (c.recurrenceCause)
    lines.push({ label: fieldLabel('recurrenceCause'), value: codeLabel(RECURRENCE_CAUSE, c.recurrenceCause) });
  lines.push({ label: fieldLabel('sinkGrade'), value: codeLabel(SINK_GRADE, String(c.sinkGrade) as '1') });
  if (c.clavienDindo)
    lines.push({ label: fieldLabel('clavienDindo'), value: codeLabel(CLAVIEN_DINDO, c.clavienDindo) });
  lines.push({
    label: fieldLabel('reoperation'),
    value: c.reoperation
      ? `${codeLabel(REOPERATION_PROCEDURE, c.reoperation.procedure)} on ${dateInWords(c.reoperation.date)}`
      : 'None',
  });
  lines.push({
    label: fieldLabel('resolvedDate'),
    value: c.resolvedDate ? dateInWords(c.resolvedDate) : 'Not resolved yet',
  });
  if (c.followUpId) {
    const visit = visitOptions(followUps).find((o) => o.value === c.followUpId);
    lines.push({ label: fieldLabel('followUpId'), value: visit?.label ?? 'A visit of this case' });
  }
  if (c.description) lines.push({ label: fieldLabel('description'), value: c.description });
  return lines;
}
