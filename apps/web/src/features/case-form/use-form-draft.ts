// Keeps a react-hook-form form as a draft in sessionStorage (logic/drafts.ts) while it is typed,
// and restores it when the page opens again (after a reload, or signing in again mid-work).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { FieldValues, UseFormReturn } from 'react-hook-form';
import { type DraftStore, draftKey } from '../../logic/drafts.js';

export interface FormDraft {
  // When the restored draft was kept (null: the form started empty).
  restoredAt: string | null;
  // After a save or a discard.
  clear: () => void;
}

export function useFormDraft<T extends FieldValues>(
  form: UseFormReturn<T>,
  store: DraftStore | null,
  formName: string,
  route: string,
  delayMs = 400,
): FormDraft {
  const key = draftKey(formName, route);
  const [restoredAt, setRestoredAt] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const cleared = useRef(false);

  useEffect(() => {
    const draft = store?.load<T>(key);
    if (draft) {
      form.reset(draft.values, { keepDefaultValues: true });
      setRestoredAt(draft.savedAt);
    }
    // Restore once per form and route, not whenever the form object changes.
  }, [store, key]);

  useEffect(() => {
    if (!store) return undefined;
    let pending: unknown;
    const flush = () => {
      clearTimeout(timer.current);
      if (pending !== undefined && !cleared.current) store.save(key, pending);
      pending = undefined;
    };
    const subscription = form.watch((values, { name }) => {
      // A reset (restoring the draft, or emptying the form on Discard) is not typing: after a Discard it would
      // otherwise save the emptied form as a new draft.
      if (name === undefined) return;
      cleared.current = false;
      pending = values;
      clearTimeout(timer.current);
      timer.current = setTimeout(flush, delayMs);
    });
    // Leaving the page (a sign-in redirect, a closed tab) keeps what was typed in the last moment too.
    window.addEventListener('pagehide', flush);
    return () => {
      subscription.unsubscribe();
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, [form, store, key, delayMs]);

  const clear = useCallback(() => {
    cleared.current = true;
    clearTimeout(timer.current);
    store?.clear(key);
    setRestoredAt(null);
  }, [store, key]);

  return { restoredAt, clear };
}
