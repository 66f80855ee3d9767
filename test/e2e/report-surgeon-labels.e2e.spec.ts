import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

// issue 13: reports name surgeons by display name to the roles that may see names, and otherwise as stable labels
// ("Surgeon A", "Surgeon B", … in the order of the surgeons' ids over the surgeons with cases under the filters);
// anonymise=true gives labels only, and no surgeon id or name anywhere, to anyone.

type Body = Record<string, any>;
type Query = Record<string, string>;
const DAY_MS = 86_400_000;
const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

// Display names no report would contain by chance.
const NAMES = ['Dr Orla Vantongeren', 'Dr Piet Quillfeather', 'Dr Rhoswen Maddox-Ebb', 'Dr Tobiah Xandercliff'];
// Surgeon D operated only in 2020: from=2021-01-01 leaves the other three.
const CASES: Array<{ surgeon: number; surgeryDate: string; capsular: boolean; complication: boolean }> = [
  { surgeon: 0, surgeryDate: '2022-02-10', capsular: true, complication: true },
  { surgeon: 0, surgeryDate: '2022-09-01', capsular: false, complication: false },
  { surgeon: 0, surgeryDate: '2023-03-15', capsular: true, complication: false },
  { surgeon: 1, surgeryDate: '2022-04-20', capsular: true, complication: false },
  { surgeon: 1, surgeryDate: '2023-01-05', capsular: false, complication: true },
  { surgeon: 2, surgeryDate: '2022-06-30', capsular: true, complication: false },
  { surgeon: 2, surgeryDate: '2023-05-22', capsular: false, complication: false },
  { surgeon: 3, surgeryDate: '2020-03-03', capsular: true, complication: true },
];
const FROM_2021 = { from: '2021-01-01' };

// The expected labels, worked out here: letters in the order of the ids (fewer than 27 surgeons).
const lettered = (ids: string[]) =>
  new Map([...ids].sort().map((id, index) => [id, `Surgeon ${String.fromCharCode(65 + index)}`]));

