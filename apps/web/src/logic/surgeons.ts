// Surgeons in words for staff lists (work lists, the case list): kept apart from the forms' logic, so that the case
// list (in the first bundle) does not bring the follow-up form's vocabularies with it.

// A row of any list names its surgeon by id; a report that also names them (`surgeonLabel`: the display name, or
// "Surgeon A" where the caller may not see names) is used as is. An anonymised report has no id (null).
export interface WithSurgeon {
  surgeonId: string | null;
  surgeonLabel?: string | null;
}

// Surgeon id → words. Names where known (GET /users for admin, or the report); otherwise "Surgeon A", "Surgeon B"…
// in the order of their ids, the same surgeon the same letter for the same report.
export function surgeonNamer(
  rows: readonly WithSurgeon[],
  known: ReadonlyMap<string, string> = new Map(),
): (surgeonId: string | null) => string {
  const names = new Map(known);
  for (const row of rows)
    if (row.surgeonId && row.surgeonLabel && !names.has(row.surgeonId)) names.set(row.surgeonId, row.surgeonLabel);
  const unnamed = [...new Set(rows.map((r) => r.surgeonId))]
    .filter((id): id is string => id !== null && !names.has(id))
    .sort();
  unnamed.forEach((id, i) => names.set(id, `Surgeon ${letters(i)}`));
  return (surgeonId) => (surgeonId === null ? 'Another surgeon' : (names.get(surgeonId) ?? 'Unknown surgeon'));
}

// 0 → A, 25 → Z, 26 → AA…
function letters(index: number): string {
  let out = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}
