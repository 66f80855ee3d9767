import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

// GET /api/v1/reports/data-quality on a small cohort built through the API, whose three lists are
// worked out by hand below from DOMAIN.md § Follow-up visit (timepoint windows, "overdue") and API.md.

type Body = Record<string, any>;

// Calendar-date arithmetic in UTC (the registry's time zone is UTC unless configured).
function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

const T = new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => addDays(T, -n);

// The last day of each window, in days after surgery (DOMAIN.md § Follow-up visit).
const WINDOW_END = { preop: 0, '6w': 69, '3m': 134, '6m': 269, '1y': 545, '2y': 912, '5y': 2008 } as const;
type Timepoint = keyof typeof WINDOW_END;

const FULL_MHHS = {
  pain: 'slight',
  limp: 'none',
  support: 'none',
  distance: 'unlimited',
  stairs: 'normally_with_railing',
  shoesSocks: 'with_ease',
  sitting: 'ordinary_chair_one_hour',
  publicTransport: 'able',
};
const FULL_IHOT12 = [80, 75, 90, 60, 85, 70, 95, 65, 80, 75, 70, 90];
// Everything the registry requires of a visit at a scheduled timepoint.
const COMPLETE = { snapping: 'none', groinPain: 1.5, proms: { mhhs: FULL_MHHS, ihot12: FULL_IHOT12 } };

const LESSER_TROCHANTER = { location: 'lesser_trochanter', technique: 'complete_tenotomy', tendonBundles: 1 };
const NO_IMPINGEMENT_REPAIR = { performed: false, procedures: [] };

const SURGEON_NAMES = ['Dr Quality A', 'Dr Quality B'];

