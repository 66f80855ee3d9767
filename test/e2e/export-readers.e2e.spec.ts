import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ITEM_RULES, PROM_THRESHOLD_SOURCE, TIMEPOINT_WINDOWS } from '@ilr/clinical';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody, uniqueMrn } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

// Exports an analyst can use as they are (issue 11): typed CSV readers (checked in R when it is
// installed), follow-up windows closed at the export date, what was left out and why, and the
// registry rules in the dictionary. Over real HTTP on a real database.

type Body = Record<string, any>;
const DAY_MS = 86_400_000;
const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const asText = (res: any, cb: (err: Error | null, body: unknown) => void) => {
  let data = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (data += chunk));
  res.on('end', () => cb(null, data));
};
const parseCsv = (text: string) => parse(text, { columns: true }) as Array<Record<string, string>>;
const header = (text: string) => (parse(text, { to_line: 1 }) as string[][])[0];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const MHHS = {
  pain: 'mild',
  limp: 'slight',
  support: 'none',
  distance: 'six_blocks',
  stairs: 'normally_with_railing',
  shoesSocks: 'with_ease',
  sitting: 'ordinary_chair_one_hour',
  publicTransport: 'able',
};
const IHOT = [80, 65.5, 70, 90, 100, 40, 55, 75, 55, 60, 85, 70];

const rscript = spawnSync('Rscript', ['--version'], { encoding: 'utf8' });
const HAVE_R = !rscript.error && rscript.status === 0;
const HAVE_PYTHON = spawnSync('python3', ['--version']).status === 0;

