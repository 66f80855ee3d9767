import { createHash, randomBytes } from 'node:crypto';

// A link's secret: 32 random bytes, base64url (43 characters). Only its SHA-256 is stored, so the
// table cannot be used to open anyone's questionnaire.
export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

// The shape of a token, checked before any look-up (anything else is an invalid link at once).
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
