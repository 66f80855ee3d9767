// How reports name surgeons (README § Decisions): by display name to a caller who may see it, otherwise by a
// stable label. Labels are letters in the order of the surgeons' ids, so they depend only on which surgeons the
// report's filters select: the same filters give the same letters.

// 0 → A, 25 → Z, 26 → AA, 27 → AB … (bijective base 26, as spreadsheet columns).
export function labelLetters(index: number): string {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`No label for index ${index}`);
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

// "Surgeon A", "Surgeon B", … for each distinct id, in id order.
export function surgeonLabels(surgeonIds: Iterable<string>): Map<string, string> {
  const ids = [...new Set(surgeonIds)].sort();
  return new Map(ids.map((id, index) => [id, `Surgeon ${labelLetters(index)}`]));
}

export interface SurgeonNamingInput {
  // Every surgeon the report may mention: the letters are assigned over this set.
  surgeonIds: Iterable<string>;
  displayNames: ReadonlyMap<string, string>;
  // May the caller see this surgeon by name and id (access.policy.ts maySeeSurgeonName)?
  mayName: (surgeonId: string) => boolean;
  // Labels only, and no id, whoever asks.
  anonymise: boolean;
}

export interface SurgeonNaming {
  anonymised: boolean;
  // The display name, or the stable label.
  label(surgeonId: string): string;
  // The id, or null where the surgeon is labelled.
  id(surgeonId: string): string | null;
}

export function surgeonNaming(input: SurgeonNamingInput): SurgeonNaming {
  const labels = surgeonLabels(input.surgeonIds);
  const named = (surgeonId: string) =>
    !input.anonymise && input.mayName(surgeonId) && input.displayNames.has(surgeonId);
  return {
    anonymised: input.anonymise,
    label(surgeonId) {
      if (named(surgeonId)) return input.displayNames.get(surgeonId)!;
      const label = labels.get(surgeonId);
      // A programming error: the caller builds the set from what the report lists.
      if (label === undefined) throw new Error('A surgeon outside the labelled set');
      return label;
    },
    id: (surgeonId) => (named(surgeonId) ? surgeonId : null),
  };
}
