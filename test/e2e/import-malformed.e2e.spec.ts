import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { startTestApp, type TestApp } from '../support/app.js';
import type { TestUser } from '../support/factories.js';
import { postImport, runImport } from '../support/imports.js';
import { caseTemplate, countRows, csvOf, newCaseRow, type Row } from '../support/import-files.js';

// A malformed file is refused whole before any row is read: 400 problem+json naming the problem and
// the line, no import job, nothing written — never a 500.
describe('malformed import files (e2e)', () => {
  let t: TestApp;
  let staff: TestUser;
  let header: string[];
  let template: Row;

  beforeAll(async () => {
    t = await startTestApp();
    const admin = await t.factories.admin();
    const surgeon = await t.factories.newSurgeon();
    staff = await t.factories.newUser({ role: 'registry_staff' });
    ({ header, row: template } = await caseTemplate(t, admin, surgeon.token));
  });
  afterAll(async () => {
    await t?.close();
  });

  const stored = () => {
    try {
      return readdirSync(t.config.imports.dir);
    } catch {
      return [];
    }
  };

  // Uploads `file` and expects the problem; checks that nothing was written.
  async function refused(
    file: string | Buffer,
    expected: { problem: string; line: number | null; columns?: string[] },
    dataset = 'cases',
  ) {
    const before = { jobs: await countRows(t, 'import_jobs'), cases: await countRows(t, 'cases'), files: stored() };
    const response = await postImport(t, staff.token, dataset, file, { mode: 'commit', onError: 'skip_invalid' });
    expect({ status: response.status, type: response.headers['content-type'] }).toEqual({
      status: 400,
      type: expect.stringMatching(/^application\/problem\+json/),
    });
    expect(response.body).toMatchObject({ status: 400, title: 'Malformed file', code: 'malformed_file', ...expected });
    expect(response.body.detail).toEqual(expect.any(String));
    if (expected.line !== null) expect(response.body.detail).toContain(`Line ${expected.line}`);
    expect({ jobs: await countRows(t, 'import_jobs'), cases: await countRows(t, 'cases'), files: stored() }).toEqual(
      before,
    );
    return response.body as Record<string, any>;
  }

  const lines = (...rows: string[]) => rows.join('\r\n') + '\r\n';
  const valid = () => csvOf([...header], [newCaseRow(template)]).split('\r\n')[1];

  it('refuses a quoted cell that is never closed, naming the line it opens on', async () => {
    const file = lines(header.join(','), valid(), valid().replace(/,[^,]*$/, ',"never closed'), valid(), valid());
    const body = await refused(file, { problem: 'bad_quoting', line: 3 });
    expect(body.detail).toMatch(/quote/);
  });

  it('refuses a stray quote inside an unquoted cell', async () => {
    const notes = header.indexOf('notes');
    const cells = valid().split(',');
    // The template's notes hold no comma or quote: its cell is a plain one.
    cells[notes] = 'five " inches';
    await refused(lines(header.join(','), valid(), cells.join(','), valid()), { problem: 'bad_quoting', line: 3 });
  });

  it('refuses a binary file (a PNG, with NUL bytes)', async () => {
    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
      0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89,
    ]);
    await refused(png, { problem: 'binary', line: null });
  });

  it('refuses a header without required columns, and names them', async () => {
    const without = header.filter((name) => name !== 'mrn' && name !== 'tractionMinutes');
    const body = await refused(csvOf(without, [newCaseRow(template)]), {
      problem: 'missing_columns',
      line: 1,
      columns: ['mrn', 'tractionMinutes'],
    });
    expect(body.detail).toContain('mrn');
  });

  it("refuses a visit file that cannot name a visit's case", async () => {
    const file = lines('visitDate,contactMode', '2025-06-01,clinic');
    await refused(file, { problem: 'missing_columns', line: 1, columns: ['registryCode'] }, 'follow-ups');
  });

  it('refuses unknown columns, and names them', async () => {
    const body = await refused(csvOf([...header, 'favouriteColour'], [newCaseRow(template)]), {
      problem: 'unknown_columns',
      line: 1,
      columns: ['favouriteColour'],
    });
    expect(body.detail).toContain('favouriteColour');
  });

  it('refuses a header that names a column twice', async () => {
    await refused(lines([...header, 'notes'].join(','), valid() + ',again'), {
      problem: 'duplicate_headers',
      line: 1,
      columns: ['notes'],
    });
  });

  it('refuses a 10 MB cell', async () => {
    const big = newCaseRow(template, { notes: 'x'.repeat(10 * 1024 * 1024) });
    await refused(csvOf(header, [newCaseRow(template), big]), { problem: 'cell_too_large', line: 3 });
  });

  it('refuses an empty file', async () => {
    await refused(Buffer.alloc(0), { problem: 'empty', line: null });
  });

  it('refuses a ragged row (fewer cells than the header)', async () => {
    const short = valid().split(',').slice(0, -3).join(',');
    const body = await refused(lines(header.join(','), valid(), valid(), short, valid()), {
      problem: 'ragged_row',
      line: 4,
    });
    expect(body.detail).toMatch(/cells/);
  });

  it('accepts a file with only a header: an import of no rows', async () => {
    const cases = await countRows(t, 'cases');
    for (const mode of ['validate', 'commit'] as const) {
      const job = await runImport(t, staff.token, 'cases', lines(header.join(',')), { mode });
      expect(job).toMatchObject({
        status: mode === 'validate' ? 'validated' : 'committed',
        rowsRead: 0,
        created: 0,
        rejected: 0,
        errorCount: 0,
      });
    }
    expect(await countRows(t, 'cases')).toBe(cases);
  });

  it('answers 415 to a body that is neither CSV nor a form', async () => {
    const before = await countRows(t, 'import_jobs');
    for (const type of ['application/json', 'image/png']) {
      const response = await t
        .http()
        .post('/api/v1/imports?dataset=cases')
        .set('Authorization', `Bearer ${staff.token}`)
        .set('Content-Type', type)
        .send(type === 'application/json' ? JSON.stringify({ rows: [] }) : Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      expect({ type, status: response.status, contentType: response.headers['content-type'] }).toEqual({
        type,
        status: 415,
        contentType: expect.stringMatching(/^application\/problem\+json/),
      });
    }
    expect(await countRows(t, 'import_jobs')).toBe(before);
  });
});
