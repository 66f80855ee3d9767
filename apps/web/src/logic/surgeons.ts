// Surgeons in words for staff lists (work lists, the case list): kept apart from the forms' logic, so that the case
// list (in the first bundle) does not bring the follow-up form's vocabularies with it.

// A row of any list names its surgeon by id; a report that also gives the name (surgeonName) is used as is.
export interface WithSurgeon {
  surgeonId: string;
  surgeonName?: string | null;
}

// Surgeon id → words. Names where known (GET /users for admin, or the report); otherwise "Surgeon A", "Surgeon B"…
// in the order of their ids, the same surgeon the same letter for the same report.
export function surgeonNamer(
  rows: readonly WithSurgeon[],
  known: ReadonlyMap<string, string> = new Map(),
): (surgeonId: string) => string {
  const names = new Map(known);
  for (const row of rows) if (row.surgeonName && !names.has(row.surgeonId)) names.set(row.surgeonId, row.surgeonName);
  const unnamed = [...new Set(rows.map((r) => r.surgeonId))].filter((id) => !names.has(id)).sort();
  unnamed.forEach((id, i) => names.set(id, `Surgeon ${letters(i)}`));
  return (surgeonId) => names.get(surgeonId) ?? 'Unknown surgeon';
}

// 0 → A, 25 → Z, 26 → AA…
function letters(index: number): string {
  let out = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}
