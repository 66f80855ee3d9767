import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { TestApp } from './app.js';
import { newCaseBody, uniqueMrn } from './cases.js';
import { identifiedExport } from './imports.js';

export type Row = Record<string, string>;

// A CSV file as the export writes them: a header row, CRLF line ends.
export function csvOf(header: string[], rows: Row[]): string {
  return stringify([header, ...rows.map((row) => header.map((name) => row[name] ?? ''))], {
    record_delimiter: '\r\n',
  });
}

export function rowsOf(csv: string): { header: string[]; rows: Row[] } {
  const [header, ...records] = parse(csv, { bom: true }) as string[][];
  return { header, rows: records.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i]]))) };
}

// One case created through the API for `surgeonToken`, as a row of the admin's identified export: the
// template of the case rows a test imports.
export async function caseTemplate(
  t: TestApp,
  adminToken: string,
  surgeonToken: string,
  overrides: Record<string, unknown> = {},
): Promise<{ header: string[]; row: Row; caseId: string }> {
  const created = await t
    .http()
    .post('/api/v1/cases')
    .set('Authorization', `Bearer ${surgeonToken}`)
    .send(newCaseBody(overrides))
    .expect(201);
  const { header, rows } = rowsOf(await identifiedExport(t, adminToken, 'cases'));
  const row = rows.find((r) => r.caseId === created.body.id);
  if (!row) throw new Error('the created case is not in the identified export');
  return { header, row, caseId: created.body.id as string };
}

// A new case from the template: a patient never seen (a fresh MRN), no registry code (the import gives one).
export function newCaseRow(template: Row, overrides: Row = {}): Row {
  return { ...template, registryCode: '', mrn: uniqueMrn(), ...overrides };
}

export async function countRows(t: TestApp, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
  return n as number;
}

// The rows of the tables an import may write, to show that it wrote nothing.
export async function registryCounts(t: TestApp): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['cases', 'patients', 'follow_ups', 'complications', 'audit_events'])
    counts[table] = await countRows(t, table);
  return counts;
}

// A template header fetched from the API (GET /imports/template), as column names.
export async function templateHeader(t: TestApp, token: string, dataset: string): Promise<string[]> {
  const response = await t
    .http()
    .get(`/api/v1/imports/template?dataset=${dataset}`)
    .set('Authorization', `Bearer ${token}`)
    .expect(200);
  return rowsOf(response.text).header;
}
