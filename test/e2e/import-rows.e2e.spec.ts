import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/app.js';
import type { TestUser } from '../support/factories.js';
import { identifiedExport, importErrors, postImport, runImport } from '../support/imports.js';
import {
  caseTemplate,
  countRows,
  csvOf,
  newCaseRow,
  registryCounts,
  type Row,
  rowsOf,
  templateHeader,
} from '../support/import-files.js';
import { waitFor } from '../support/wait.js';

// Row-level behaviour of POST /api/v1/imports over real HTTP: what each kind of bad row is reported as
// (line, column, code), what each mode writes, re-imports, the audit trail, encodings, templates, roles.
describe('import rows (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let surgeon: TestUser;
  let staff: TestUser;
  // The identified export's header, and one case of it (created through the API) as a row template.
  let header: string[];
  let template: Row;
  let templateCaseId: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.factories.admin();
    surgeon = await t.factories.newSurgeon();
    staff = await t.factories.newUser({ role: 'registry_staff' });
    ({ header, row: template, caseId: templateCaseId } = await caseTemplate(t, admin, surgeon.token));
  });
  afterAll(async () => {
    await t?.close();
  });

  const errorsOf = (id: string) => importErrors(t, staff.token, id);
  // The report's rows by line (the report lists a batch's cell errors before its look-up and rule errors).
  const byLine = (errors: Array<Record<string, any>>) =>
    errors
      .map(({ line, column, code }) => ({ line, column, code }))
      .sort((a, b) => a.line - b.line || String(a.column).localeCompare(String(b.column)));
  const lineColumns = (errors: Array<Record<string, any>>) =>
    errors.map((e) => [e.line, e.column]).sort((a, b) => a[0] - b[0] || String(a[1]).localeCompare(String(b[1])));

  it('reports each kind of bad row with its physical line and column', async () => {
    const rows: Row[] = [
      // Line 2, spanning lines 2–3 (a quoted newline): valid.
      newCaseRow(template, { notes: 'first line\nsecond line' }),
      newCaseRow(template, { side: 'middle' }), // 4
      newCaseRow(template, { positioning: 'Supine' }), // 5: a label for a code
      newCaseRow(template, { releaseLocation: 'At the lesser trochanter', capsularLevel: '', side: 'Left' }), // 6
      newCaseRow(template, { tractionMinutes: '' }), // 7
      newCaseRow(template, { tractionMinutes: '500' }), // 8
      newCaseRow(template, { releaseLocation: 'lesser_trochanter', capsularLevel: 'peripheral_compartment' }), // 9
      newCaseRow(template, { operativeMinutes: '30' }), // 10: less than tractionMinutes (42)
      newCaseRow(template, { surgeryDate: '2025-02-30' }), // 11
      newCaseRow(template, { symptomDurationMonths: 'eighteen' }), // 12
      newCaseRow(template, { surgeonEmail: 'nobody.known@test.ilr' }), // 13
    ];
    const job = await runImport(t, staff.token, 'cases', csvOf(header, rows), { mode: 'validate' });
    expect(job).toMatchObject({ status: 'validated', rowsRead: 11, accepted: 3, created: 3, rejected: 8 });
    const errors = await errorsOf(job.id);
    expect(lineColumns(errors)).toEqual([
      [4, 'side'],
      [7, 'tractionMinutes'],
      [8, 'tractionMinutes'],
      [9, 'capsularLevel'],
      [10, 'operativeMinutes'],
      [11, 'surgeryDate'],
      [12, 'symptomDurationMonths'],
      [13, 'surgeonEmail'],
    ]);
    const codeAt = new Map(errors.map((e) => [e.line, e.code]));
    expect(Object.fromEntries(codeAt)).toMatchObject({
      4: 'invalid_code',
      7: 'required',
      8: 'out_of_range',
      9: 'not_allowed',
      10: 'less_than_traction',
      11: 'invalid_format',
      12: 'invalid_type',
      13: 'not_a_surgeon',
    });
    expect(job.errorCount).toBe(errors.length);
    // Each message names its column, and never a cell's value (no MRN, no birth date, none of the bad values).
    const secrets = [
      ...rows.map((r) => r.mrn),
      template.birthDate,
      'middle',
      '500',
      '2025-02-30',
      'eighteen',
      'nobody.known',
    ];
    for (const error of errors) {
      expect(error.message).toContain(error.column);
      for (const secret of secrets) expect(error.message).not.toContain(secret);
    }
  });

  it('counts a line break inside a quoted cell as the physical line break it is (CRLF too)', async () => {
    const rows: Row[] = [
      newCaseRow(template, { notes: 'first line\r\nsecond line\r\nthird line' }), // lines 2–4
      newCaseRow(template, { side: 'middle' }), // 5
      newCaseRow(template, { notes: 'one\ntwo' }), // 6–7
      newCaseRow(template, { tractionMinutes: '500' }), // 8
    ];
    const file = csvOf(header, rows);
    // The file's physical lines (a CRLF or an LF ends each): the bad rows are lines 5 and 8.
    const physical = file.split(/\r\n|\n/);
    expect([physical[4].includes(',middle,'), physical[7].includes(',500,')]).toEqual([true, true]);
    const job = await runImport(t, staff.token, 'cases', file, { mode: 'validate' });
    expect(lineColumns(await errorsOf(job.id))).toEqual([
      [5, 'side'],
      [8, 'tractionMinutes'],
    ]);
  });

  it('takes a code given as its label or its words (Lesser trochanter, Supine)', async () => {
    const rows = [
      newCaseRow(template, { releaseLocation: 'Lesser trochanter', capsularLevel: '', positioning: 'Supine' }),
      newCaseRow(template, { releaseLocation: 'at the LESSER trochanter', capsularLevel: '', positioning: 'lateral' }),
      newCaseRow(template, { capsularLevel: 'Peripheral compartment', anesthesia: 'General and regional' }),
    ];
    const job = await runImport(t, staff.token, 'cases', csvOf(header, rows), { mode: 'commit' });
    expect({ job, errors: await errorsOf(job.id) }).toMatchObject({
      job: { status: 'committed', created: 3, rejected: 0 },
      errors: [],
    });
    const stored = await t.dataSource.query(
      `SELECT c.release_location, c.release_capsular_level, c.positioning, c.anesthesia, a.details->>'line' AS line
       FROM cases c JOIN audit_events a ON a.entity_id = c.id AND a.entity_type = 'case' AND a.action = 'create'
       WHERE a.details->>'importId' = $1 ORDER BY 5`,
      [job.id],
    );
    expect(stored).toEqual([
      {
        release_location: 'lesser_trochanter',
        release_capsular_level: null,
        positioning: 'supine',
        anesthesia: template.anesthesia,
        line: '2',
      },
      {
        release_location: 'lesser_trochanter',
        release_capsular_level: null,
        positioning: 'lateral',
        anesthesia: template.anesthesia,
        line: '3',
      },
      {
        release_location: 'capsular',
        release_capsular_level: 'peripheral_compartment',
        positioning: template.positioning,
        anesthesia: 'general_and_regional',
        line: '4',
      },
    ]);
  });

  it('writes nothing when validating (only the import is audited)', async () => {
    const before = await registryCounts(t);
    const [{ last }] = await t.dataSource.query('SELECT max(id) AS last FROM audit_events');
    const rows = [newCaseRow(template), newCaseRow(template), newCaseRow(template, { side: 'middle' })];
    const job = await runImport(t, staff.token, 'cases', csvOf(header, rows), { mode: 'validate' });
    expect(job).toMatchObject({ status: 'validated', rowsRead: 3, created: 2, rejected: 1 });
    const after = await registryCounts(t);
    expect(after).toEqual({ ...before, audit_events: before.audit_events + 1 });
    const events = await t.dataSource.query('SELECT action, entity_type, entity_id FROM audit_events WHERE id > $1', [
      last,
    ]);
    expect(events).toEqual([{ action: 'import', entity_type: 'import', entity_id: job.id }]);
  });

  it('names a case of a follow-up by registry code or by MRN, side and surgery date', async () => {
    const visitHeader = await templateHeader(t, staff.token, 'follow-ups');
    const visit = { visitDate: '2025-06-20', contactMode: 'Clinic', snapping: 'none' };
    const byKey = { mrn: template.mrn, side: template.side, surgeryDate: template.surgeryDate };
    const rows: Row[] = [
      { ...visit, registryCode: 'ILR-999999' }, // 2: names no case
      { ...visit, ...byKey }, // 3: the template's case
      { ...visit, ...byKey, side: template.side === 'left' ? 'right' : 'left' }, // 4: no such case
      { ...visit, registryCode: template.registryCode, visitDate: '2025-09-20' }, // 5
      { ...visit }, // 6: names no case at all
    ];
    const job = await runImport(t, staff.token, 'follow-ups', csvOf(visitHeader, rows), {
      mode: 'commit',
      onError: 'skip_invalid',
    });
    expect(job).toMatchObject({ status: 'committed', rowsRead: 5, created: 2, rejected: 3 });
    const errors = await errorsOf(job.id);
    expect(byLine(errors)).toEqual([
      { line: 2, column: 'registryCode', code: 'case_not_found' },
      { line: 4, column: 'mrn', code: 'case_not_found' },
      { line: 6, column: 'registryCode', code: 'required' },
    ]);
    for (const error of errors) expect(error.message).not.toContain(template.mrn);
    expect(await countRows(t, 'follow_ups', 'case_id = $1', [templateCaseId])).toBe(2);
  });

  it('checks complication rows by the clinical rules (a Brooker grade without heterotopic ossification)', async () => {
    const complicationHeader = await templateHeader(t, staff.token, 'complications');
    const base = { registryCode: template.registryCode, onsetDate: '2025-05-02', sinkGrade: '1' };
    const rows: Row[] = [
      { ...base, type: 'persistent_groin_pain', brookerGrade: '2' }, // 2
      { ...base, type: 'heterotopic_ossification' }, // 3
      { ...base, type: 'heterotopic_ossification', brookerGrade: '2', sinkGrade: 'two' }, // 4
      { ...base, type: 'heterotopic_ossification', brookerGrade: '2' }, // 5: valid
    ];
    const job = await runImport(t, staff.token, 'complications', csvOf(complicationHeader, rows), {
      mode: 'validate',
    });
    expect(job).toMatchObject({ status: 'validated', rowsRead: 4, created: 1, rejected: 3 });
    const errors = await errorsOf(job.id);
    expect(byLine(errors)).toEqual([
      { line: 2, column: 'brookerGrade', code: 'not_allowed' },
      { line: 3, column: 'brookerGrade', code: 'required' },
      { line: 4, column: 'sinkGrade', code: 'invalid_type' },
    ]);
  });

  it('writes nothing with reject_all when one row of 1,000 is bad', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => newCaseRow(template, i === 612 ? { side: 'middle' } : {}));
    const before = await registryCounts(t);
    const job = await runImport(t, staff.token, 'cases', csvOf(header, rows), { mode: 'commit' });
    expect(job).toMatchObject({
      status: 'rejected',
      onError: 'reject_all',
      rowsRead: 1000,
      created: 0,
      rejected: 1,
      errorCount: 1,
    });
    expect(lineColumns(await errorsOf(job.id))).toEqual([[614, 'side']]);
    const after = await registryCounts(t);
    expect(after).toEqual({ ...before, audit_events: before.audit_events + 1 });
  }, 90_000);

  it('writes the valid rows with skip_invalid and reports the rest', async () => {
    const before = await countRows(t, 'cases');
    const rows = [
      newCaseRow(template),
      newCaseRow(template, { tractionMinutes: '500' }),
      newCaseRow(template),
      newCaseRow(template, { releaseLocation: 'nowhere' }),
    ];
    const job = await runImport(t, staff.token, 'cases', csvOf(header, rows), {
      mode: 'commit',
      onError: 'skip_invalid',
    });
    expect(job).toMatchObject({ status: 'committed', rowsRead: 4, accepted: 2, created: 2, rejected: 2 });
    expect(await countRows(t, 'cases')).toBe(before + 2);
    const errors = await errorsOf(job.id);
    expect(lineColumns(errors)).toEqual([
      [3, 'tractionMinutes'],
      [5, 'releaseLocation'],
    ]);
    expect(job.errorCount).toBe(2);
  });

  it('gives the error report as a CSV download', async () => {
    const rows = [newCaseRow(template, { tractionMinutes: '500' }), newCaseRow(template, { side: 'middle' })];
    const job = await runImport(t, staff.token, 'cases', csvOf(header, rows), { mode: 'validate' });
    const errors = await errorsOf(job.id);
    expect(errors).toHaveLength(2);
    const csv = await t
      .http()
      .get(`/api/v1/imports/${job.id}/errors?format=csv`)
      .set('Authorization', `Bearer ${staff.token}`)
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const report = rowsOf(csv.text);
    expect(report.header).toEqual(['line', 'column', 'code', 'message']);
    expect(report.rows).toEqual(errors.map((e) => ({ ...e, line: String(e.line) })));
  });

  it('tells a case named twice in one file (unchanged) from one named again with other values (a conflict), when only checking', async () => {
    const row = newCaseRow(template);
    const file = csvOf(header, [row, row, { ...row, operativeMinutes: '120' }]);
    const job = await runImport(t, staff.token, 'cases', file, { mode: 'validate' });
    expect(job).toMatchObject({ status: 'validated', rowsRead: 3, created: 1, unchanged: 1, conflicts: 1 });
    const errors = await errorsOf(job.id);
    expect(byLine(errors)).toEqual([{ line: 4, column: null, code: 'conflict' }]);
    expect(errors[0].message).toContain('line 2');
  });

  it('creates nothing on a re-import, and reports a changed row as a conflict without applying it', async () => {
    const rows = [newCaseRow(template), newCaseRow(template), newCaseRow(template)];
    const file = csvOf(header, rows);
    const first = await runImport(t, staff.token, 'cases', file, { mode: 'commit' });
    expect(first).toMatchObject({ status: 'committed', created: 3 });
    const cases = await countRows(t, 'cases');

    const again = await runImport(t, staff.token, 'cases', file, { mode: 'commit' });
    expect(again).toMatchObject({
      status: 'committed',
      rowsRead: 3,
      created: 0,
      unchanged: 3,
      accepted: 3,
      rejected: 0,
    });
    expect(await countRows(t, 'cases')).toBe(cases);

    const changed = csvOf(header, [rows[0], { ...rows[1], operativeMinutes: '120' }, rows[2]]);
    for (const onError of ['skip_invalid', 'reject_all'] as const) {
      const job = await runImport(t, staff.token, 'cases', changed, { mode: 'commit', onError });
      expect(job).toMatchObject({
        status: onError === 'skip_invalid' ? 'committed' : 'rejected',
        created: 0,
        unchanged: 2,
        conflicts: 1,
        rejected: 1,
      });
      const errors = await errorsOf(job.id);
      expect(byLine(errors)).toEqual([{ line: 3, column: 'operativeMinutes', code: 'conflict' }]);
      expect(errors[0].message).not.toContain(rows[1].mrn);
    }
    // The stored case keeps its value.
    const stored = await t.dataSource.query(
      `SELECT c.operative_minutes FROM cases c JOIN audit_events a ON a.entity_id = c.id
       WHERE a.entity_type = 'case' AND a.action = 'create' AND a.details->>'importId' = $1 AND a.details->>'line' = '3'`,
      [first.id],
    );
    expect(stored).toEqual([{ operative_minutes: Number(template.operativeMinutes) }]);
    expect(await countRows(t, 'cases')).toBe(cases);
  });

  it('audits the import as one event with the file checksum and counts, and names it on each record created', async () => {
    const file = Buffer.from(csvOf(header, [newCaseRow(template), newCaseRow(template, { side: 'middle' })]), 'utf8');
    const job = await runImport(t, staff.token, 'cases', file, { mode: 'commit', onError: 'skip_invalid' });
    const sha256 = createHash('sha256').update(file).digest('hex');
    expect(job).toMatchObject({ status: 'committed', created: 1, rejected: 1, sha256, bytes: file.length });
    const events = await t.dataSource.query(
      `SELECT action, actor_id, details FROM audit_events WHERE entity_type = 'import' AND entity_id = $1`,
      [job.id],
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'import',
      actor_id: staff.id,
      details: {
        sha256,
        status: 'committed',
        dataset: 'cases',
        rowsRead: 2,
        created: 1,
        rejected: 1,
        accepted: 1,
        unchanged: 0,
        conflicts: 0,
      },
    });
    const created = await t.dataSource.query(
      `SELECT action, entity_type, entity_id, actor_id, details->>'line' AS line FROM audit_events
       WHERE details->>'importId' = $1 ORDER BY entity_type`,
      [job.id],
    );
    expect(created.map((e: Record<string, unknown>) => [e.action, e.entity_type, e.line, e.actor_id])).toEqual([
      ['create', 'case', '2', staff.id],
      ['create', 'patient', '2', staff.id],
    ]);
    const caseId = created[0].entity_id;
    expect(await countRows(t, 'cases', 'id = $1', [caseId])).toBe(1);
  });

  it('takes a multipart upload like a text/csv body', async () => {
    const row = newCaseRow(template, { notes: 'multipart upload' });
    const response = await t
      .http()
      .post('/api/v1/imports?dataset=cases&mode=commit')
      .set('Authorization', `Bearer ${staff.token}`)
      .attach('file', Buffer.from(csvOf(header, [row]), 'utf8'), 'cases.csv')
      .expect(202);
    expect(response.headers.location).toBe(`/api/v1/imports/${response.body.id}`);
    const job = await waitFor(
      async () =>
        (await t.http().get(`/api/v1/imports/${response.body.id}`).set('Authorization', `Bearer ${staff.token}`)).body,
      (body) => body.status !== 'running',
    );
    expect(job).toMatchObject({ status: 'committed', fileName: 'cases.csv', created: 1, rejected: 0 });
    expect(await countRows(t, 'cases', "notes = 'multipart upload'")).toBe(1);
  });

  it('reads a Latin-1 file and a UTF-8 file with a BOM with the right text', async () => {
    const latin = newCaseRow(template, { notes: 'Latin-1 café, élan' });
    const latinFile = Buffer.from(csvOf(header, [latin]), 'latin1');
    expect(latinFile.includes(Buffer.from('é', 'utf8'))).toBe(false);
    const first = await runImport(t, staff.token, 'cases', latinFile, { mode: 'commit' });
    expect(first).toMatchObject({ status: 'committed', created: 1, rejected: 0 });
    expect(await countRows(t, 'cases', 'notes = $1', ['Latin-1 café, élan'])).toBe(1);

    const bom = newCaseRow(template, { notes: 'BOM crème brûlée' });
    const bomFile = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csvOf(header, [bom]), 'utf8')]);
    const response = await t
      .http()
      .post('/api/v1/imports?dataset=cases&mode=commit')
      .set('Authorization', `Bearer ${staff.token}`)
      .attach('file', bomFile, 'bom.csv')
      .expect(202);
    const second = await waitFor(
      async () =>
        (await t.http().get(`/api/v1/imports/${response.body.id}`).set('Authorization', `Bearer ${staff.token}`)).body,
      (body) => body.status !== 'running',
    );
    expect(second).toMatchObject({ status: 'committed', created: 1, rejected: 0 });
    expect(await countRows(t, 'cases', 'notes = $1', ['BOM crème brûlée'])).toBe(1);
  });

  it("gives each dataset's template: the header of the non-derived columns, and every column with its use", async () => {
    const extra: Record<string, string[]> = {
      cases: ['consent', 'deceasedDate'],
      'follow-ups': ['mrn', 'side', 'surgeryDate'],
      complications: ['mrn', 'side', 'surgeryDate'],
    };
    for (const dataset of ['cases', 'follow-ups', 'complications']) {
      const columnsResponse = await t
        .http()
        .get(`/api/v1/imports/template?dataset=${dataset}&file=columns`)
        .set('Authorization', `Bearer ${staff.token}`)
        .expect(200);
      expect(columnsResponse.headers['content-type']).toMatch(/^text\/csv/);
      const columns = rowsOf(columnsResponse.text);
      expect(columns.header).toEqual(['column', 'use', 'type', 'codes', 'description']);
      const exported = rowsOf(await identifiedExport(t, admin, dataset)).header;
      const names = columns.rows.map((c) => c.column);
      expect(new Set(names)).toEqual(new Set([...exported, ...extra[dataset]]));
      expect(names).toHaveLength(new Set(names).size);
      for (const column of columns.rows) {
        expect({ column: column.column, use: ['required', 'optional', 'key', 'derived'].includes(column.use) }).toEqual(
          {
            column: column.column,
            use: true,
          },
        );
      }
      const headerNames = await templateHeader(t, staff.token, dataset);
      expect(headerNames).toEqual(columns.rows.filter((c) => c.use !== 'derived').map((c) => c.column));
    }
    const caseColumns = rowsOf(
      (
        await t
          .http()
          .get('/api/v1/imports/template?dataset=cases&file=columns')
          .set('Authorization', `Bearer ${staff.token}`)
      ).text,
    ).rows;
    const use = Object.fromEntries(caseColumns.map((c) => [c.column, c.use]));
    expect(use).toMatchObject({ exportId: 'derived', bmi: 'derived', mrn: 'required', registryCode: 'key' });
    expect(caseColumns.find((c) => c.column === 'releaseLocation')?.codes).toContain('lesser_trochanter = ');
  });

  it('lets registry staff and admins import: surgeons and reviewers 403, another staff member 404, anonymous 401', async () => {
    const reviewer = await t.factories.newUser({ role: 'quality_reviewer' });
    const otherStaff = await t.factories.newUser({ role: 'registry_staff' });
    const file = csvOf(header, [newCaseRow(template)]);
    const job = await runImport(t, staff.token, 'cases', file);
    expect(job.status).toBe('validated');

    for (const user of [surgeon, reviewer]) {
      const posted = await postImport(t, user.token, 'cases', file);
      expect({ role: user.role, status: posted.status }).toEqual({ role: user.role, status: 403 });
      for (const path of [`/api/v1/imports/${job.id}`, '/api/v1/imports', `/api/v1/imports/${job.id}/errors`]) {
        const read = await t.http().get(path).set('Authorization', `Bearer ${user.token}`);
        expect({ role: user.role, path, status: read.status }).toEqual({ role: user.role, path, status: 403 });
      }
    }

    for (const path of [`/api/v1/imports/${job.id}`, `/api/v1/imports/${job.id}/errors`])
      await t.http().get(path).set('Authorization', `Bearer ${otherStaff.token}`).expect(404);
    const theirs = await t.http().get('/api/v1/imports').set('Authorization', `Bearer ${otherStaff.token}`).expect(200);
    expect(theirs.body.items).toEqual([]);

    const seen = await t.http().get(`/api/v1/imports/${job.id}`).set('Authorization', `Bearer ${admin}`).expect(200);
    expect(seen.body).toMatchObject({ id: job.id, createdBy: { id: staff.id } });
    const all = await t.http().get('/api/v1/imports?limit=100').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(all.body.items.map((j: { id: string }) => j.id)).toContain(job.id);
    const own = await t
      .http()
      .get('/api/v1/imports?limit=100')
      .set('Authorization', `Bearer ${staff.token}`)
      .expect(200);
    expect(own.body.items.map((j: { id: string }) => j.id)).toContain(job.id);

    await t.http().post('/api/v1/imports?dataset=cases').set('Content-Type', 'text/csv').send(file).expect(401);
    await t.http().get(`/api/v1/imports/${job.id}`).expect(401);
    await t.http().get('/api/v1/imports').expect(401);
  });
});
