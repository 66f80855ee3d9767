import type { OutcomeReportRepository, ReportFilter, UserRepository } from '@ilr/persistence';
import { type AuthContext, maySeeSurgeonName } from '../access/access.policy.js';
import { registryWide } from './report-scope.js';
import { type SurgeonNaming, surgeonNaming } from './surgeon-labels.js';

// The naming of surgeons in one report that mentions `listed`. The letters are assigned over every surgeon with a
// case under the report's filters other than surgeonId, so a surgeon keeps their letter when the report is narrowed
// to them, and the outcomes, survival, funnel, CUSUM and data-quality reports agree on it for the same filters.
export async function reportNaming(
  repositories: { outcomes: OutcomeReportRepository; users: UserRepository },
  auth: AuthContext,
  filter: ReportFilter,
  anonymise: boolean,
  listed: Iterable<string> = [],
): Promise<SurgeonNaming> {
  const mentioned = new Set([...listed, ...(filter.surgeonId ? [filter.surgeonId] : [])]);
  // Letters are worked out only when someone will be labelled (not for a reviewer's or a surgeon's own view).
  const labelled = anonymise || [...mentioned].some((id) => !maySeeSurgeonName(auth, id));
  const withCases = labelled ? await repositories.outcomes.consentByGroup(registryWide(filter), 'surgeon') : [];
  const ids = new Set([...withCases.map((g) => g.key), ...mentioned]);
  const nameable = anonymise ? [] : [...ids].filter((id) => maySeeSurgeonName(auth, id));
  const displayNames = await repositories.users.displayNames(nameable);
  return surgeonNaming({ surgeonIds: ids, displayNames, mayName: (id) => maySeeSurgeonName(auth, id), anonymise });
}

// The filters as a report echoes them: the surgeon filter by label too, and by id only where the caller may see it.
export function shownFilters<F extends { surgeonId?: string }>(
  filter: F,
  anonymise: boolean,
  naming: SurgeonNaming | null,
) {
  const { surgeonId, ...rest } = filter;
  if (!surgeonId) return { ...rest, anonymise };
  if (!naming) throw new Error('A surgeon filter needs the naming of surgeons');
  const id = naming.id(surgeonId);
  return { ...rest, ...(id === null ? {} : { surgeonId: id }), surgeonLabel: naming.label(surgeonId), anonymise };
}
