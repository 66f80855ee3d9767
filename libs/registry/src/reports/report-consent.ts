import { CONSENT, type Consent } from '@ilr/clinical';
import { type ConsentCounts, EXPORTED_CONSENT } from '@ilr/persistence';

export const CONSENT_RULE = `Exports contain only the cases of patients whose consent is '${EXPORTED_CONSENT}'; consentedOnly=true restricts a report to exactly those cases, so that its figures can be reproduced from an export.`;

export interface ConsentSummary {
  consentedOnly: boolean;
  cases: number;
  byConsent: ConsentCounts;
  withoutConsent: number;
  rule: string;
}

// How many of a report's cases come from patients whose cases no export contains (DOMAIN.md § Patient:
// quality reports count everyone unless consentedOnly is set).
export function consentSummary(counts: ConsentCounts[], consentedOnly: boolean | undefined): ConsentSummary {
  const byConsent = Object.fromEntries(
    CONSENT.codes.map((state) => [state, counts.reduce((sum, c) => sum + (c[state] ?? 0), 0)]),
  ) as ConsentCounts;
  const cases = CONSENT.codes.reduce((sum, state) => sum + byConsent[state], 0);
  return {
    consentedOnly: consentedOnly === true,
    cases,
    byConsent,
    withoutConsent: cases - byConsent[EXPORTED_CONSENT],
    rule: CONSENT_RULE,
  };
}

export const withoutConsent = (counts: ConsentCounts | undefined): number =>
  counts ? CONSENT.codes.reduce((sum, state) => sum + (state === EXPORTED_CONSENT ? 0 : counts[state]), 0) : 0;

export const countByConsent = (states: Consent[]): ConsentCounts =>
  Object.fromEntries(CONSENT.codes.map((state) => [state, states.filter((s) => s === state).length])) as ConsentCounts;
