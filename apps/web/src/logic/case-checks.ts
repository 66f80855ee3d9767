// The server's consistency rules, run in the browser on the form's values (libs/clinical's
// checkCaseRules, the same call the API makes in CasesService), with the findings keyed by the
// same field paths as the server's `errors[].field`. The server's answer stays the authority.
import { checkCaseRules } from '@ilr/clinical';
import { caseDataOfValues, missingCaseFields, type CaseFormValues } from './case-form-values.js';
import { fieldLabel } from './labels.js';
import { fieldErrorsOf, type FieldErrors } from './problem.js';

export interface CaseCheckContext {
  // Today's date in the registry's time zone (YYYY-MM-DD).
  today: string;
}

// Findings about the values as typed so far: the rules once a date of surgery is known, and the
// required fields (those the form always needs, and those the rules demand for what was chosen).
export function checkCaseValues(values: CaseFormValues, context: CaseCheckContext): FieldErrors {
  const data = caseDataOfValues(values, context.today);
  // Like the server: the age rule needs the inline patient's birth date, reported at that field.
  // With an existing patient the browser does not know the birth date; the server checks it.
  const inline = values.patientMode === 'new' && values.patient.birthDate && values.surgeryDate;
  const violations = checkCaseRules(data, {
    today: context.today,
    ...(inline ? { birthDate: values.patient.birthDate!, birthDateField: 'patient.birthDate' } : {}),
  });
  const missing = missingCaseFields(values).map((m) => ({ ...m, message: `${fieldLabel(m.field)} is required` }));
  return fieldErrorsOf([...missing, ...violations]);
}
