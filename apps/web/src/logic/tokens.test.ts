import { describe, expect, it } from 'vitest';
import { schemaErrors } from './testing/openapi.js';
import {
  checkTokenForm,
  createTokenRequest,
  emptyTokenForm,
  EXPIRY_DAYS_MAX,
  lastUsedWords,
  tokenState,
  tokenStateWords,
} from './tokens.js';
import { instantWords } from './visit-labels.js';

describe('the create-token form', () => {
  it('starts with an expiry the API accepts and asks for a name', () => {
    const empty = emptyTokenForm();
    expect(Object.keys(checkTokenForm(empty))).toEqual(['name']);
    expect(schemaErrors('CreateTokenRequest', createTokenRequest({ ...empty, name: 'script' }))).toEqual([]);
  });

  it('refuses an expiry outside the API’s range, in words', () => {
    for (const days of [0, EXPIRY_DAYS_MAX + 1, 2.5, null]) {
      const errors = checkTokenForm({ name: 'x', expiresInDays: days });
      expect(Object.keys(errors)).toEqual(['expiresInDays']);
      // The API refuses the same bodies.
      if (days !== null) expect(schemaErrors('CreateTokenRequest', { name: 'x', expiresInDays: days })).not.toEqual([]);
    }
  });

  it('trims the name', () => {
    expect(createTokenRequest({ name: '  nightly export ', expiresInDays: 30 })).toEqual({
      name: 'nightly export',
      expiresInDays: 30,
    });
  });
});

describe('a token’s state', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const future = '2026-09-01T12:00:00.000Z';
  const past = '2026-05-01T12:00:00.000Z';

  it('is active, revoked or expired, in words with the date', () => {
    expect(tokenState({ revokedAt: null, expiresAt: future }, now)).toBe('active');
    expect(tokenState({ revokedAt: past, expiresAt: future }, now)).toBe('revoked');
    expect(tokenState({ revokedAt: null, expiresAt: past }, now)).toBe('expired');
    expect(tokenStateWords({ revokedAt: null, expiresAt: future }, now)).toBe(`Active until ${instantWords(future)}`);
    expect(tokenStateWords({ revokedAt: past, expiresAt: future }, now)).toBe(`Revoked ${instantWords(past)}`);
    expect(tokenStateWords({ revokedAt: null, expiresAt: past }, now)).toBe(`Expired ${instantWords(past)}`);
  });

  it('says when it was last used', () => {
    expect(lastUsedWords({ lastUsedAt: null })).toBe('Never used');
    expect(lastUsedWords({ lastUsedAt: past })).toBe(instantWords(past));
  });
});
