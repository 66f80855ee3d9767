// SQL for CHECK constraints built from the clinical vocabularies, so the database refuses any code
// the clinical core does not know, whatever writes to it.
const quote = (code: string) => `'${code.replace(/'/g, "''")}'`;

export function oneOf(column: string, codes: readonly string[], nullable = false): string {
  const check = `"${column}" IN (${codes.map(quote).join(', ')})`;
  return nullable ? `"${column}" IS NULL OR ${check}` : check;
}

export function subsetOf(column: string, codes: readonly string[], minItems = 0): string {
  const subset = `"${column}" <@ ARRAY[${codes.map(quote).join(', ')}]::text[]`;
  return minItems > 0 ? `${subset} AND cardinality("${column}") >= ${minItems}` : subset;
}
