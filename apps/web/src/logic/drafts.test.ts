import { describe, expect, it } from 'vitest';
import { DRAFT_PREFIX, DraftStore, draftKey } from './drafts.js';
import { MemoryStorage } from './testing/memory-storage.js';

const at = () => new Date('2026-06-01T09:30:00Z');

describe(DraftStore.name, () => {
  it('restores a saved draft with the time it was kept', () => {
    const store = new DraftStore(new MemoryStorage(), at);
    const key = draftKey('case-form', '/cases/new');
    store.save(key, { patient: { mrn: 'H1234567' }, notes: 'typed' });
    expect(store.load(key)).toEqual({
      values: { patient: { mrn: 'H1234567' }, notes: 'typed' },
      savedAt: '2026-06-01T09:30:00.000Z',
    });
  });

  it('keeps drafts apart by form and route, and names no typed value in a key', () => {
    const storage = new MemoryStorage();
    const store = new DraftStore(storage, at);
    store.save(draftKey('case-form', '/cases/new'), { mrn: 'H1234567' });
    store.save(draftKey('complication-form', '/cases/abc/complications/new'), { type: 'other' });
    expect(store.load<{ mrn: string }>(draftKey('case-form', '/cases/new'))?.values.mrn).toBe('H1234567');
    expect(
      store.load<{ type: string }>(draftKey('complication-form', '/cases/abc/complications/new'))?.values.type,
    ).toBe('other');
    expect(store.load(draftKey('case-form', '/cases/other'))).toBeNull();
    expect(store.keys().join()).not.toContain('H1234567');
  });

  it('forgets a draft once it is saved or discarded', () => {
    const store = new DraftStore(new MemoryStorage(), at);
    const key = draftKey('case-form', '/cases/new');
    store.save(key, { a: 1 });
    store.clear(key);
    expect(store.load(key)).toBeNull();
  });

  it('clears every draft on sign-out and nothing else', () => {
    const storage = new MemoryStorage();
    storage.setItem('ilr.session', 'token');
    const store = new DraftStore(storage, at);
    store.save(draftKey('case-form', '/cases/new'), { a: 1 });
    store.save(draftKey('follow-up-form', '/cases/x/follow-ups/new'), { b: 2 });
    expect(store.keys()).toHaveLength(2);
    store.clearAll();
    expect(store.keys()).toEqual([]);
    expect(storage.length).toBe(1);
    expect(storage.getItem('ilr.session')).toBe('token');
  });

  it('drops a draft it cannot read or of another version instead of restoring it', () => {
    const storage = new MemoryStorage();
    const store = new DraftStore(storage, at);
    storage.setItem(`${DRAFT_PREFIX}broken@/cases/new`, '{not json');
    storage.setItem(`${DRAFT_PREFIX}old@/cases/new`, JSON.stringify({ version: 0, savedAt: 'x', values: {} }));
    expect(store.load(`${DRAFT_PREFIX}broken@/cases/new`)).toBeNull();
    expect(store.load(`${DRAFT_PREFIX}old@/cases/new`)).toBeNull();
    expect(storage.length).toBe(0);
  });

  it('goes on without a draft when the storage refuses to keep it', () => {
    const full = new MemoryStorage();
    full.setItem = () => {
      throw new DOMException('quota', 'QuotaExceededError');
    };
    const store = new DraftStore(full, at);
    expect(() => store.save(draftKey('case-form', '/cases/new'), { a: 1 })).not.toThrow();
    expect(store.load(draftKey('case-form', '/cases/new'))).toBeNull();
  });
});