describe('exports an analyst can use as they are (e2e)', () => {
  let t: TestApp;
  let surgeon: TestUser;
  let staff: TestUser;
  let admin: string;
  const today = new Date().toISOString().slice(0, 10);
  const cases: Record<string, { id: string; patientId: string; surgeryDate: string; version?: number }> = {};
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  const exportText = async (dataset: string, format: string, token: string, query: Record<string, string> = {}) => {
    const response = await t
      .http()
      .get(`/api/v1/exports/${dataset}`)
      .query({ format, ...query })
      .set(as(token))
      .buffer(true)
      .parse(asText);
    expect(response.status).toBe(200);
    return { text: response.body as string, headers: response.headers };
  };
  // The manifest a streamed export wrote (found by the sha256 of the body it sent).
  const syncManifest = async (text: string): Promise<Body> => {
    const dir = join(t.config.exports.dir, 'manifests');
    for (let i = 0; i < 50; i++) {
      // Written once the last byte has gone, so it may land just after the client has the body.
      const found = (existsSync(dir) ? readdirSync(dir) : [])
        // Not the files still being written aside (`….manifest.json.<random>.tmp`).
        .filter((n) => n.startsWith('sync-') && n.endsWith('.manifest.json'))
        .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')))
        .filter((manifest) => manifest.sha256 === sha256(text))
        .sort((a, b) => b.generatedAt.localeCompare(a.generatedAt));
      if (found.length > 0) return found[0];
      await sleep(100);
    }
    throw new Error('no manifest for this export');
  };

  const createCase = async (key: string, surgeryDate: string, overrides: Body = {}, patient?: Body) => {
    const body = newCaseBody({ surgeryDate, ...overrides });
    if (patient) body.patient = patient;
    const response = await t.http().post('/api/v1/cases').set(as(surgeon.token)).send(body);
    if (response.status !== 201) throw new Error(`case ${key}: ${response.status} ${JSON.stringify(response.body)}`);
    cases[key] = { id: response.body.id, patientId: response.body.patientId, surgeryDate };
    return response.body;
  };
  const visit = async (key: string, day: number, extra: Body = {}) => {
    const response = await t
      .http()
      .post(`/api/v1/cases/${cases[key].id}/follow-ups`)
      .set(as(surgeon.token))
      .send({ visitDate: addDays(cases[key].surgeryDate, day), contactMode: 'clinic', groinPain: 2, ...extra });
    if (response.status !== 201) throw new Error(`visit ${key}: ${response.status} ${JSON.stringify(response.body)}`);
  };
  const setConsent = async (key: string, consent: string) => {
    const read = await t.http().get(`/api/v1/patients/${cases[key].patientId}`).set(as(staff.token)).expect(200);
    await t
      .http()
      .patch(`/api/v1/patients/${cases[key].patientId}`)
      .set(as(staff.token))
      .set('If-Match', read.headers.etag)
      .send({ consent })
      .expect(200);
  };
  const deleteCase = async (key: string) => {
    const read = await t.http().get(`/api/v1/cases/${cases[key].id}`).set(as(surgeon.token)).expect(200);
    await t
      .http()
      .delete(`/api/v1/cases/${cases[key].id}`)
      .set(as(surgeon.token))
      .set('If-Match', read.headers.etag)
      .send({ reason: 'duplicate entry' })
      .expect(204);
  };

  beforeAll(async () => {
    t = await startTestApp({ EXPORT_WORKER_POLL_MS: '100' });
    surgeon = await t.factories.newUser({ role: 'surgeon' });
    staff = await t.factories.newUser({ role: 'registry_staff' });
    admin = await t.factories.admin();

    // A: 400 days ago, visits before surgery, at 6 weeks and at 1 year; no HOS or NAHS anywhere at 6w.
    await createCase('A', addDays(today, -400));
    await visit('A', -10, { proms: { mhhs: MHHS, ihot12: IHOT } });
    await visit('A', 42);
    await visit('A', 365, { proms: { mhhs: MHHS } });
    // B: 100 days ago, no concurrent procedure, conservative treatment given as an empty list (none),
    // intraoperative events omitted (not recorded).
    await createCase('B', addDays(today, -100), {
      impingementRepair: { performed: false },
      conservativeTreatment: [],
      intraoperativeEvents: undefined,
    });
    // Left out: C withdrew (800 days ago); D1 and D2 are one patient who declined, D2 also deleted; E deleted.
    await createCase('C', addDays(today, -800));
    await setConsent('C', 'withdrawn');
    const patient = { mrn: uniqueMrn(), birthDate: '1984-02-29', sex: 'male' };
    await createCase('D1', addDays(today, -300), { side: 'left' }, patient);
    await createCase('D2', addDays(today, -290), { side: 'right' }, patient);
    expect(cases.D2.patientId).toBe(cases.D1.patientId);
    await setConsent('D1', 'declined');
    await deleteCase('D2');
    await createCase('E', addDays(today, -50));
    await deleteCase('E');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  describe('typed readers', () => {
    it('gives per file an R colClasses vector, a readr col_types string and pandas dtypes matching the header, for every dataset', async () => {
      const dictionary = (await t.http().get('/api/v1/exports/dictionary').set(as(staff.token)).expect(200)).body;
      for (const dataset of ['cases', 'follow-ups', 'complications']) {
        for (const identified of [false, true]) {
          const { text } = await exportText(dataset, 'csv', identified ? admin : staff.token, {
            ...(identified ? { identified: 'true' } : {}),
          });
          const names = header(text);
          const readers = dictionary.readers[dataset][identified ? 'identified' : 'deidentified'];
          const columns: Body[] = dictionary.datasets[dataset].filter(
            (c: Body) => identified || c.inDeidentifiedExports,
          );
          expect(Object.keys(readers.colClasses)).toEqual(names);
          expect(Object.keys(readers.pandasDtypes)).toEqual(names);
          expect(readers.readrColTypes).toHaveLength(names.length);
          columns.forEach((column, i) => {
            const expected =
              column.type === 'integer'
                ? ['integer', 'i', 'Int64']
                : column.type === 'number'
                  ? ['numeric', 'd', 'float64']
                  : column.type === 'boolean'
                    ? ['logical', 'l', 'boolean']
                    : column.type === 'date'
                      ? ['Date', 'D', 'datetime64[ns]']
                      : ['character', 'c', 'string'];
            expect([
              column.name,
              readers.colClasses[column.name],
              readers.readrColTypes[i],
              readers.pandasDtypes[column.name],
            ]).toEqual([column.name, ...expected]);
            expect([column.rClass, column.readrType, column.pandasDtype]).toEqual(expected);
          });
          expect(readers.snippets.r).toContain('colClasses = c(');
          expect(readers.snippets.readr).toContain(`col_types = "${readers.readrColTypes}"`);
          expect(readers.snippets.pandas).toContain('dtype={');
          for (const date of columns.filter((c) => c.type === 'date').map((c) => c.name)) {
            expect(readers.pandasParseDates).toContain(date);
            expect(readers.snippets.pandas).not.toContain(`"${date}": `);
          }
          expect(readers.pandasParseDates.length > 0).toBe(identified);
          // The pandas line is valid Python (pandas itself is not installed here: its run is not checked).
          if (HAVE_PYTHON) {
            const check = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], {
              input: readers.snippets.pandas,
              encoding: 'utf8',
            });
            expect({ dataset, identified, status: check.status, stderr: check.stderr }).toEqual({
              dataset,
              identified,
              status: 0,
              stderr: '',
            });
          }
        }
      }
    });

    it('R reads the cases CSV with the dictionary colClasses: empty score columns numeric, flags logical; default read.csv reads TRUE/FALSE as logical', async () => {
      const { text } = await exportText('cases', 'csv', staff.token);
      const dictionary = (await t.http().get('/api/v1/exports/dictionary').set(as(staff.token)).expect(200)).body;
      const readers = dictionary.readers.cases.deidentified;
      const columns: Body[] = dictionary.datasets.cases.filter((c: Body) => c.inDeidentifiedExports);
      const rows = parseCsv(text);
      expect(rows).toHaveLength(2);
      // The file has numeric columns that are empty throughout (HOS and NAHS at 6 weeks), and flags.
      const emptyNumeric = columns.filter(
        (c) => (c.type === 'integer' || c.type === 'number') && rows.every((r) => r[c.name] === ''),
      );
      expect(emptyNumeric.map((c) => c.name)).toEqual(expect.arrayContaining(['hosAdl_6w', 'nahs_6w', 'mhhs_6w']));
      const flags = columns.filter((c) => c.type === 'boolean');
      expect(flags.length).toBeGreaterThan(20);
      for (const flag of flags) for (const row of rows) expect(['TRUE', 'FALSE', '']).toContain(row[flag.name]);

      if (!HAVE_R) {
        if (process.env.CI === 'true')
          throw new Error('Rscript is not installed: under CI the R reader check must run');
        console.log('Rscript was not found: this test did NOT run R on the export (only the checks without R ran).');
        return;
      }
      const dir = mkdtempSync(join(tmpdir(), 'ilr-r-'));
      try {
        writeFileSync(join(dir, readers.fileName), text);
        writeFileSync(join(dir, 'reader.R'), `${readers.snippets.r}\n`);
        // readr is not installed here: its snippet is checked as R syntax only.
        const parsed = spawnSync('Rscript', ['-e', 'invisible(parse(file("stdin")))'], {
          input: readers.snippets.readr,
          encoding: 'utf8',
        });
        expect({ status: parsed.status, stderr: parsed.stderr }).toEqual({ status: 0, stderr: '' });
        const run = spawnSync(
          'Rscript',
          [join(process.cwd(), 'test/r/read-export.R'), readers.fileName, 'reader.R', 'cases'],
          { cwd: dir, encoding: 'utf8' },
        );
        expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
        const seen = new Map<string, { klass: string; na: number; sum: string }>();
        for (const line of run.stdout.trim().split('\n')) {
          const [reader, name, klass, na, sum] = line.split('\t');
          seen.set(`${reader}:${name}`, { klass, na: Number(na), sum });
        }
        for (const column of columns) {
          const typed = seen.get(`typed:${column.name}`)!;
          expect([column.name, typed.klass]).toEqual([column.name, column.rClass]);
          if (column.type === 'boolean')
            expect([column.name, seen.get(`default:${column.name}`)!.klass]).toEqual([column.name, 'logical']);
          // The numbers R read are the ones in the file.
          if (column.type === 'integer' || column.type === 'number') {
            const values = rows.filter((r) => r[column.name] !== '').map((r) => Number(r[column.name]));
            expect([column.name, typed.na]).toEqual([column.name, rows.length - values.length]);
            const total = values.reduce((a, b) => a + b, 0);
            expect(Math.abs(Number(typed.sum) - total)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(total)));
          }
          if (column.type === 'boolean') {
            const trues = rows.filter((r) => r[column.name] === 'TRUE').length;
            expect([column.name, Number(typed.sum)]).toEqual([column.name, trues]);
          }
        }
        // Without colClasses an all-empty score column is logical NA: the reason the typed reader exists.
        for (const column of emptyNumeric) {
          expect([column.name, seen.get(`typed:${column.name}`)!.klass]).toEqual([column.name, column.rClass]);
          expect(seen.get(`default:${column.name}`)!.klass).toBe('logical');
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('R reads the follow-ups and complications CSVs (identified too) with their colClasses, every column of its declared class', async () => {
      if (!HAVE_R) {
        if (process.env.CI === 'true')
          throw new Error('Rscript is not installed: under CI the R reader check must run');
        console.log('Rscript was not found: this test did NOT run R on the follow-ups and complications exports.');
        return;
      }
      const dictionary = (await t.http().get('/api/v1/exports/dictionary').set(as(staff.token)).expect(200)).body;
      // A complication, so that the complications file has a row.
      await t
        .http()
        .post(`/api/v1/cases/${cases.A.id}/complications`)
        .set(as(surgeon.token))
        .send({ type: 'deep_vein_thrombosis', onsetDate: addDays(cases.A.surgeryDate, 20), sinkGrade: 2 })
        .expect(201);
      for (const dataset of ['follow-ups', 'complications']) {
        for (const identified of [false, true]) {
          const { text } = await exportText(dataset, 'csv', identified ? admin : staff.token, {
            ...(identified ? { identified: 'true' } : {}),
          });
          expect(parseCsv(text).length).toBeGreaterThan(0);
          const readers = dictionary.readers[dataset][identified ? 'identified' : 'deidentified'];
          const dir = mkdtempSync(join(tmpdir(), 'ilr-r-'));
          try {
            writeFileSync(join(dir, readers.fileName), text);
            writeFileSync(join(dir, 'reader.R'), `${readers.snippets.r}\n`);
            const variable = dataset.replace('-', '_');
            const run = spawnSync(
              'Rscript',
              [join(process.cwd(), 'test/r/read-export.R'), readers.fileName, 'reader.R', variable],
              { cwd: dir, encoding: 'utf8' },
            );
            expect({ dataset, status: run.status, stderr: run.stderr }).toEqual({
              dataset,
              status: 0,
              stderr: expect.any(String),
            });
            const typed = run.stdout
              .trim()
              .split('\n')
              .map((line) => line.split('\t'))
              .filter(([reader]) => reader === 'typed')
              .map(([, name, klass]) => [name, klass]);
            expect(typed).toEqual(Object.entries(readers.colClasses));
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        }
      }
    });
  });

  describe('code lists', () => {
    it('writes none where the list was recorded empty, an empty cell where it was not recorded, and keeps [] and null in NDJSON', async () => {
      const csv = parseCsv((await exportText('cases', 'csv', staff.token)).text);
      const ndjson = (await exportText('cases', 'ndjson', staff.token)).text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const b = csv.find((r) => r.windowClosed_3m === 'FALSE')!;
      expect(b).toMatchObject({
        impingementProcedures: 'none',
        conservativeTreatment: 'none',
        intraoperativeEvents: '',
      });
      const bJson = ndjson.find((r) => r.exportId === b.exportId);
      expect(bJson).toMatchObject({
        impingementProcedures: [],
        conservativeTreatment: [],
        intraoperativeEvents: null,
        impingementRepair: false,
      });
      expect(typeof bJson.windowClosed_6w).toBe('boolean');
    });
  });

  describe('follow-up windows at the export date', () => {
    it('says per case and timepoint whether the window had closed at the export date, which the header, manifest and dictionary give', async () => {
      const { text, headers } = await exportText('cases', 'csv', staff.token);
      const exportDate = headers['export-date'];
      expect(exportDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Math.abs(daysBetween(today, exportDate))).toBeLessThanOrEqual(1);
      const manifest = await syncManifest(text);
      expect(manifest.exportDate).toBe(exportDate);
      const dictionary = (await t.http().get('/api/v1/exports/dictionary').set(as(staff.token)).expect(200)).body;
      expect(dictionary.exportDate).toBe(exportDate);

      const rows = parseCsv(text);
      const ndjson = (await exportText('cases', 'ndjson', staff.token)).text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      for (const key of ['A', 'B']) {
        const elapsed = daysBetween(cases[key].surgeryDate, exportDate);
        const expected = Object.fromEntries(
          TIMEPOINT_WINDOWS.map((w) => [`windowClosed_${w.code}`, elapsed > w.to ? 'TRUE' : 'FALSE']),
        );
        const row = rows.find((r) => r.windowClosed_6m === (key === 'A' ? 'TRUE' : 'FALSE'))!;
        expect(row).toMatchObject(expected);
        const json = ndjson.find((r) => r.exportId === row.exportId);
        for (const w of TIMEPOINT_WINDOWS) expect(json[`windowClosed_${w.code}`]).toBe(elapsed > w.to);
      }
      // A (day 400): 6m closed, 1y open; its missed 3m visit shows as closed with no visit day.
      const a = rows.find((r) => r.windowClosed_6m === 'TRUE')!;
      expect(a).toMatchObject({
        windowClosed_3m: 'TRUE',
        visitDay_3m: '',
        windowClosed_1y: 'FALSE',
        visitDay_1y: '365',
      });
      // No exact date anywhere in the de-identified file (the export date is not in it either).
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
      const column = dictionary.datasets.cases.find((c: Body) => c.name === 'windowClosed_1y');
      expect(column).toMatchObject({ type: 'boolean', deidentification: 'window_status', inDeidentifiedExports: true });
      expect(dictionary.deidentification.window_status).toMatch(/never a date/);
    });
  });

  describe('what an export leaves out', () => {
    const expectedExclusions = { case_deleted: 2, consent_declined: 1, consent_withdrawn: 1 };
    const byReason = (exclusions: Body) => Object.fromEntries(exclusions.reasons.map((r: Body) => [r.reason, r.cases]));

    it('states in the manifest of a streamed export how many cases were left out and why, with its filters', async () => {
      for (const dataset of ['cases', 'follow-ups', 'complications']) {
        const { text } = await exportText(dataset, 'csv', staff.token);
        const manifest = await syncManifest(text);
        expect(byReason(manifest.exclusions)).toEqual(expectedExclusions);
        expect(manifest.exclusions.cases).toBe(4);
        for (const reason of manifest.exclusions.reasons) expect(reason.description).toEqual(expect.any(String));
      }
      // With a filter, only the cases it selects are counted: C (800 days ago) falls outside, and so does A.
      const { text } = await exportText('cases', 'ndjson', staff.token, { from: addDays(today, -350) });
      const manifest = await syncManifest(text);
      expect(manifest.rows).toBe(1);
      expect(byReason(manifest.exclusions)).toEqual({ ...expectedExclusions, consent_withdrawn: 0 });
      expect(manifest.readers).toBeNull();
      expect(manifest.conventions.booleans).toMatch(/true/);
    });

    it('states it in the manifest of an export job, with the export date and the typed readers of its file', async () => {
      const created = await t
        .http()
        .post('/api/v1/exports')
        .set(as(staff.token))
        .send({ dataset: 'cases', format: 'csv' })
        .expect(202);
      let job: Body = created.body;
      for (let i = 0; i < 100 && job.status !== 'done' && job.status !== 'failed'; i++) {
        await sleep(100);
        job = (await t.http().get(`/api/v1/exports/${job.id}`).set(as(staff.token)).expect(200)).body;
      }
      expect(job.status).toBe('done');
      const manifest = JSON.parse(
        readFileSync(join(t.config.exports.dir, 'manifests', `${job.id}.manifest.json`), 'utf8'),
      );
      expect(byReason(manifest.exclusions)).toEqual(expectedExclusions);
      expect(manifest.exportDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const file = await t
        .http()
        .get(`/api/v1/exports/${job.id}/file`)
        .set(as(staff.token))
        .buffer(true)
        .parse(asText)
        .expect(200);
      expect(Object.keys(manifest.readers.colClasses)).toEqual(header(file.body as string));
      expect(manifest.readers.fileName).toBe(manifest.file);
      expect(manifest.readers.snippets.r).toContain(manifest.file);
    });

    it('states it in the dictionary for the whole registry', async () => {
      const dictionary = (await t.http().get('/api/v1/exports/dictionary').set(as(staff.token)).expect(200)).body;
      expect(byReason(dictionary.exclusions)).toEqual(expectedExclusions);
      expect(dictionary.exclusions.rule).toMatch(/consent 'given'/);
    });
  });

  describe('OpenAPI', () => {
    it('documents the dictionary, the manifest and the Export-Date header with the fields they carry', async () => {
      const doc = (await t.http().get('/api/docs-json').expect(200)).body;
      const schemas = doc.components.schemas;
      const props = (name: string) => Object.keys(schemas[name].properties).sort();
      const dictionary = (await t.http().get('/api/v1/exports/dictionary').set(as(staff.token)).expect(200)).body;
      expect(props('DataDictionaryResponse')).toEqual(Object.keys(dictionary).sort());
      expect(props('RegistryRules')).toEqual(Object.keys(dictionary.rules).sort());
      expect(props('EventRules')).toEqual(Object.keys(dictionary.rules.events).sort());
      expect(props('ExportExclusions')).toEqual(Object.keys(dictionary.exclusions).sort());
      expect(props('DictionaryColumn')).toEqual(Object.keys(dictionary.datasets.cases[0]).sort());
      expect(props('CsvReaders')).toEqual(Object.keys(dictionary.readers.cases.deidentified).sort());
      expect(props('DeidentificationRules')).toEqual(Object.keys(dictionary.deidentification).sort());
      const dictionaryOp = doc.paths['/api/v1/exports/dictionary'].get.responses['200'];
      expect(JSON.stringify(dictionaryOp)).toContain('#/components/schemas/DataDictionaryResponse');
      const { text } = await exportText('cases', 'csv', staff.token);
      const manifest = await syncManifest(text);
      expect(Object.keys(manifest).filter((k) => !props('ExportManifest').includes(k))).toEqual([]);
      for (const path of ['/api/v1/exports/cases', '/api/v1/exports/follow-ups', '/api/v1/exports/complications'])
        expect(doc.paths[path].get.responses['200'].headers['Export-Date']).toBeDefined();
    });
  });

  describe('registry rules in the dictionary', () => {
    let rules: Body;
    beforeAll(async () => {
      rules = (await t.http().get('/api/v1/exports/dictionary').set(as(staff.token)).expect(200)).body.rules;
    });

    it('carries the timepoint windows with their target days and the PROM minimum-answered rules', () => {
      expect(rules.timepoints.windows).toEqual(
        TIMEPOINT_WINDOWS.map((w) => ({ timepoint: w.code, fromDay: w.from, toDay: w.to, targetDay: w.target })),
      );
      expect(rules.timepoints.windows.find((w: Body) => w.timepoint === '1y')).toEqual({
        timepoint: '1y',
        fromDay: 270,
        toDay: 545,
        targetDay: 365,
      });
      expect(rules.proms.instruments.map((i: Body) => [i.instrument, i.items, i.minAnswered])).toEqual(
        Object.entries(ITEM_RULES).map(([instrument, r]) => [instrument, r.items, r.minAnswered]),
      );
      expect(rules.proms.instruments.find((i: Body) => i.instrument === 'ihot12')).toMatchObject({
        items: 12,
        minAnswered: 10,
      });
    });

    it('carries the MCID/PASS thresholds with their source, the same as the reference data the reports use', async () => {
      const reference = (await t.http().get('/api/v1/reference/prom-thresholds').set(as(staff.token)).expect(200)).body;
      const key = (r: Body) => `${r.instrument}:${r.timepoint}`;
      const stored = new Map(reference.items.map((r: Body) => [key(r), [r.mcid, r.pass]]));
      expect(rules.thresholds.items.length).toBe(reference.items.length);
      for (const item of rules.thresholds.items) {
        expect([key(item), stored.get(key(item))]).toEqual([key(item), [item.mcid, item.pass]]);
        expect(item.source).toBe(PROM_THRESHOLD_SOURCE);
      }
      expect(rules.thresholds.source).toMatch(/10\.1177\/0363546520902736/);
    });

    it('carries the censoring rule, what lastContactDay counts and that conversionDay is the reoperation date', async () => {
      expect(rules.events.censoring).toMatch(/censored at lastContactDay/);
      expect(rules.events.lastContactDay).toMatch(/resolution and reoperation dates/);
      expect(rules.events.conversionDay).toMatch(/reoperation date/);
      const columns = (await t.http().get('/api/v1/exports/dictionary').set(as(staff.token)).expect(200)).body.datasets
        .cases;
      const names = new Set(columns.map((c: Body) => c.name));
      for (const e of rules.events.endpoints) expect(names.has(e.column)).toBe(true);
      expect(rules.events.horizons.map((h: Body) => [h.outcome, h.column, h.horizonDay])).toEqual([
        ['complication_90d', 'firstComplicationDay', 90],
        ['recurrence_1y', 'recurrenceDay', 365],
        ['reoperation_1y', 'reoperationDay', 365],
      ]);
      expect(columns.find((c: Body) => c.name === 'lastContactDay').description).toMatch(/resolution or reoperation/);
      expect(columns.find((c: Body) => c.name === 'conversionDay').description).toMatch(/reoperation date/);
    });
  });
});
