// Ajv validation against the committed openapi.json (JSON Schema 2020-12, as OpenAPI 3.1 uses),
// with every object closed, so that a body with a field the document does not name fails.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const document = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../../../openapi.json', import.meta.url)), 'utf8'),
);

function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (typeof node !== 'object' || node === null) return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, closeObjects(v)]));
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined)
    out.additionalProperties = false;
  return out;
}

const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats.default(ajv);
ajv.addSchema(closeObjects(document) as object, 'openapi.json');

// The schema's complaints about `value` (empty when it matches `#/components/schemas/<name>`).
export function schemaErrors(name: string, value: unknown): string[] {
  const validate = ajv.getSchema(`openapi.json#/components/schemas/${name}`)!;
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

export const schemaProperties = (name: string): Record<string, { $ref?: string }> =>
  document.components.schemas[name].properties;
export const schemaOf = (name: string) => document.components.schemas[name];
