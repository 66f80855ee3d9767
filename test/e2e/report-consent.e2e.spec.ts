import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { startTestApp, type TestApp } from '../support/app.js';
import { type MixedCohort, seedMixedCohort } from '../support/mixed-cohort.js';

// issue 11: reports count every case, exports only consenting patients' cases. Every report states
// how many of its cases come from patients who declined or withdrew consent, and consentedOnly=true
// restricts it to the cases an export contains. The filtered figures must equal the same report
// computed over only the consenting cases: here, the unfiltered report once every case without
// consent has been deleted.

type Body = Record<string, any>;
const REPORTS: Array<{ path: string; query: Record<string, string> }> = [
  { path: '/api/v1/reports/outcomes', query: { groupBy: 'surgeon' } },
  { path: '/api/v1/reports/survival', query: { endpoint: 'reoperation', groupBy: 'releaseLocation' } },
  { path: '/api/v1/reports/funnel', query: { outcome: 'complication_90d' } },
  { path: '/api/v1/reports/data-quality', query: {} },
];
// What a report says beyond its figures: when and under which filters it ran, and whom it counted.
const figuresOf = (report: Body) => {
  const { generatedAt: _g, filters: _f, consent: _c, today: _t, ...figures } = report;
  return JSON.parse(JSON.stringify(figures, (key, value) => (key === 'withoutConsent' ? undefined : value)));
};

