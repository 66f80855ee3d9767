// What happens to the New-case form's values when the surgeon saves: fields that no longer apply
// are emptied, libs/clinical's rules run (the same ones the server runs), and a consistent form
// becomes the CreateCaseRequest body. Pure, so that it is tested without a DOM.
import { checkCaseValues } from '../../logic/case-checks.js';
import { pruneCaseValues } from '../../logic/case-form-fields.js';
import { type CaseFormValues, type CreateCaseRequest, toCreateCaseRequest } from '../../logic/case-form-values.js';
import type { FieldErrors } from '../../logic/problem.js';

export type CaseSubmission = { ok: true; body: CreateCaseRequest } | { ok: false; errors: FieldErrors };

export function prepareCaseSubmission(values: CaseFormValues, today: string): CaseSubmission {
  const pruned = pruneCaseValues(values);
  const errors = checkCaseValues(pruned, { today });
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, body: toCreateCaseRequest(pruned) };
}

// Today's calendar date where the browser is (YYYY-MM-DD); the page passes the registry's when it knows it.
export function localToday(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
