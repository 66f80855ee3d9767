import { createHmac } from 'node:crypto';

// DOMAIN.md § De-identification: an export id is the first 16 hex digits of
// HMAC-SHA256(export key, id). Stable across exports (so bilateral cases and repeated exports link),
// unlinkable to the database id without the key, which never leaves the server.
export function exportPseudonym(key: Buffer, id: string): string {
  return createHmac('sha256', key).update(id, 'utf8').digest('hex').slice(0, 16);
}