describe('report surgeon labels (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let reviewer: TestUser;
  let staff: TestUser;
  let surgeons: TestUser[];
  let names: Map<string, string>;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.factories.admin();
    reviewer = await t.factories.newUser({ role: 'quality_reviewer' });
    staff = await t.factories.newUser({ role: 'registry_staff' });
    surgeons = [];
    for (const displayName of NAMES) surgeons.push(await t.factories.newUser({ role: 'surgeon', displayName }));
    names = new Map(surgeons.map((s, i) => [s.id, NAMES[i]]));
    for (const c of CASES) {
      const token = surgeons[c.surgeon].token;
      const body = newCaseBody({
        surgeryDate: c.surgeryDate,
        ...(c.capsular
          ? {}
          : { release: { location: 'lesser_trochanter', technique: 'complete_tenotomy', tendonBundles: 1 } }),
      });
      const created = await t.http().post('/api/v1/cases').set('Authorization', `Bearer ${token}`).send(body);
      expect(created.status).toBe(201);
      // A visit on day 400: every case is evaluable for the 90-day and one-year outcomes.
      const visit = await t
        .http()
        .post(`/api/v1/cases/${created.body.id}/follow-ups`)
        .set('Authorization', `Bearer ${token}`)
        .send({ visitDate: addDays(c.surgeryDate, 400), contactMode: 'clinic', groinPain: 1, proms: {} });
      expect(visit.status).toBe(201);
      if (c.complication) {
        const complication = await t
          .http()
          .post(`/api/v1/cases/${created.body.id}/complications`)
          .set('Authorization', `Bearer ${token}`)
          .send({
            type: 'lfcn_neuropraxia',
            onsetDate: addDays(c.surgeryDate, 5),
            resolvedDate: addDays(c.surgeryDate, 40),
            sinkGrade: 1,
          });
        expect(complication.status).toBe(201);
      }
    }
  }, 240_000);
  afterAll(async () => {
    await t.close();
  });

  const get = (path: string, token: string, query: Query = {}) =>
    t.http().get(path).query(query).set('Authorization', `Bearer ${token}`);
  const ids = () => surgeons.map((s) => s.id);
  const withCasesFrom2021 = () => [0, 1, 2].map((i) => surgeons[i].id);
  // Every seeded surgeon's id and display name found in a response text (case-insensitive).
  const leaks = (text: string, allowed: string[] = []) =>
    surgeons
      .flatMap((s) => [s.id, names.get(s.id)!])
      .filter((x) => !allowed.includes(x) && text.toLowerCase().includes(x.toLowerCase()));
  const csvRows = (text: string) => parse(text, { columns: true }) as Array<Record<string, string>>;

  describe('for roles that may see names', () => {
    it('names every surgeon on the funnel, with their id, for reviewers and admins', async () => {
      for (const token of [reviewer.token, admin]) {
        const { body } = await get('/api/v1/reports/funnel', token, { outcome: 'complication_90d' }).expect(200);
        expect(body.surgeons.map((s: Body) => [s.surgeonId, s.surgeonLabel])).toEqual(
          [...ids()].sort().map((id) => [id, names.get(id)]),
        );
        expect(body.filters.anonymise).toBe(false);
      }
    });

    it('names the groups of the outcomes and survival reports grouped by surgeon, keyed by id', async () => {
      const outcomes = (await get('/api/v1/reports/outcomes', reviewer.token, { groupBy: 'surgeon' }).expect(200)).body;
      expect(outcomes.groups.map((g: Body) => [g.key, g.surgeonLabel])).toEqual(
        [...ids()].sort().map((id) => [id, names.get(id)]),
      );
      const survival = (
        await get('/api/v1/reports/survival', admin, { endpoint: 'reoperation', groupBy: 'surgeon' }).expect(200)
      ).body;
      expect(survival.groups.map((g: Body) => [g.key, g.surgeonLabel])).toEqual(
        [...ids()].sort().map((id) => [id, names.get(id)]),
      );
      // Other groupings carry no surgeon.
      const byLocation = (await get('/api/v1/reports/outcomes', reviewer.token, { groupBy: 'releaseLocation' })).body;
      expect(byLocation.groups.every((g: Body) => g.surgeonLabel === undefined)).toBe(true);
    });

    it("names the CUSUM's surgeon and the surgeon filter", async () => {
      const surgeon = surgeons[2];
      const query = { outcome: 'complication_90d', surgeonId: surgeon.id };
      const { body } = await get('/api/v1/reports/cusum', reviewer.token, query).expect(200);
      expect(body.surgeonLabel).toBe(NAMES[2]);
      expect(body.filters).toMatchObject({ surgeonId: surgeon.id, surgeonLabel: NAMES[2], anonymise: false });
      const csv = csvRows((await get('/api/v1/reports/cusum', reviewer.token, { ...query, format: 'csv' })).text);
      expect(csv.length).toBe(body.points.length);
      expect(new Set(csv.map((r) => r.surgeonLabel))).toEqual(new Set([NAMES[2]]));
    });

    it('names the surgeon of every data-quality row for registry staff', async () => {
      const { body } = await get('/api/v1/reports/data-quality', staff.token).expect(200);
      expect(body.overdue.length).toBeGreaterThan(0);
      for (const row of body.overdue) expect(row.surgeonLabel).toBe(names.get(row.surgeonId));
      const csv = csvRows((await get('/api/v1/reports/data-quality', staff.token, { format: 'csv' })).text);
      for (const row of csv) expect(row.surgeonLabel).toBe(names.get(row.surgeonId));
    });
  });

  describe('for a surgeon', () => {
    it('names the surgeon themself on the funnel and labels the others, without their ids or names', async () => {
      const me = surgeons[1];
      const response = await get('/api/v1/reports/funnel', me.token, { outcome: 'complication_90d' }).expect(200);
      const labels = lettered(ids());
      expect(response.body.surgeons.map((s: Body) => [s.surgeonId, s.surgeonLabel, s.self])).toEqual(
        [...ids()].sort().map((id) => (id === me.id ? [id, NAMES[1], true] : [null, labels.get(id), false])),
      );
      expect(leaks(response.text, [me.id, NAMES[1]])).toEqual([]);
      const csv = await get('/api/v1/reports/funnel', me.token, { outcome: 'complication_90d', format: 'csv' });
      expect(leaks(csv.text, [me.id, NAMES[1]])).toEqual([]);
      expect(csvRows(csv.text).map((r) => r.surgeonLabel)).toEqual(
        response.body.surgeons.map((s: Body) => s.surgeonLabel),
      );
    });

    it('names the surgeon in their own reports, which cover their own cases only', async () => {
      const me = surgeons[0];
      const outcomes = (await get('/api/v1/reports/outcomes', me.token, { groupBy: 'surgeon' }).expect(200)).body;
      expect(outcomes.groups.map((g: Body) => [g.key, g.surgeonLabel])).toEqual([[me.id, NAMES[0]]]);
      expect(outcomes.filters).toMatchObject({ surgeonId: me.id, surgeonLabel: NAMES[0] });
      const cusum = (await get('/api/v1/reports/cusum', me.token, { outcome: 'complication_90d' }).expect(200)).body;
      expect(cusum.surgeonLabel).toBe(NAMES[0]);
    });
  });

  describe('anonymised', () => {
    // Every report that can name a surgeon, and its CSV and printable page.
    const reports = (surgeonId: string): Array<[string, Query]> => [
      ['outcomes', { groupBy: 'surgeon' }],
      ['outcomes', { groupBy: 'releaseLocation', surgeonId }],
      ['survival', { endpoint: 'recurrence', groupBy: 'surgeon' }],
      ['funnel', { outcome: 'complication_90d' }],
      ['funnel', { outcome: 'recurrence_1y', surgeonId }],
      ['cusum', { outcome: 'complication_90d', surgeonId }],
    ];

    it('holds no surgeon id or display name anywhere in the JSON, CSV or page, whoever asks', async () => {
      const callers: Array<[string, string, string]> = [
        ['reviewer', reviewer.token, surgeons[3].id],
        ['admin', admin, surgeons[0].id],
        ['staff', staff.token, surgeons[2].id],
        ['surgeon', surgeons[1].token, surgeons[1].id],
      ];
      let checked = 0;
      for (const [who, token, surgeonId] of callers) {
        const routes = reports(surgeonId);
        if (who !== 'reviewer') routes.push(['data-quality', {}]);
        for (const [report, query] of routes) {
          for (const [suffix, format] of [
            ['', 'json'],
            ['', 'csv'],
            ['.html', null],
          ] as const) {
            if (report === 'data-quality' && suffix === '.html') continue;
            const response = await get(`/api/v1/reports/${report}${suffix}`, token, {
              ...query,
              anonymise: 'true',
              ...(format ? { format } : {}),
            }).expect(200);
            expect({ who, report, query, format, leaks: leaks(response.text) }).toEqual({
              who,
              report,
              query,
              format,
              leaks: [],
            });
            checked++;
          }
        }
      }
      expect(checked).toBe(4 * 6 * 3 + 3 * 2);
    });

    it('labels the surgeons in id order over those with cases, the same as a reviewer would see them', async () => {
      const labels = lettered(ids());
      const named = (await get('/api/v1/reports/funnel', reviewer.token, { outcome: 'complication_90d' })).body;
      for (const token of [reviewer.token, surgeons[3].token]) {
        const { body } = await get('/api/v1/reports/funnel', token, {
          outcome: 'complication_90d',
          anonymise: 'true',
        }).expect(200);
        expect(body.filters.anonymise).toBe(true);
        expect(body.surgeons.map((s: Body) => [s.surgeonId, s.surgeonLabel, s.self, s.cases, s.events])).toEqual(
          named.surgeons.map((s: Body) => [null, labels.get(s.surgeonId), false, s.cases, s.events]),
        );
      }
      const outcomes = (
        await get('/api/v1/reports/outcomes', admin, { groupBy: 'surgeon', anonymise: 'true' }).expect(200)
      ).body;
      const label = [...labels.values()];
      expect(outcomes.groups.map((g: Body) => [g.key, g.surgeonLabel])).toEqual(label.map((l) => [l, l]));
      const csv = csvRows(
        (await get('/api/v1/reports/outcomes', admin, { groupBy: 'surgeon', anonymise: 'true', format: 'csv' })).text,
      );
      expect([...new Set(csv.map((r) => r.group))]).toEqual(label);
      expect(csv.every((r) => r.surgeonLabel === r.group)).toBe(true);
    });

    it("keeps a surgeon's letter when a report is narrowed to them, in the funnel, CUSUM and data quality", async () => {
      const labels = lettered(ids());
      for (const surgeon of surgeons) {
        const funnel = (
          await get('/api/v1/reports/funnel', reviewer.token, {
            outcome: 'complication_90d',
            surgeonId: surgeon.id,
            anonymise: 'true',
          }).expect(200)
        ).body;
        expect(funnel.surgeons.map((s: Body) => s.surgeonLabel)).toEqual([labels.get(surgeon.id)]);
        expect(funnel.filters).toEqual(expect.objectContaining({ surgeonLabel: labels.get(surgeon.id) }));
        expect(funnel.filters.surgeonId).toBeUndefined();
        const cusum = (
          await get('/api/v1/reports/cusum', admin, {
            outcome: 'complication_90d',
            surgeonId: surgeon.id,
            anonymise: 'true',
          }).expect(200)
        ).body;
        expect(cusum.surgeonLabel).toBe(labels.get(surgeon.id));
        const quality = (
          await get('/api/v1/reports/data-quality', staff.token, { surgeonId: surgeon.id, anonymise: 'true' }).expect(
            200,
          )
        ).body;
        expect(quality.overdue.length).toBeGreaterThan(0);
        expect(quality.overdue.map((r: Body) => [r.surgeonId, r.surgeonLabel])).toEqual(
          quality.overdue.map(() => [null, labels.get(surgeon.id)]),
        );
      }
    });

    it('gives the same letters for the same filters, and new letters only over a new set of surgeons', async () => {
      const labelsOf = async (query: Query) =>
        (
          await get('/api/v1/reports/funnel', reviewer.token, {
            outcome: 'complication_90d',
            anonymise: 'true',
            ...query,
          }).expect(200)
        ).body.surgeons.map((s: Body) => [s.surgeonLabel, s.cases, s.events]);
      const namedOf = async (query: Query) =>
        (await get('/api/v1/reports/funnel', reviewer.token, { outcome: 'complication_90d', ...query })).body.surgeons;

      expect(await labelsOf(FROM_2021)).toEqual(await labelsOf(FROM_2021));
      // From 2021 surgeon D has no cases: the three others are lettered among themselves.
      const three = lettered(withCasesFrom2021());
      const from2021 = await namedOf(FROM_2021);
      expect(from2021.map((s: Body) => s.surgeonId)).toEqual([...withCasesFrom2021()].sort());
      expect(await labelsOf(FROM_2021)).toEqual(from2021.map((s: Body) => [three.get(s.surgeonId), s.cases, s.events]));
      // Capsular releases from 2021: the same three surgeons, so the same letters over other figures.
      const capsular = { ...FROM_2021, releaseLocation: 'capsular' };
      const narrowed = await namedOf(capsular);
      expect(narrowed.map((s: Body) => s.surgeonId)).toEqual(from2021.map((s: Body) => s.surgeonId));
      expect((await labelsOf(capsular)).map((row: unknown[]) => row[0])).toEqual(
        (await labelsOf(FROM_2021)).map((row: unknown[]) => row[0]),
      );
      // Over every year, the letters are those of the four surgeons.
      const four = lettered(ids());
      expect((await labelsOf({})).map((row: unknown[]) => row[0])).toEqual(
        (await namedOf({})).map((s: Body) => four.get(s.surgeonId)),
      );
    });
  });

  it('refuses an anonymise that is not true or false, naming it', async () => {
    const routes: Array<[string, Query]> = [
      ['outcomes', { groupBy: 'surgeon' }],
      ['outcomes.html', {}],
      ['survival', { endpoint: 'recurrence' }],
      ['funnel', { outcome: 'complication_90d' }],
      ['cusum', { outcome: 'complication_90d', surgeonId: surgeons[0].id }],
      ['data-quality', {}],
    ];
    for (const [route, query] of routes) {
      for (const value of ['yes', '1', 'TRUE']) {
        const response = await get(`/api/v1/reports/${route}`, admin, { ...query, anonymise: value });
        expect({ route, value, status: response.status }).toEqual({ route, value, status: 400 });
        expect(response.body.errors).toEqual([expect.objectContaining({ field: 'anonymise' })]);
      }
    }
  });
});