describe('reports and consent (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let cohort: MixedCohort;
  const count = (state: string, cases = cohort.cases) => cases.filter((c) => c.consent === state).length;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.factories.admin();
    cohort = await seedMixedCohort(t, admin, 30, 7);
  }, 240_000);
  afterAll(async () => {
    await t.close();
  });

  // Every report, the CUSUM with a surgeon of the cohort.
  const everyReport = () => [
    ...REPORTS,
    { path: '/api/v1/reports/cusum', query: { outcome: 'complication_90d', surgeonId: cohort.surgeons[1].id } },
  ];
  const get = (path: string, query: Record<string, string | string[]> = {}) =>
    t.http().get(path).query(query).set('Authorization', `Bearer ${admin}`);

  it('states in every report how many cases come from patients who declined or withdrew consent', async () => {
    expect(count('declined')).toBeGreaterThan(0);
    expect(count('withdrawn')).toBeGreaterThan(0);
    const byConsent = { given: count('given'), declined: count('declined'), withdrawn: count('withdrawn') };
    for (const path of ['/api/v1/reports/outcomes', '/api/v1/reports/data-quality']) {
      const { body } = await get(path).expect(200);
      expect(body.consent).toEqual({
        consentedOnly: false,
        cases: cohort.cases.length,
        byConsent,
        withoutConsent: byConsent.declined + byConsent.withdrawn,
        rule: expect.stringContaining("'given'"),
      });
    }
    const outcomes = (await get('/api/v1/reports/outcomes', { groupBy: 'surgeon' }).expect(200)).body;
    for (const group of outcomes.groups) {
      const own = cohort.cases.filter((c) => c.surgeonId === group.key);
      expect({ key: group.key, cases: group.cases, withoutConsent: group.withoutConsent }).toEqual({
        key: group.key,
        cases: own.length,
        withoutConsent: own.length - count('given', own),
      });
    }
    const survival = (await get('/api/v1/reports/survival', { endpoint: 'conversion' }).expect(200)).body;
    expect(survival.consent).toMatchObject({ cases: cohort.cases.length, byConsent });
    // The funnel counts evaluable cases: the statement covers exactly those, surgeon by surgeon.
    const funnel = (await get('/api/v1/reports/funnel', { outcome: 'recurrence_1y' }).expect(200)).body;
    expect(funnel.consent.cases).toBe(funnel.totals.cases);
    expect(funnel.consent.withoutConsent).toBe(
      funnel.surgeons.reduce((sum: number, s: Body) => sum + s.withoutConsent, 0),
    );
    expect(funnel.consent.withoutConsent).toBeGreaterThan(0);
    const surgeon = cohort.surgeons[0].id;
    const cusum = (await get('/api/v1/reports/cusum', { outcome: 'recurrence_1y', surgeonId: surgeon }).expect(200))
      .body;
    expect(cusum.consent.cases).toBe(cusum.points.length);
    expect(cusum.consent.withoutConsent).toBe(
      funnel.surgeons.find((s: Body) => s.surgeonId === surgeon).withoutConsent,
    );
  });

  it('says so in the CSV tables, per group and per surgeon', async () => {
    const rows = (response: { text: string }) =>
      parse(response.text, { columns: true }) as Array<Record<string, string>>;
    const query = { groupBy: 'surgeon' };
    const json = (await get('/api/v1/reports/outcomes', query).expect(200)).body;
    const outcomes = rows(await get('/api/v1/reports/outcomes', { ...query, format: 'csv' }).expect(200));
    expect(
      outcomes.filter((r) => r.section === 'without_consent').map((r) => [r.group, Number(r.n), Number(r.value)]),
    ).toEqual(json.groups.map((g: Body) => [g.key, g.cases, g.withoutConsent]));
    const survivalQuery = { endpoint: 'recurrence', groupBy: 'releaseLocation' };
    const survival = (await get('/api/v1/reports/survival', survivalQuery).expect(200)).body;
    const survivalRows = rows(await get('/api/v1/reports/survival', { ...survivalQuery, format: 'csv' }).expect(200));
    for (const g of survival.groups)
      expect(new Set(survivalRows.filter((r) => r.group === g.key).map((r) => r.groupWithoutConsent))).toEqual(
        new Set([String(g.withoutConsent)]),
      );
    const funnel = (await get('/api/v1/reports/funnel', { outcome: 'reoperation_1y' }).expect(200)).body;
    const funnelRows = rows(
      await get('/api/v1/reports/funnel', { outcome: 'reoperation_1y', format: 'csv' }).expect(200),
    );
    expect(funnelRows.map((r) => [r.surgeonId, Number(r.withoutConsent)])).toEqual(
      funnel.surgeons.map((s: Body) => [s.surgeonId, s.withoutConsent]),
    );
  });

  it('says so on the printable pages', async () => {
    const withoutConsent = count('declined') + count('withdrawn');
    for (const [page, query] of [
      ['outcomes.html', {}],
      ['survival.html', { endpoint: 'recurrence' }],
      ['funnel.html', { outcome: 'reoperation_1y' }],
    ] as const) {
      const all = await get(`/api/v1/reports/${page}`, query).expect(200);
      if (page !== 'funnel.html')
        expect(all.text).toContain(
          `${withoutConsent} of ${cohort.cases.length} cases come from patients without consent (${count('declined')} declined, ${count('withdrawn')} withdrawn)`,
        );
      else expect(all.text).toMatch(/cases come from patients without consent/);
      const consenting = await get(`/api/v1/reports/${page}`, { ...query, consentedOnly: 'true' }).expect(200);
      expect(consenting.text).toContain('Consenting patients only (consentedOnly=true)');
    }
  });

  it('restricts every report to the cases an export contains with consentedOnly=true', async () => {
    const exported = (await get('/api/v1/exports/cases', { format: 'csv' }).expect(200)).text;
    const rows = (parse(exported, { columns: true }) as unknown[]).length;
    expect(rows).toBe(count('given'));
    for (const { path, query } of everyReport()) {
      const { body } = await get(path, { ...query, consentedOnly: 'true' }).expect(200);
      expect(body.filters.consentedOnly).toBe(true);
      expect(body.consent).toMatchObject({
        consentedOnly: true,
        byConsent: { declined: 0, withdrawn: 0 },
        withoutConsent: 0,
      });
      if (!['/api/v1/reports/funnel', '/api/v1/reports/cusum'].includes(path)) expect(body.consent.cases).toBe(rows);
    }
    const { body } = await get('/api/v1/reports/outcomes', { consentedOnly: 'false' }).expect(200);
    expect(body.consent).toMatchObject({ consentedOnly: false, cases: cohort.cases.length });
  });

  it('refuses an invalid consentedOnly with a 400 naming the field', async () => {
    for (const { path, query } of [...everyReport(), { path: '/api/v1/reports/outcomes.html', query: {} }]) {
      for (const bad of ['yes', '1', '', 'TRUE ']) {
        const response = await get(path, { ...query, consentedOnly: bad }).expect(400);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body.errors.map((e: Body) => e.field)).toContain('consentedOnly');
      }
      const twice = await get(path, { ...query, consentedOnly: ['true', 'true'] }).expect(400);
      expect(twice.body.errors.map((e: Body) => e.field)).toContain('consentedOnly');
    }
  });

  // Last: it deletes cases.
  it('gives with consentedOnly=true the figures of the same report over only the consenting cases', async () => {
    const filtered = await Promise.all(
      everyReport().map(
        async ({ path, query }) => (await get(path, { ...query, consentedOnly: 'true' }).expect(200)).body,
      ),
    );
    for (const c of cohort.cases.filter((x) => x.consent !== 'given')) {
      const current = await get(`/api/v1/cases/${c.id}`).expect(200);
      const deleted = await t
        .http()
        .delete(`/api/v1/cases/${c.id}`)
        .set('Authorization', `Bearer ${admin}`)
        .set('If-Match', current.headers.etag)
        .send({ reason: 'test: leave only consenting patients' });
      expect(deleted.status).toBeLessThan(300);
    }
    for (const [i, { path, query }] of everyReport().entries()) {
      const unfiltered = (await get(path, query).expect(200)).body;
      expect(unfiltered.consent).toMatchObject({ consentedOnly: false, withoutConsent: 0 });
      expect(figuresOf(filtered[i])).toEqual(figuresOf(unfiltered));
    }
  }, 60_000);
});
