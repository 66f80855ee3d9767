// `npm start`: build what is stale (the API, the web pages, or both), then run the API, which serves the pages.
// A fresh clone builds once (tsc + tsc-alias, then openapi-typescript + vite); later starts skip a build whose
// sources did not change since its stamp.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const api = {
  stamp: 'dist/.build-stamp',
  output: 'dist/apps/api/src/main.js',
  script: 'build:api',
  sources: [
    'apps',
    'libs',
    'migrations',
    'scripts',
    'bench',
    'tsconfig.json',
    'tsconfig.build.json',
    'package-lock.json',
  ],
  // The web pages are not part of the API build (and the web build rewrites apps/web/src/api/schema.d.ts).
  ignore: [join(root, 'apps/web')],
};
const web = {
  stamp: 'dist/web/.build-stamp',
  output: 'dist/web/index.html',
  script: 'build:web',
  // The pages import the clinical vocabularies and rules from libs/clinical; the client types come from openapi.json.
  sources: ['apps/web', 'libs/clinical', 'openapi.json', 'tsconfig.json', 'package-lock.json'],
  ignore: [join(root, 'apps/web/src/api/schema.d.ts')],
};

function newest(path, ignore) {
  if (ignore.includes(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name), ignore)), info.mtimeMs);
}

function stale({ stamp, output, sources, ignore }) {
  if (!existsSync(join(root, output)) || !existsSync(join(root, stamp))) return true;
  const built = statSync(join(root, stamp)).mtimeMs;
  return sources
    .map((s) => join(root, s))
    .filter(existsSync)
    .some((path) => newest(path, ignore) > built);
}

for (const build of [api, web]) {
  if (stale(build)) execFileSync('npm', ['run', build.script], { cwd: root, stdio: 'inherit' }); // writes its stamp
}
await import(join(root, api.output));
