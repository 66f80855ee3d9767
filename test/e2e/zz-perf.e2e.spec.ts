import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import { identifiedExport, runImport } from '../support/imports.js';

describe('perf probe', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startTestApp(); });
  afterAll(async () => { await t?.close(); });
  it('times', async () => {
    const admin = await t.factories.admin();
    const surgeon = await t.factories.newUser({ role: 'surgeon' });
    await t.http().post('/api/v1/cases').set('Authorization', `Bearer ${surgeon.token}`).send(newCaseBody()).expect(201);
    const csv = await identifiedExport(t, admin, 'cases');
    const [header, row] = parse(csv) as string[][];
    const mrn = header.indexOf('mrn'), code = header.indexOf('registryCode');
    const N = Number(process.env.N ?? 5000);
    const rows = Array.from({ length: N }, (_, i) => { const r = [...row]; r[mrn] = `P${i}X${Date.now()}`; r[code] = ''; return r; });
    const file = stringify([header, ...rows]);
    for (const [mode, onError] of [['validate', 'reject_all'], ['commit', 'reject_all']] as const) {
      const start = Date.now();
      const job = await runImport(t, admin, 'cases', file, { mode, onError });
      console.log(mode, onError, job.status, job.created, `${Date.now() - start} ms`, `${(N / ((Date.now() - start) / 1000)).toFixed(0)} rows/s`);
    }
    expect(true).toBe(true);
  }, 600_000);
});
