// `npm start`: build when the sources are newer than the last build, then run the API.
// A fresh clone builds once (tsc + tsc-alias); later starts skip the type-check when nothing changed.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'dist', '.build-stamp');
const sources = [
  'apps',
  'libs',
  'migrations',
  'scripts',
  'bench',
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
];

function newest(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), info.mtimeMs);
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const changed = sources
  .map((s) => join(root, s))
  .filter(existsSync)
  .some((path) => newest(path) > built);
if (changed || !existsSync(join(root, 'dist/apps/api/src/main.js'))) {
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' }); // writes dist/.build-stamp
}
await import(join(root, 'dist/apps/api/src/main.js'));
