// Jest transform: serves a CommonJS package that require()s ESM-only NestJS 12 packages as an ES module.
//
// @nestjs/throttler 6 ships CommonJS that calls require('@nestjs/common'). Node ≥ 20.19 loads that
// (require of ESM), so the service runs as is; Jest on Node < 24.9 cannot, and would fail with "Must
// use import to load ES Module". This wraps such a file in an ES module: every require("x") literal
// becomes an `import * as` at the top, the original body runs unchanged inside a function with a
// CommonJS-shaped `exports`, and the names it assigns to `exports` are re-exported. Jest loads a
// `.js` file whose transformed source is ESM as ESM, so the package then shares the test's one copy
// of @nestjs/common and @nestjs/core. Only for tsc-compiled CommonJS without require cycles.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const REQUIRE = /\brequire\("([^"]+)"\)/g;

function exportedNames(source, filename, seen = new Set()) {
  const names = new Set();
  for (const match of source.matchAll(/\bexports\.([A-Za-z_$][\w$]*)\s*=/g)) names.add(match[1]);
  for (const match of source.matchAll(/Object\.defineProperty\(exports, "([A-Za-z_$][\w$]*)"/g)) names.add(match[1]);
  for (const match of source.matchAll(/__exportStar\(require\("(\.[^"]+)"\), exports\)/g)) {
    const target = resolve(dirname(filename), match[1].endsWith('.js') ? match[1] : `${match[1]}.js`);
    if (seen.has(target)) continue;
    seen.add(target);
    for (const name of exportedNames(readFileSync(target, 'utf8'), target, seen)) names.add(name);
  }
  names.delete('__esModule');
  names.delete('default');
  return names;
}

function toEsm(source, filename) {
  const specifiers = [...new Set([...source.matchAll(REQUIRE)].map((match) => match[1]))];
  const imports = specifiers.map((specifier, i) => `import * as __cjs_dep${i} from ${JSON.stringify(specifier)};`);
  const table = specifiers.map((specifier, i) => `${JSON.stringify(specifier)}: __cjs_dep${i}`).join(', ');
  const names = [...exportedNames(source, filename)];
  return [
    ...imports,
    `const __cjs_deps = { ${table} };`,
    `const __cjs_module = { exports: {} };`,
    `(function (exports, require, module) {`,
    source.replace(/^#!.*/, ''),
    `})(__cjs_module.exports, (id) => { if (!(id in __cjs_deps)) throw new Error('unexpected require ' + id); return __cjs_deps[id]; }, __cjs_module);`,
    `export default __cjs_module.exports;`,
    ...names.map((name, i) => `const __cjs_export${i} = __cjs_module.exports[${JSON.stringify(name)}];`),
    names.length ? `export { ${names.map((name, i) => `__cjs_export${i} as ${name}`).join(', ')} };` : '',
  ].join('\n');
}

export default {
  process(source, filename) {
    return { code: toEsm(source, filename) };
  },
};
