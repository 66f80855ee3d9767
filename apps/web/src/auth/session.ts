// The signed-in session: the access token and the user, in memory and in sessionStorage (so that a
// reload keeps the session in this tab; never localStorage, never a URL). Sign-out clears it and every
// draft this app keeps in sessionStorage (drafts may hold patient identifiers).
import { useSyncExternalStore } from 'react';
import type { components } from '../api/schema';

export type User = components['schemas']['UserResponse'];

export interface Session {
  token: string;
  user: User;
  expiresAt: number;
}

// How the last session ended: the user signed out, or the server refused the token (expired).
export type EndReason = 'signed-out' | 'expired';

const KEY = 'ilr.session';
// Every key this app writes to sessionStorage starts with this prefix (drafts too), so sign-out finds them all.
export const STORAGE_PREFIX = 'ilr.';

let current: Session | null = read();
let lastEnd: EndReason | null = null;
const listeners = new Set<() => void>();

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    return session.expiresAt > Date.now() ? session : null;
  } catch {
    return null;
  }
}

function emit(): void {
  for (const listener of listeners) listener();
}

export function signIn(token: string, user: User, expiresInSeconds: number): void {
  current = { token, user, expiresAt: Date.now() + expiresInSeconds * 1000 };
  lastEnd = null;
  sessionStorage.setItem(KEY, JSON.stringify(current));
  emit();
}

export function endSession(reason: EndReason): void {
  if (!current) return;
  current = null;
  lastEnd = reason;
  if (reason === 'signed-out') {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(STORAGE_PREFIX)) sessionStorage.removeItem(key);
  } else {
    // An expired session keeps the drafts (the user comes back to them); only the token goes.
    sessionStorage.removeItem(KEY);
  }
  emit();
}

export function currentToken(): string | null {
  return current?.token ?? null;
}

export function lastEndReason(): EndReason | null {
  return lastEnd;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, () => current);
}
