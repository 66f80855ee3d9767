// Unsaved forms kept as drafts, so that an expired session or a reload loses nothing typed. Drafts
// hold patient identifiers (MRN, birth date, notes), so they live in sessionStorage — gone with the
// tab, never in localStorage — and sign-out clears them all. Keys name the form and the route; they
// never contain a value typed in the form.

// The part of the Web Storage API drafts use (sessionStorage in the browser), spelled out so that
// this module also type-checks without the DOM library.
export interface DraftStorage {
  readonly length: number;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  key(index: number): string | null;
}

export const DRAFT_PREFIX = 'ilr.draft:';
// Bumped when a form's values change shape: an older draft is then dropped instead of restored.
export const DRAFT_VERSION = 1;

interface StoredDraft<T> {
  version: number;
  savedAt: string;
  values: T;
}

export interface Draft<T> {
  values: T;
  savedAt: string;
}

// `form` names the form (`case-form`), `route` the page it is on (`/cases/new`, `/cases/<id>/complications/new`).
export function draftKey(form: string, route: string): string {
  return `${DRAFT_PREFIX}${form}@${route}`;
}

export class DraftStore {
  constructor(
    private readonly storage: DraftStorage,
    private readonly now: () => Date = () => new Date(),
  ) {}

  save<T>(key: string, values: T): void {
    const stored: StoredDraft<T> = { version: DRAFT_VERSION, savedAt: this.now().toISOString(), values };
    try {
      this.storage.setItem(key, JSON.stringify(stored));
    } catch {
      // Storage full or disabled: the form still works, only without a draft.
    }
  }

  load<T>(key: string): Draft<T> | null {
    const raw = this.storage.getItem(key);
    if (raw === null) return null;
    try {
      const stored = JSON.parse(raw) as StoredDraft<T>;
      if (stored?.version !== DRAFT_VERSION || stored.values === undefined) {
        this.storage.removeItem(key);
        return null;
      }
      return { values: stored.values, savedAt: stored.savedAt };
    } catch {
      this.storage.removeItem(key);
      return null;
    }
  }

  // After a save or a discard.
  clear(key: string): void {
    this.storage.removeItem(key);
  }

  // The keys of every draft kept, e.g. to mark drafts in a list.
  keys(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const key = this.storage.key(i);
      if (key?.startsWith(DRAFT_PREFIX)) out.push(key);
    }
    return out;
  }

  // On sign-out: every draft goes, nothing else in the storage does.
  clearAll(): void {
    for (const key of this.keys()) this.storage.removeItem(key);
  }
}

// The browser's draft store; null where sessionStorage is unavailable (a privacy mode that blocks it).
export function sessionDrafts(): DraftStore | null {
  try {
    const storage = (globalThis as { sessionStorage?: DraftStorage }).sessionStorage;
    return storage ? new DraftStore(storage) : null;
  } catch {
    return null;
  }
}
