import { vocabularyOf } from './vocabulary.js';

export const CONTACT_MODE = vocabularyOf('ContactMode', {
  clinic: 'Clinic',
  telephone: 'Telephone',
  remote_questionnaire: 'Remote questionnaire',
});
export const SNAPPING = vocabularyOf('Snapping', {
  none: 'None',
  painless: 'Painless snapping',
  painful: 'Painful snapping',
});
export const RETURNED_TO_SPORT = vocabularyOf('ReturnedToSport', {
  yes: 'Yes',
  no: 'No',
  not_applicable: 'Not applicable',
});

export type ContactMode = (typeof CONTACT_MODE.codes)[number];
export type Snapping = (typeof SNAPPING.codes)[number];
export type ReturnedToSport = (typeof RETURNED_TO_SPORT.codes)[number];

export interface VisitRuleContext {
  surgeryDate: string;
  today: string;
}

// DOMAIN.md § Follow-up visit: not in the future (a visit on or before surgery is the preop visit).
export function checkVisitRules(
  visit: { visitDate: string },
  context: VisitRuleContext,
): Array<{ field: string; code: string; message: string }> {
  const out: Array<{ field: string; code: string; message: string }> = [];
  if (visit.visitDate > context.today)
    out.push({ field: 'visitDate', code: 'in_future', message: 'visitDate must not be in the future' });
  return out;
}
