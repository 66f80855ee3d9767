// Personal API tokens: the create form's values → the API's body, and a token's state in words.
import type { components } from '../api/schema.js';
import type { FieldErrors } from './problem.js';
import { instantWords } from './visit-labels.js';

export type TokenResponse = components['schemas']['TokenResponse'];
export type CreatedTokenResponse = components['schemas']['CreatedTokenResponse'];
export type CreateTokenRequest = components['schemas']['CreateTokenRequest'];

// CreateTokenRequest's bounds (openapi.json).
export const TOKEN_NAME_MAX = 100;
export const EXPIRY_DAYS_MIN = 1;
export const EXPIRY_DAYS_MAX = 365;
export const DEFAULT_EXPIRY_DAYS = 90;

export interface TokenFormValues {
  name: string;
  expiresInDays: number | null;
}

export const TOKEN_FORM_FIELDS = ['name', 'expiresInDays'] as const;

export const TOKEN_FIELD_LABELS: Record<(typeof TOKEN_FORM_FIELDS)[number], string> = {
  name: 'Token name',
  expiresInDays: 'Expires after (days)',
};

export const tokenFieldLabel = (path: string): string => (TOKEN_FIELD_LABELS as Record<string, string>)[path] ?? path;

export const emptyTokenForm = (): TokenFormValues => ({ name: '', expiresInDays: DEFAULT_EXPIRY_DAYS });

export function checkTokenForm(values: TokenFormValues): FieldErrors {
  const errors: FieldErrors = {};
  if (!values.name.trim()) errors.name = 'Name the token after what will use it, such as “nightly export script”.';
  const days = values.expiresInDays;
  if (days === null) errors.expiresInDays = 'Enter how many days the token lasts.';
  else if (!Number.isInteger(days) || days < EXPIRY_DAYS_MIN || days > EXPIRY_DAYS_MAX)
    errors.expiresInDays = `Enter a whole number of days from ${EXPIRY_DAYS_MIN} to ${EXPIRY_DAYS_MAX}.`;
  return errors;
}

export function createTokenRequest(values: TokenFormValues): CreateTokenRequest {
  if (values.expiresInDays === null) throw new Error('The expiry is not set');
  return { name: values.name.trim(), expiresInDays: values.expiresInDays };
}

export type TokenState = 'active' | 'revoked' | 'expired';

export function tokenState(token: Pick<TokenResponse, 'revokedAt' | 'expiresAt'>, now: Date): TokenState {
  if (token.revokedAt) return 'revoked';
  return new Date(token.expiresAt).getTime() <= now.getTime() ? 'expired' : 'active';
}

export function tokenStateWords(token: Pick<TokenResponse, 'revokedAt' | 'expiresAt'>, now: Date): string {
  const state = tokenState(token, now);
  if (state === 'revoked') return `Revoked ${instantWords(token.revokedAt!)}`;
  if (state === 'expired') return `Expired ${instantWords(token.expiresAt)}`;
  return `Active until ${instantWords(token.expiresAt)}`;
}

export const lastUsedWords = (token: Pick<TokenResponse, 'lastUsedAt'>): string =>
  token.lastUsedAt ? instantWords(token.lastUsedAt) : 'Never used';
