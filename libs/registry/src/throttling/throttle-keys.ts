import { createHash } from 'node:crypto';
import { SetMetadata } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';

// The names of the throttlers (@nestjs/throttler "named throttlers") and the keys they count under.
export const THROTTLERS = {
  // Every API request, per client address (before authentication).
  ip: 'ip',
  // Every authenticated request, per credential: a personal token, or a user's sign-in sessions.
  credential: 'credential',
  // Sign-in attempts, counted before the password is checked.
  loginEmail: 'login-email',
  loginIp: 'login-ip',
  // Requests to the questionnaire's token endpoints, and links that were not valid, per client address.
  questionnaire: 'questionnaire',
  questionnaireInvalid: 'questionnaire-invalid',
} as const;

export const LOGIN_ATTEMPT = 'ilr:login-attempt';

// Marks a route whose every call is a sign-in attempt (the login throttlers count it).
export const LoginAttempt = () => SetMetadata(LOGIN_ATTEMPT, true);

// The client address as Express sees it (`trust proxy` decides whether X-Forwarded-For counts);
// IPv6 clients are counted per /64, as one host usually owns the whole prefix.
export function clientAddress(ip: string | undefined): string {
  return ip ? normalizeIp(ip) : 'unknown';
}

// Emails never enter the store in clear: the key is a hash of the normalised address.
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function loginEmailTracker(email: unknown): string {
  if (typeof email !== 'string') return 'not-a-string';
  return createHash('sha256').update(normalizeEmail(email)).digest('hex');
}

export function throttleKey(throttler: string, tracker: string): string {
  return `${throttler}:${tracker}`;
}

export function loginKeys(email: string, ip: string | undefined): string[] {
  return [
    throttleKey(THROTTLERS.loginEmail, loginEmailTracker(email)),
    throttleKey(THROTTLERS.loginIp, clientAddress(ip)),
  ];
}