describe('data-quality report (e2e)', () => {
  let t: TestApp;
  let surgeonA: TestUser;
  let surgeonB: TestUser;
  let staff: TestUser;
  let reviewer: TestUser;
  let admin: string;

  // The cohort (surgeon A unless noted; capsular release with impingement repair unless noted).
  const c: Record<string, Body> = {};
  const v: Record<string, Body> = {};

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const as = (user: TestUser) => bearer(user.token);

  async function createCase(user: TestUser, surgeryDate: string, overrides: Body = {}): Promise<Body> {
    const response = await t
      .http()
      .post('/api/v1/cases')
      .set(as(user))
      .send(newCaseBody({ surgeryDate, ...overrides }));
    if (response.status !== 201)
      throw new Error(`case creation failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }
  async function createVisit(user: TestUser, caseId: string, visitDate: string, fields: Body = {}): Promise<Body> {
    const response = await t
      .http()
      .post(`/api/v1/cases/${caseId}/follow-ups`)
      .set(as(user))
      .send({ visitDate, contactMode: 'clinic', ...fields });
    if (response.status !== 201)
      throw new Error(`visit creation failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }
  async function patchPatient(user: TestUser, patientId: string, body: Body): Promise<void> {
    const current = await t.http().get(`/api/v1/patients/${patientId}`).set(as(user)).expect(200);
    await t
      .http()
      .patch(`/api/v1/patients/${patientId}`)
      .set(as(user))
      .set('If-Match', `"${current.body.version}"`)
      .send(body)
      .expect(200);
  }
  async function backdate(caseId: string, days: number): Promise<void> {
    // Test set-up, not the code under test: the case was logged `days` × 24 hours ago (hours, so that
    // a daylight-saving change in the session time zone cannot make it a day shorter).
    await t.dataSource.query('UPDATE cases SET created_at = now() - make_interval(hours => $2::int) WHERE id = $1', [
      caseId,
      days * 24,
    ]);
  }

  const report = (token: string, query: Record<string, string | boolean> = {}) =>
    t.http().get('/api/v1/reports/data-quality').query(query).set(bearer(token));

  // Expected rows, worked out by hand. Every caller here may see the surgeons' names (issue 13).
  const surgeonLabel = (surgeonId: string) => (surgeonId === surgeonA.id ? SURGEON_NAMES[0] : SURGEON_NAMES[1]);
  const overdue = (theCase: Body, timepoint: Timepoint) => ({
    caseId: theCase.id,
    registryCode: theCase.registryCode,
    surgeonId: theCase.surgeonId,
    surgeonLabel: surgeonLabel(theCase.surgeonId),
    surgeryDate: theCase.surgeryDate,
    timepoint,
    windowClosed: addDays(theCase.surgeryDate, WINDOW_END[timepoint]),
    // No patient here has an email address: none was invited to a questionnaire.
    invitation: null,
  });
  const missing = (theCase: Body, visit: Body, names: string[]) => ({
    caseId: theCase.id,
    registryCode: theCase.registryCode,
    surgeonId: theCase.surgeonId,
    surgeonLabel: surgeonLabel(theCase.surgeonId),
    followUpId: visit.id,
    visitDate: visit.visitDate,
    timepoint: visit.timepoint,
    missing: names,
  });
  let draftRows: Record<string, Body> = {};

  const byKey = (rows: Body[]) =>
    [...rows].sort((a, b) =>
      `${a.caseId}|${a.timepoint ?? ''}|${a.followUpId ?? ''}`.localeCompare(
        `${b.caseId}|${b.timepoint ?? ''}|${b.followUpId ?? ''}`,
      ),
    );
  const sameRows = (actual: Body[], expected: Body[]) => expect(byKey(actual)).toEqual(byKey(expected));

  let all: { overdue: Body[]; unsignedDrafts: Body[]; missingData: Body[] };

  beforeAll(async () => {
    t = await startTestApp();
    [surgeonA, surgeonB, staff, reviewer] = await Promise.all([
      t.factories.newUser({ role: 'surgeon', displayName: SURGEON_NAMES[0] }),
      t.factories.newUser({ role: 'surgeon', displayName: SURGEON_NAMES[1] }),
      t.factories.newUser({ role: 'registry_staff' }),
      t.factories.newUser({ role: 'quality_reviewer' }),
    ]);
    admin = await t.factories.admin();

    // Operated 100 days ago, never seen: preop (closed on the day of surgery) and 6w (closed on day 69)
    // are overdue; 3m (days 70–134) is still open.
    c.noVisits = await createCase(surgeonA, daysAgo(100));

    // Operated 100 days ago, seen preop (day 0) and at 6w (day 42), with complete data: nothing to report.
    c.complete = await createCase(surgeonA, daysAgo(100));
    v.completePreop = await createVisit(surgeonA, c.complete.id, daysAgo(100), COMPLETE);
    v.complete6w = await createVisit(surgeonA, c.complete.id, daysAgo(58), COMPLETE);

    // Never seen, but the patient withdrew consent / died: not overdue.
    c.withdrawn = await createCase(surgeonA, daysAgo(100));
    await patchPatient(surgeonA, c.withdrawn.patientId, { consent: 'withdrawn' });
    c.deceased = await createCase(surgeonA, daysAgo(100));
    await patchPatient(surgeonA, c.deceased.patientId, { deceasedDate: daysAgo(10) });

    // Soft-deleted: a stale draft, never seen except at an incomplete 6w visit; in no list at all.
    c.deleted = await createCase(surgeonA, daysAgo(100));
    await createVisit(surgeonA, c.deleted.id, daysAgo(58));
    await backdate(c.deleted.id, 20);
    await t
      .http()
      .delete(`/api/v1/cases/${c.deleted.id}`)
      .set(as(surgeonA))
      .set('If-Match', `"${c.deleted.version}"`)
      .send({ reason: 'logged twice' })
      .expect(204);

    // A complete preop visit, and an (incomplete) 6w visit that was deleted: 6w is overdue, and the
    // deleted visit is not listed as missing data.
    c.deletedVisit = await createCase(surgeonA, daysAgo(100));
    await createVisit(surgeonA, c.deletedVisit.id, daysAgo(105), COMPLETE);
    v.deleted6w = await createVisit(surgeonA, c.deletedVisit.id, daysAgo(60));
    await t
      .http()
      .delete(`/api/v1/follow-ups/${v.deleted6w.id}`)
      .set(as(surgeonA))
      .set('If-Match', '"1"')
      .send({ reason: 'wrong patient' })
      .expect(204);

    // Visits at preop, 6w and 3m each lacking something, and an unscheduled empty visit (day 20).
    c.gaps = await createCase(surgeonA, daysAgo(100));
    v.gapsPreop = await createVisit(surgeonA, c.gaps.id, daysAgo(110), {
      groinPain: 2,
      proms: { mhhs: FULL_MHHS, ihot12: FULL_IHOT12 },
    });
    v.gaps6w = await createVisit(surgeonA, c.gaps.id, daysAgo(58), {
      snapping: 'painless',
      groinPain: 0,
      // 7 of 8 mHHS items and 9 of 12 iHOT-12 items: neither is scored.
      proms: {
        mhhs: { ...FULL_MHHS, publicTransport: null },
        ihot12: [80, 75, 90, null, 85, 70, null, 65, 80, null, 70, 90],
      },
    });
    v.gaps3m = await createVisit(surgeonA, c.gaps.id, daysAgo(9), { snapping: 'none', proms: { ihot12: FULL_IHOT12 } });
    v.gapsUnscheduled = await createVisit(surgeonA, c.gaps.id, daysAgo(80));

    // Operated 400 days ago at the lesser trochanter (with impingement repair), never seen:
    // preop, 6w, 3m and 6m are overdue; 1y (days 270–545) is still open.
    c.old = await createCase(surgeonA, daysAgo(400), { release: LESSER_TROCHANTER });

    // Surgeon B, lesser trochanter without impingement repair, operated 100 days ago; a 6w visit
    // with only the snapping answer: preop overdue, the 6w visit missing data.
    c.otherSurgeon = await createCase(surgeonB, daysAgo(100), {
      release: LESSER_TROCHANTER,
      impingementRepair: NO_IMPINGEMENT_REPAIR,
    });
    v.otherSurgeon6w = await createVisit(surgeonB, c.otherSurgeon.id, daysAgo(58), { snapping: 'painful' });

    // Drafts, operated today (so nothing is overdue yet): logged 20 days ago and unsigned (listed),
    // logged 20 days ago but signed, logged 3 days ago (not listed); one of surgeon B's.
    c.staleDraft = await createCase(surgeonA, T);
    await backdate(c.staleDraft.id, 20);
    c.signed = await createCase(surgeonA, T);
    await backdate(c.signed.id, 20);
    await t.http().post(`/api/v1/cases/${c.signed.id}/sign`).set(as(surgeonA)).expect(200);
    c.recentDraft = await createCase(surgeonA, T);
    await backdate(c.recentDraft.id, 3);
    c.staleDraftB = await createCase(surgeonB, T);
    await backdate(c.staleDraftB.id, 20);

    const createdAt = async (id: string) =>
      (
        (await t.dataSource.query('SELECT created_at FROM cases WHERE id = $1', [id]))[0].created_at as Date
      ).toISOString();
    draftRows = {};
    for (const key of ['staleDraft', 'staleDraftB']) {
      const theCase = c[key];
      draftRows[key] = {
        caseId: theCase.id,
        registryCode: theCase.registryCode,
        surgeonId: theCase.surgeonId,
        surgeonLabel: surgeonLabel(theCase.surgeonId),
        surgeryDate: theCase.surgeryDate,
        createdAt: await createdAt(theCase.id),
        daysUnsigned: 20,
      };
    }

    all = {
      overdue: [
        overdue(c.noVisits, 'preop'),
        overdue(c.noVisits, '6w'),
        overdue(c.deletedVisit, '6w'),
        overdue(c.old, 'preop'),
        overdue(c.old, '6w'),
        overdue(c.old, '3m'),
        overdue(c.old, '6m'),
        overdue(c.otherSurgeon, 'preop'),
      ],
      unsignedDrafts: [draftRows.staleDraft, draftRows.staleDraftB],
      missingData: [
        missing(c.gaps, v.gapsPreop, ['snapping']),
        missing(c.gaps, v.gaps6w, ['proms.mhhs', 'proms.ihot12']),
        missing(c.gaps, v.gaps3m, ['groinPain', 'proms.mhhs']),
        missing(c.otherSurgeon, v.otherSurgeon6w, ['groinPain', 'proms.mhhs', 'proms.ihot12']),
      ],
    };
  });
  afterAll(async () => {
    await t.close();
  });

  const ofSurgeon = (rows: Body[], surgeon: TestUser) => rows.filter((row) => row.surgeonId === surgeon.id);
  const ofCases = (rows: Body[], cases: Body[]) =>
    rows.filter((row) => cases.some((theCase) => theCase.id === row.caseId));

  function expectLists(body: Body, expected: { overdue: Body[]; unsignedDrafts: Body[]; missingData: Body[] }): void {
    sameRows(body.overdue, expected.overdue);
    sameRows(body.unsignedDrafts, expected.unsignedDrafts);
    sameRows(body.missingData, expected.missingData);
  }

  describe('the cohort, as set up', () => {
    it('derives the visit timepoints the expectations rely on', () => {
      expect(
        [v.completePreop, v.complete6w, v.gapsPreop, v.gaps6w, v.gaps3m, v.gapsUnscheduled, v.otherSurgeon6w].map(
          (visit) => visit.timepoint,
        ),
      ).toEqual(['preop', '6w', 'preop', '6w', '3m', 'unscheduled', '6w']);
      expect(v.gaps6w.proms.mhhs.score).toBeNull();
      expect(v.gaps6w.proms.ihot12.score).toBeNull();
      expect(v.completePreop.proms.mhhs.score).toEqual(expect.any(Number));
      expect(v.completePreop.proms.ihot12.score).toEqual(expect.any(Number));
    });
  });

  describe('for registry staff (every surgeon)', () => {
    let body: Body;
    beforeAll(async () => {
      const response = await report(staff.token);
      expect(response.status).toBe(200);
      body = response.body;
    });

    it('reports as of today, with the definitions it applies', () => {
      expect(body.today).toBe(T);
      expect(new Date(body.generatedAt).toISOString()).toBe(body.generatedAt);
      expect(body.definitions).toEqual({
        overdue: expect.any(String),
        unsignedDrafts: expect.any(String),
        missingData: expect.any(String),
      });
    });

    it('lists exactly the timepoints whose window has closed without a live visit, for living consenting patients of live cases', () => {
      sameRows(body.overdue, all.overdue);
    });

    it('does not list a timepoint whose window is still open (3m of a case operated 100 days ago, 1y of one operated 400 days ago)', () => {
      const timepointsOf = (theCase: Body) =>
        body.overdue
          .filter((row: Body) => row.caseId === theCase.id)
          .map((row: Body) => row.timepoint)
          .sort();
      expect(timepointsOf(c.noVisits)).toEqual(['6w', 'preop']);
      expect(timepointsOf(c.old)).toEqual(['3m', '6m', '6w', 'preop']);
    });

    it('does not list cases seen in the window, withdrawn or deceased patients, or deleted cases; a deleted visit does not count', () => {
      const listed = new Set(body.overdue.map((row: Body) => row.caseId));
      for (const key of [
        'complete',
        'withdrawn',
        'deceased',
        'deleted',
        'gaps',
        'staleDraft',
        'signed',
        'recentDraft',
        'staleDraftB',
      ]) {
        expect({ key, listed: listed.has(c[key].id) }).toEqual({ key, listed: false });
      }
      expect(
        body.overdue.filter((row: Body) => row.caseId === c.deletedVisit.id).map((row: Body) => row.timepoint),
      ).toEqual(['6w']);
    });

    it('lists drafts unsigned more than 14 days after they were logged, with the days unsigned', () => {
      sameRows(body.unsignedDrafts, all.unsignedDrafts);
      const listed = body.unsignedDrafts.map((row: Body) => row.caseId);
      expect(listed).not.toContain(c.signed.id);
      expect(listed).not.toContain(c.recentDraft.id);
      expect(listed).not.toContain(c.deleted.id);
    });

    it('lists each scheduled visit lacking core data with exactly what it lacks; never unscheduled, complete or deleted visits', () => {
      sameRows(body.missingData, all.missingData);
      const listed = body.missingData.map((row: Body) => row.followUpId);
      expect(listed).not.toContain(v.gapsUnscheduled.id);
      expect(listed).not.toContain(v.completePreop.id);
      expect(listed).not.toContain(v.complete6w.id);
      expect(listed).not.toContain(v.deleted6w.id);
    });
  });

  describe('filters', () => {
    it('narrows to one surgeon', async () => {
      const response = await report(staff.token, { surgeonId: surgeonB.id }).expect(200);
      expectLists(response.body, {
        overdue: ofSurgeon(all.overdue, surgeonB),
        unsignedDrafts: ofSurgeon(all.unsignedDrafts, surgeonB),
        missingData: ofSurgeon(all.missingData, surgeonB),
      });
      expect(response.body.overdue).toHaveLength(1);
      expect(response.body.filters).toMatchObject({ surgeonId: surgeonB.id });
    });

    it('narrows to a release location', async () => {
      const response = await report(staff.token, { releaseLocation: 'lesser_trochanter' }).expect(200);
      const cases = [c.old, c.otherSurgeon];
      expectLists(response.body, {
        overdue: ofCases(all.overdue, cases),
        unsignedDrafts: [],
        missingData: ofCases(all.missingData, cases),
      });
      expect(response.body.overdue).toHaveLength(5);
    });

    it('narrows to cases with or without impingement repair', async () => {
      const without = await report(staff.token, { impingementRepair: false }).expect(200);
      expectLists(without.body, {
        overdue: [overdue(c.otherSurgeon, 'preop')],
        unsignedDrafts: [],
        missingData: [missing(c.otherSurgeon, v.otherSurgeon6w, ['groinPain', 'proms.mhhs', 'proms.ihot12'])],
      });
      const withRepair = await report(staff.token, { impingementRepair: true }).expect(200);
      const others = (rows: Body[]) => rows.filter((row) => row.caseId !== c.otherSurgeon.id);
      expectLists(withRepair.body, {
        overdue: others(all.overdue),
        unsignedDrafts: all.unsignedDrafts,
        missingData: others(all.missingData),
      });
    });

    it('narrows to surgery dates from and to, inclusive', async () => {
      const from = await report(staff.token, { from: daysAgo(100) }).expect(200);
      const recent = (rows: Body[]) => rows.filter((row) => row.caseId !== c.old.id);
      expectLists(from.body, {
        overdue: recent(all.overdue),
        unsignedDrafts: all.unsignedDrafts,
        missingData: all.missingData,
      });

      const to = await report(staff.token, { to: daysAgo(400) }).expect(200);
      expectLists(to.body, { overdue: ofCases(all.overdue, [c.old]), unsignedDrafts: [], missingData: [] });

      const between = await report(staff.token, { from: daysAgo(100), to: daysAgo(100) }).expect(200);
      expectLists(between.body, {
        overdue: all.overdue.filter((row) => row.surgeryDate === daysAgo(100)),
        unsignedDrafts: [],
        missingData: all.missingData,
      });
    });

    it('combines filters', async () => {
      const response = await report(staff.token, {
        surgeonId: surgeonA.id,
        releaseLocation: 'lesser_trochanter',
      }).expect(200);
      expectLists(response.body, { overdue: ofCases(all.overdue, [c.old]), unsignedDrafts: [], missingData: [] });
    });

    it('refuses a malformed filter with a 400 naming it', async () => {
      const response = await report(staff.token, { releaseLocation: 'femoral_neck' });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        expect.objectContaining({ field: 'releaseLocation', code: 'invalid_code' }),
      ]);
    });
  });

  describe('who sees what', () => {
    it('shows a surgeon only their own cases', async () => {
      const a = await report(surgeonA.token).expect(200);
      expectLists(a.body, {
        overdue: ofSurgeon(all.overdue, surgeonA),
        unsignedDrafts: ofSurgeon(all.unsignedDrafts, surgeonA),
        missingData: ofSurgeon(all.missingData, surgeonA),
      });
      expect(a.body.filters).toMatchObject({ surgeonId: surgeonA.id });
      const b = await report(surgeonB.token).expect(200);
      expectLists(b.body, {
        overdue: ofSurgeon(all.overdue, surgeonB),
        unsignedDrafts: ofSurgeon(all.unsignedDrafts, surgeonB),
        missingData: ofSurgeon(all.missingData, surgeonB),
      });
      const own = await report(surgeonA.token, { surgeonId: surgeonA.id }).expect(200);
      expectLists(own.body, a.body as { overdue: Body[]; unsignedDrafts: Body[]; missingData: Body[] });
    });

    it("applies the other filters within a surgeon's own cases", async () => {
      const response = await report(surgeonA.token, { releaseLocation: 'lesser_trochanter' }).expect(200);
      expectLists(response.body, { overdue: ofCases(all.overdue, [c.old]), unsignedDrafts: [], missingData: [] });
    });

    it("forbids a surgeon to ask for another surgeon's cases (403)", async () => {
      const response = await report(surgeonA.token, { surgeonId: surgeonB.id });
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('forbidden');
    });

    it("shows admin every surgeon's cases", async () => {
      const response = await report(admin).expect(200);
      expectLists(response.body, all);
    });

    it('forbids quality reviewers (403)', async () => {
      const response = await report(reviewer.token);
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('forbidden');
    });

    it('requires credentials (401)', async () => {
      const response = await t.http().get('/api/v1/reports/data-quality');
      expect(response.status).toBe(401);
    });
  });
});
