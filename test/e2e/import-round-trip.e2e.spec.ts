import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { startTestApp, type TestApp } from '../support/app.js';
import { identifiedExport, runImport } from '../support/imports.js';
import { seedMixedCohort } from '../support/mixed-cohort.js';

// Columns made of database ids (or pseudonyms of them): they differ between two databases by design.
const ID_COLUMNS = ['exportId', 'patientExportId', 'surgeonExportId', 'caseId', 'followUpId', 'complicationId'];

function withoutIds(csv: string): string[][] {
  const [header, ...rows] = parse(csv, { relax_column_count: false }) as string[][];
  const keep = header.map((name, i) => (ID_COLUMNS.includes(name) ? -1 : i)).filter((i) => i >= 0);
  return [keep.map((i) => header[i]), ...rows.map((row) => keep.map((i) => row[i])).sort()];
}

// Seed → identified export → import into an empty registry → identified export again: the same files,
// apart from the database ids.
describe('import round trip (e2e)', () => {
  let source: TestApp;
  let target: TestApp;
  beforeAll(async () => {
    [source, target] = await Promise.all([startTestApp(), startTestApp()]);
  });
  afterAll(async () => {
    await Promise.all([source?.close(), target?.close()]);
  });

  it('imports an identified export of cases, visits and complications into an empty registry unchanged', async () => {
    const sourceAdmin = await source.factories.admin();
    const cohort = await seedMixedCohort(source, sourceAdmin, 30);
    const exported: Record<string, string> = {};
    for (const dataset of ['cases', 'follow-ups', 'complications'])
      exported[dataset] = await identifiedExport(source, sourceAdmin, dataset);

    // The same surgeons (by account) in the new registry.
    for (const surgeon of cohort.surgeons) await target.factories.newUser({ role: 'surgeon', email: surgeon.email });
    const staff = await target.factories.newUser({ role: 'registry_staff' });
    for (const dataset of ['cases', 'follow-ups', 'complications']) {
      const job = await runImport(target, staff.token, dataset, exported[dataset], { mode: 'commit' });
      const rows = parse(exported[dataset]).length - 1;
      expect({ dataset, ...job }).toMatchObject({
        dataset,
        status: 'committed',
        rowsRead: rows,
        created: rows,
        rejected: 0,
        errorCount: 0,
      });
    }
    const targetAdmin = await target.factories.admin();
    for (const dataset of ['cases', 'follow-ups', 'complications']) {
      const again = await identifiedExport(target, targetAdmin, dataset);
      expect({ dataset, rows: withoutIds(again) }).toEqual({ dataset, rows: withoutIds(exported[dataset]) });
    }

    // A re-import creates nothing new: every row is unchanged.
    const repeat = await runImport(target, staff.token, 'cases', exported.cases, { mode: 'commit' });
    expect(repeat).toMatchObject({ status: 'committed', created: 0, unchanged: parse(exported.cases).length - 1 });
  });
});
