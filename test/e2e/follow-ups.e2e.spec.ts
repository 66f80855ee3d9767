import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

type Body = Record<string, any>;

// Calendar-date arithmetic in UTC (DOMAIN.md: day differences are counted on dates, never instants).
const DAY_MS = 86_400_000;
const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const todayUtc = (): string => new Date().toISOString().slice(0, 10);

// Far enough in the past that every visit of the edge table (up to day 2009) is not in the future.
const SURGERY = '2019-01-10';
// Born 1990: 28 at surgery, inside the 10–100 age rule.
const PATIENT_BIRTH_DATE = '1990-04-02';

// mHHS answers (DOMAIN.md § PROMs): every item at its best, and a mixed complete set.
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
// slight 40 + slight 8 + cane_long_walks 7 + six_blocks 8 + normally_with_railing 2 + with_difficulty 2 + high_chair_half_hour 3 + able 1
const MHHS_MIXED_RAW = 40 + 8 + 7 + 8 + 2 + 2 + 3 + 1; // 71

// iHOT-12, 10 of 12 answered: 80 + 65.5 + 90 + 100 + 40 + 75 + 55 + 60 + 85 + 70 = 720.5; mean 72.05.
const IHOT_10 = [80, 65.5, null, 90, 100, 40, null, 75, 55, 60, 85, 70];
const IHOT_9 = [80, 65.5, null, 90, 100, 40, null, 75, null, 60, 85, 70];

// HOS-ADL, 14 answered and 3 'na': 4+4+3+2+4+4+3+3+4+1+4+2+3+4 = 45; 45 ÷ (4 × 14) × 100 = 80.357…
const HOS_ADL_14 = [4, 4, 3, 'na', 2, 4, 4, 'na', 3, 3, 4, 1, 'na', 4, 2, 3, 4];
const HOS_ADL_13 = [4, 4, 3, 'na', 2, 4, 4, 'na', 3, 3, 4, 1, 'na', 4, 2, 3, 'na'];

// HOS-Sport, 7 answered (one 'na', one null): 3+2+4+1+3+2+4 = 19; 19 ÷ (4 × 7) × 100 = 67.857…
const HOS_SPORT_7 = [3, 2, 'na', 4, 1, null, 3, 2, 4];
const HOS_SPORT_6 = [3, 2, 'na', 4, 1, null, 3, 2, 'na'];

// NAHS, 20 items: 4+3+4+2+3+4+4+1+0+3+4+4+2+3+3+4+2+4+3+4 = 61; complete → 61 × 1.25 = 76.25.
const NAHS_20 = [4, 3, 4, 2, 3, 4, 4, 1, 0, 3, 4, 4, 2, 3, 3, 4, 2, 4, 3, 4];
// Items 0 and 1 unanswered: 61 − 4 − 3 = 54 over 18 items, mean 3, × 25 = 75.
const NAHS_18 = [null, null, ...NAHS_20.slice(2)];
const NAHS_17 = [null, null, null, ...NAHS_20.slice(3)];

const EQ5D5L = { mobility: 2, selfCare: 1, usualActivities: 3, painDiscomfort: 2, anxietyDepression: 1, vas: 75 };

describe('follow-ups (e2e)', () => {
  let t: TestApp;
  let surgeon: TestUser;
  let otherSurgeon: TestUser;
  let staff: TestUser;
  let reviewer: TestUser;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    [surgeon, otherSurgeon, staff, reviewer] = await Promise.all([
      t.factories.newUser({ role: 'surgeon' }),
      t.factories.newUser({ role: 'surgeon' }),
      t.factories.newUser({ role: 'registry_staff' }),
      t.factories.newUser({ role: 'quality_reviewer' }),
    ]);
    admin = await t.factories.admin();
  });
  afterAll(async () => {
    await t.close();
  });

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const createCase = async (user: TestUser = surgeon, surgeryDate = SURGERY): Promise<Body> => {
    const body = newCaseBody({ surgeryDate });
    (body.patient as Body).birthDate = PATIENT_BIRTH_DATE;
    const response = await t.http().post('/api/v1/cases').set(as(user.token)).send(body);
    if (response.status !== 201)
      throw new Error(`case creation failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const visitBody = (visitDate: string, extra: Body = {}): Body => ({ visitDate, contactMode: 'clinic', ...extra });
  const addVisit = async (caseId: string, body: Body, token = surgeon.token): Promise<Body> => {
    const response = await t.http().post(`/api/v1/cases/${caseId}/follow-ups`).set(as(token)).send(body);
    if (response.status !== 201)
      throw new Error(`follow-up creation failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const readCase = async (caseId: string, token = surgeon.token): Promise<Body> =>
    (await t.http().get(`/api/v1/cases/${caseId}`).set(as(token)).expect(200)).body;
  const count = async (table: string) =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

  describe('timepoint derivation', () => {
    let theCase: Body;
    beforeAll(async () => {
      theCase = await createCase();
    });

    it.each([
      [-181, 'unscheduled'],
      [-180, 'preop'],
      [0, 'preop'],
      [1, 'unscheduled'],
      [27, 'unscheduled'],
      [28, '6w'],
      [69, '6w'],
      [70, '3m'],
      [134, '3m'],
      [135, '6m'],
      [269, '6m'],
      [270, '1y'],
      [545, '1y'],
      [546, '2y'],
      [912, '2y'],
      [913, 'unscheduled'],
      [1642, 'unscheduled'],
      [1643, '5y'],
      [2008, '5y'],
      [2009, 'unscheduled'],
    ])('a visit on day %i after surgery is %s', async (day, timepoint) => {
      const visitDate = addDays(SURGERY, day);
      const response = await t
        .http()
        .post(`/api/v1/cases/${theCase.id}/follow-ups`)
        .set(as(surgeon.token))
        .send(visitBody(visitDate))
        .expect(201);
      expect(response.body).toMatchObject({ caseId: theCase.id, visitDate, day, timepoint, version: 1 });
      expect(response.headers.location).toBe(`/api/v1/follow-ups/${response.body.id}`);
      expect(response.headers.etag).toBe('"1"');
      const read = await readCase(theCase.id);
      expect(read.followUps.find((v: Body) => v.id === response.body.id)).toMatchObject({ visitDate, day, timepoint });
    });

    it('refuses a visit date in the future (visitDate in_future) and writes nothing', async () => {
      const before = await count('follow_ups');
      const response = await t
        .http()
        .post(`/api/v1/cases/${theCase.id}/follow-ups`)
        .set(as(surgeon.token))
        .send(visitBody(addDays(todayUtc(), 2)))
        .expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'visitDate', code: 'in_future' })]);
      expect(await count('follow_ups')).toBe(before);
    });

    it("re-derives day and timepoint of every visit when the case's surgery date changes", async () => {
      const own = await createCase();
      const onDay = async (day: number) => (await addVisit(own.id, visitBody(addDays(SURGERY, day)))).id as string;
      const ids = { d0: await onDay(0), d28: await onDay(28), d70: await onDay(70), d135: await onDay(135) };

      // One day later: every visit moves one day earlier relative to surgery, across each window edge.
      const newSurgery = addDays(SURGERY, 1);
      await t
        .http()
        .patch(`/api/v1/cases/${own.id}`)
        .set(as(surgeon.token))
        .send({ surgeryDate: newSurgery })
        .expect(428);
      const patched = await t
        .http()
        .patch(`/api/v1/cases/${own.id}`)
        .set(as(surgeon.token))
        .set('If-Match', `"${own.version}"`)
        .send({ surgeryDate: newSurgery })
        .expect(200);
      expect(patched.body.surgeryDate).toBe(newSurgery);

      const read = await readCase(own.id);
      const byId = (id: string) => read.followUps.find((v: Body) => v.id === id);
      expect(byId(ids.d0)).toMatchObject({ visitDate: SURGERY, day: -1, timepoint: 'preop' });
      expect(byId(ids.d28)).toMatchObject({ visitDate: addDays(SURGERY, 28), day: 27, timepoint: 'unscheduled' });
      expect(byId(ids.d70)).toMatchObject({ visitDate: addDays(SURGERY, 70), day: 69, timepoint: '6w' });
      expect(byId(ids.d135)).toMatchObject({ visitDate: addDays(SURGERY, 135), day: 134, timepoint: '3m' });
      const [row] = await t.dataSource.query('SELECT day, timepoint FROM follow_ups WHERE id = $1', [ids.d70]);
      expect(row).toEqual({ day: 69, timepoint: '6w' });
    });
  });

  describe('PROM scoring', () => {
    let theCase: Body;
    let nextDay = 270;
    beforeAll(async () => {
      theCase = await createCase();
    });
    const scoreOf = async (proms: Body): Promise<Body> => {
      const visit = await addVisit(theCase.id, visitBody(addDays(SURGERY, nextDay++), { proms }));
      return visit.proms;
    };

    it('scores a complete mHHS as its raw sum times 1.1', async () => {
      const { mhhs } = await scoreOf({ mhhs: MHHS_MIXED });
      expect(mhhs).toMatchObject({ items: MHHS_MIXED, raw: 71, answered: 8, scoringVersion: expect.any(String) });
      expect(mhhs.raw).toBe(MHHS_MIXED_RAW);
      expect(mhhs.score).toBeCloseTo(71 * 1.1, 10); // 78.1
      expect(mhhs).not.toHaveProperty('unscoredReason');
    });

    it('caps an all-best mHHS at 100 (91 × 1.1 = 100.1)', async () => {
      const { mhhs } = await scoreOf({ mhhs: MHHS_BEST });
      // 44 + 11 + 11 + 11 + 4 + 4 + 5 + 1 = 91
      expect(mhhs).toMatchObject({ raw: 91, score: 100, answered: 8 });
    });

    it('leaves an mHHS with one unanswered item without a score, saying why', async () => {
      const { mhhs } = await scoreOf({ mhhs: { ...MHHS_MIXED, stairs: null } });
      expect(mhhs).toMatchObject({
        score: null,
        answered: 7,
        items: { ...MHHS_MIXED, stairs: null },
        scoringVersion: expect.any(String),
      });
      expect(mhhs.unscoredReason).toEqual(expect.any(String));
      expect(mhhs.unscoredReason.length).toBeGreaterThan(0);
    });

    it('scores iHOT-12 as the mean of answered items with 10 answered, and not with 9', async () => {
      const scored = (await scoreOf({ ihot12: IHOT_10 })).ihot12;
      expect(scored).toMatchObject({ items: IHOT_10, answered: 10 });
      expect(scored.score).toBeCloseTo(720.5 / 10, 10); // 72.05
      const unscored = (await scoreOf({ ihot12: IHOT_9 })).ihot12;
      expect(unscored).toMatchObject({ items: IHOT_9, answered: 9, score: null, unscoredReason: expect.any(String) });
    });

    it("scores HOS-ADL over the items answered, leaving 'na' out of the denominator (14 answered scored, 13 not)", async () => {
      const scored = (await scoreOf({ hosAdl: HOS_ADL_14 })).hosAdl;
      expect(scored).toMatchObject({ items: HOS_ADL_14, answered: 14 });
      expect(scored.score).toBeCloseTo((45 / (4 * 14)) * 100, 10); // 80.357142857…
      const unscored = (await scoreOf({ hosAdl: HOS_ADL_13 })).hosAdl;
      expect(unscored).toMatchObject({
        items: HOS_ADL_13,
        answered: 13,
        score: null,
        unscoredReason: expect.any(String),
      });
    });

    it('scores HOS-Sport with 7 of 9 answered and not with 6', async () => {
      const scored = (await scoreOf({ hosSport: HOS_SPORT_7 })).hosSport;
      expect(scored).toMatchObject({ items: HOS_SPORT_7, answered: 7 });
      expect(scored.score).toBeCloseTo((19 / (4 * 7)) * 100, 10); // 67.857142857…
      const unscored = (await scoreOf({ hosSport: HOS_SPORT_6 })).hosSport;
      expect(unscored).toMatchObject({ answered: 6, score: null, unscoredReason: expect.any(String) });
    });

    it('scores NAHS as the mean of answered × 25: sum × 1.25 when complete, scored with 18, not with 17', async () => {
      const complete = (await scoreOf({ nahs: NAHS_20 })).nahs;
      expect(complete).toMatchObject({ answered: 20 });
      expect(complete.score).toBeCloseTo(61 * 1.25, 10); // 76.25
      const eighteen = (await scoreOf({ nahs: NAHS_18 })).nahs;
      expect(eighteen).toMatchObject({ answered: 18 });
      expect(eighteen.score).toBeCloseTo((54 / 18) * 25, 10); // 75
      const seventeen = (await scoreOf({ nahs: NAHS_17 })).nahs;
      expect(seventeen).toMatchObject({ answered: 17, score: null, unscoredReason: expect.any(String) });
    });

    it('stores EQ-5D-5L as given, without a score', async () => {
      const { eq5d5l } = await scoreOf({ eq5d5l: EQ5D5L });
      expect(eq5d5l).toMatchObject({ items: EQ5D5L, score: null, scoringVersion: expect.any(String) });
    });

    it('returns the same scores, each with its scoring version, in GET /cases/:id', async () => {
      const own = await createCase();
      const proms = {
        mhhs: MHHS_MIXED,
        ihot12: IHOT_10,
        hosAdl: HOS_ADL_14,
        hosSport: HOS_SPORT_6,
        nahs: NAHS_20,
        eq5d5l: EQ5D5L,
      };
      const created = await addVisit(own.id, visitBody(addDays(SURGERY, 365), { proms }));
      expect(Object.keys(created.proms).sort()).toEqual(['eq5d5l', 'hosAdl', 'hosSport', 'ihot12', 'mhhs', 'nahs']);
      for (const result of Object.values(created.proms) as Body[]) {
        expect(result.scoringVersion).toMatch(/\S/);
      }
      expect(created.proms.hosAdl.score).toBeCloseTo((45 / 56) * 100, 10);
      expect(created.proms.hosSport.score).toBeNull();
      const read = await readCase(own.id);
      expect(read.followUps).toHaveLength(1);
      expect(read.followUps[0].id).toBe(created.id);
      expect(read.followUps[0].proms).toEqual(created.proms);
      expect(read.followUps[0].proms.mhhs.score).toBeCloseTo(78.1, 10);
      expect(read.followUps[0].proms.nahs.score).toBeCloseTo(76.25, 10);
    });
  });

  describe('validation', () => {
    let theCase: Body;
    beforeAll(async () => {
      theCase = await createCase();
    });
    const post = (body: Body) =>
      t.http().post(`/api/v1/cases/${theCase.id}/follow-ups`).set(as(surgeon.token)).send(body);
    const visitDate = addDays(SURGERY, 400);
    const hosAdlWith = (index: number, value: unknown) => HOS_ADL_14.map((item, i) => (i === index ? value : item));

    it.each([
      ['iHOT-12 with 11 items', { proms: { ihot12: IHOT_10.slice(0, 11) } }, 'proms.ihot12', 'invalid_items'],
      [
        'an iHOT-12 item of 101',
        { proms: { ihot12: IHOT_10.map((item, i) => (i === 3 ? 101 : item)) } },
        'proms.ihot12[3]',
        'out_of_range',
      ],
      ["a HOS-ADL item 'n/a'", { proms: { hosAdl: hosAdlWith(5, 'n/a') } }, 'proms.hosAdl[5]', 'invalid_type'],
      [
        'an unknown mHHS code',
        { proms: { mhhs: { ...MHHS_MIXED, pain: 'unbearable' } } },
        'proms.mhhs.pain',
        'invalid_code',
      ],
      ['an unknown instrument', { proms: { koos: [1, 2, 3] } }, 'proms.koos', 'unknown_property'],
      ['groinPain with two decimals', { groinPain: 6.55 }, 'groinPain', expect.any(String)],
      ['hipFlexionStrength 6', { hipFlexionStrength: 6 }, 'hipFlexionStrength', 'out_of_range'],
      ['an unknown contactMode', { contactMode: 'video_call' }, 'contactMode', 'invalid_code'],
    ])('refuses %s with a field error at its path and writes nothing', async (_name, change, field, code) => {
      const before = { visits: await count('follow_ups'), proms: await count('prom_responses') };
      const response = await post(visitBody(visitDate, { proms: { mhhs: MHHS_MIXED }, ...change })).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 400 });
      expect(response.body.errors).toEqual([expect.objectContaining({ field, code, message: expect.any(String) })]);
      expect({ visits: await count('follow_ups'), proms: await count('prom_responses') }).toEqual(before);
    });

    it("accepts 'na' as a HOS-ADL item and one decimal of groin pain", async () => {
      const created = await post(
        visitBody(visitDate, { groinPain: 6.5, proms: { hosAdl: hosAdlWith(5, 'na') } }),
      ).expect(201);
      expect(created.body.groinPain).toBe(6.5);
      expect(created.body.proms.hosAdl.items[5]).toBe('na');
      // Index 5 (a 4) is now 'na': 45 − 4 = 41 over 13 answered, below the 14 needed.
      expect(created.body.proms.hosAdl).toMatchObject({ answered: 13, score: null });
    });

    it('accepts the other visit fields at their bounds', async () => {
      const created = await post(
        visitBody(visitDate, {
          contactMode: 'remote_questionnaire',
          snapping: 'painless',
          groinPain: 0,
          hipFlexionStrength: 5,
          returnedToSport: 'not_applicable',
          satisfaction: 10,
        }),
      ).expect(201);
      expect(created.body).toMatchObject({
        contactMode: 'remote_questionnaire',
        snapping: 'painless',
        groinPain: 0,
        hipFlexionStrength: 5,
        returnedToSport: 'not_applicable',
        satisfaction: 10,
        proms: {},
      });
    });
  });

  describe('corrections and deletion', () => {
    it('requires If-Match on PATCH (428 without, 412 when stale), changing nothing', async () => {
      const own = await createCase();
      const visit = await addVisit(own.id, visitBody(addDays(SURGERY, 42), { groinPain: 4 }));
      const url = `/api/v1/follow-ups/${visit.id}`;
      const missing = await t.http().patch(url).set(as(surgeon.token)).send({ groinPain: 2 }).expect(428);
      expect(missing.body.code).toBe('precondition_required');
      const first = await t
        .http()
        .patch(url)
        .set(as(surgeon.token))
        .set('If-Match', '"1"')
        .send({ groinPain: 2 })
        .expect(200);
      expect(first.headers.etag).toBe('"2"');
      expect(first.body).toMatchObject({ groinPain: 2, version: 2 });
      const stale = await t
        .http()
        .patch(url)
        .set(as(surgeon.token))
        .set('If-Match', '"1"')
        .send({ groinPain: 8 })
        .expect(412);
      expect(stale.body.code).toBe('precondition_failed');
      const read = await readCase(own.id);
      expect(read.followUps[0]).toMatchObject({ groinPain: 2, version: 2 });
    });

    it('re-scores a replaced instrument, keeps the others, removes one sent as null, and records each change', async () => {
      const own = await createCase();
      const visit = await addVisit(
        own.id,
        visitBody(addDays(SURGERY, 365), { groinPain: 4, proms: { mhhs: MHHS_MIXED, ihot12: IHOT_9, nahs: NAHS_20 } }),
      );
      expect(visit.proms.ihot12.score).toBeNull();
      const url = `/api/v1/follow-ups/${visit.id}`;

      const replaced = await t
        .http()
        .patch(url)
        .set(as(surgeon.token))
        .set('If-Match', '"1"')
        .send({ groinPain: 2.5, proms: { ihot12: IHOT_10 } })
        .expect(200);
      expect(replaced.body.groinPain).toBe(2.5);
      expect(replaced.body.proms.ihot12).toMatchObject({ items: IHOT_10, answered: 10 });
      expect(replaced.body.proms.ihot12.score).toBeCloseTo(72.05, 10);
      expect(replaced.body.proms.mhhs).toEqual(visit.proms.mhhs);
      expect(replaced.body.proms.nahs).toEqual(visit.proms.nahs);

      const removed = await t
        .http()
        .patch(url)
        .set(as(surgeon.token))
        .set('If-Match', `"${replaced.body.version}"`)
        .send({ proms: { nahs: null } })
        .expect(200);
      expect(Object.keys(removed.body.proms).sort()).toEqual(['ihot12', 'mhhs']);
      const rows = await t.dataSource.query(
        'SELECT instrument FROM prom_responses WHERE follow_up_id = $1 ORDER BY instrument',
        [visit.id],
      );
      expect(rows.map((r: Body) => r.instrument)).toEqual(['ihot12', 'mhhs']);

      const read = await readCase(own.id);
      expect(read.followUps[0].proms).toEqual(removed.body.proms);

      const history = await t.http().get(`/api/v1/cases/${own.id}/history`).set(as(surgeon.token)).expect(200);
      const updates = history.body.items.filter((e: Body) => e.entity === 'follow_up' && e.action === 'update');
      expect(updates).toHaveLength(2);
      expect(updates[0]).toMatchObject({ entityId: visit.id, actor: { id: surgeon.id } });
      expect(updates[0].changes).toEqual(
        expect.arrayContaining([
          { field: 'groinPain', from: 4, to: 2.5 },
          { field: 'proms.ihot12', from: IHOT_9, to: IHOT_10 },
        ]),
      );
      expect(updates[0].changes).toHaveLength(2);
      expect(updates[1].changes).toEqual([{ field: 'proms.nahs', from: NAHS_20, to: null }]);
    });

    it('soft-deletes a visit with a reason and If-Match: gone from the case, kept in the table', async () => {
      const own = await createCase();
      const visit = await addVisit(own.id, visitBody(addDays(SURGERY, 91), { proms: { mhhs: MHHS_BEST } }));
      const url = `/api/v1/follow-ups/${visit.id}`;
      await t.http().delete(url).set(as(surgeon.token)).send({ reason: 'entered on the wrong case' }).expect(428);
      await t
        .http()
        .delete(url)
        .set(as(surgeon.token))
        .set('If-Match', '"2"')
        .send({ reason: 'entered on the wrong case' })
        .expect(412);
      const noReason = await t.http().delete(url).set(as(surgeon.token)).set('If-Match', '"1"').send({}).expect(400);
      expect(noReason.body.errors).toEqual([expect.objectContaining({ field: 'reason', code: 'required' })]);
      await t
        .http()
        .delete(url)
        .set(as(surgeon.token))
        .set('If-Match', '"1"')
        .send({ reason: 'entered on the wrong case' })
        .expect(204);

      const read = await readCase(own.id);
      expect(read.followUps).toEqual([]);
      const [row] = await t.dataSource.query(
        'SELECT delete_reason, deleted_by, deleted_at FROM follow_ups WHERE id = $1',
        [visit.id],
      );
      expect(row).toMatchObject({ delete_reason: 'entered on the wrong case', deleted_by: surgeon.id });
      expect(row.deleted_at).not.toBeNull();
      await t.http().patch(url).set(as(surgeon.token)).set('If-Match', '"1"').send({ groinPain: 1 }).expect(404);
      const history = await t.http().get(`/api/v1/cases/${own.id}/history`).set(as(surgeon.token)).expect(200);
      const deletions = history.body.items.filter((e: Body) => e.action === 'delete');
      expect(deletions).toEqual([
        expect.objectContaining({
          entity: 'follow_up',
          entityId: visit.id,
          reason: 'entered on the wrong case',
          actor: expect.objectContaining({ id: surgeon.id }),
        }),
      ]);
    });
  });

  describe('access and idempotency', () => {
    let own: Body;
    let visit: Body;
    beforeAll(async () => {
      own = await createCase(surgeon);
      visit = await addVisit(own.id, visitBody(addDays(SURGERY, 42), { groinPain: 3 }));
    });

    it("a surgeon cannot add, change or delete a visit on another surgeon's case (404), and nothing changes", async () => {
      const other = as(otherSurgeon.token);
      const before = await count('follow_ups');
      const added = await t
        .http()
        .post(`/api/v1/cases/${own.id}/follow-ups`)
        .set(other)
        .send(visitBody(addDays(SURGERY, 91)))
        .expect(404);
      expect(added.body.code).toBe('not_found');
      await t
        .http()
        .patch(`/api/v1/follow-ups/${visit.id}`)
        .set(other)
        .set('If-Match', '"1"')
        .send({ groinPain: 9 })
        .expect(404);
      await t
        .http()
        .delete(`/api/v1/follow-ups/${visit.id}`)
        .set(other)
        .set('If-Match', '"1"')
        .send({ reason: 'x' })
        .expect(404);
      expect(await count('follow_ups')).toBe(before);
      const read = await readCase(own.id);
      expect(read.followUps.find((v: Body) => v.id === visit.id)).toMatchObject({ groinPain: 3, version: 1 });
    });

    it("registry staff add and correct visits on any surgeon's case", async () => {
      const added = await t
        .http()
        .post(`/api/v1/cases/${own.id}/follow-ups`)
        .set(as(staff.token))
        .send(visitBody(addDays(SURGERY, 182), { contactMode: 'telephone' }))
        .expect(201);
      expect(added.body).toMatchObject({ caseId: own.id, timepoint: '6m', contactMode: 'telephone' });
      const corrected = await t
        .http()
        .patch(`/api/v1/follow-ups/${added.body.id}`)
        .set(as(staff.token))
        .set('If-Match', '"1"')
        .send({ satisfaction: 7, proms: { mhhs: MHHS_BEST } })
        .expect(200);
      expect(corrected.body).toMatchObject({ satisfaction: 7, version: 2, proms: { mhhs: { score: 100 } } });
    });

    it('a quality reviewer may not add, change or delete a visit (403), and an anonymous caller gets 401', async () => {
      const before = await count('follow_ups');
      const response = await t
        .http()
        .post(`/api/v1/cases/${own.id}/follow-ups`)
        .set(as(reviewer.token))
        .send(visitBody(addDays(SURGERY, 365)))
        .expect(403);
      expect(response.body.code).toBe('forbidden');
      await t
        .http()
        .patch(`/api/v1/follow-ups/${visit.id}`)
        .set(as(reviewer.token))
        .set('If-Match', '"1"')
        .send({ groinPain: 9 })
        .expect(403);
      await t
        .http()
        .delete(`/api/v1/follow-ups/${visit.id}`)
        .set(as(reviewer.token))
        .set('If-Match', '"1"')
        .send({ reason: 'x' })
        .expect(403);
      await t
        .http()
        .post(`/api/v1/cases/${own.id}/follow-ups`)
        .send(visitBody(addDays(SURGERY, 365)))
        .expect(401);
      expect(await count('follow_ups')).toBe(before);
      const read = await readCase(own.id);
      expect(read.followUps.find((v: Body) => v.id === visit.id)).toMatchObject({ groinPain: 3, version: 1 });
    });

    it('admin adds a visit to any case', async () => {
      const added = await t
        .http()
        .post(`/api/v1/cases/${own.id}/follow-ups`)
        .set(as(admin))
        .send(visitBody(addDays(SURGERY, 730)))
        .expect(201);
      expect(added.body).toMatchObject({ caseId: own.id, timepoint: '2y', day: 730 });
    });

    it('replays the first visit for a retried POST with the same Idempotency-Key, creating nothing new', async () => {
      const body = visitBody(addDays(SURGERY, 400), { proms: { ihot12: IHOT_10 } });
      const url = `/api/v1/cases/${own.id}/follow-ups`;
      const before = { visits: await count('follow_ups'), proms: await count('prom_responses') };
      const first = await t
        .http()
        .post(url)
        .set(as(surgeon.token))
        .set('Idempotency-Key', 'visit-retry-1')
        .send(body)
        .expect(201);
      const retry = await t
        .http()
        .post(url)
        .set(as(surgeon.token))
        .set('Idempotency-Key', 'visit-retry-1')
        .send(body)
        .expect(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.location).toBe(first.headers.location);
      expect({ visits: await count('follow_ups'), proms: await count('prom_responses') }).toEqual({
        visits: before.visits + 1,
        proms: before.proms + 1,
      });
      const reused = await t
        .http()
        .post(url)
        .set(as(surgeon.token))
        .set('Idempotency-Key', 'visit-retry-1')
        .send({ ...body, contactMode: 'telephone' })
        .expect(409);
      expect(reused.body.code).toBe('idempotency_key_reused');
      const read = await readCase(own.id);
      expect(read.followUps.filter((v: Body) => v.visitDate === body.visitDate)).toHaveLength(1);
    });
  });
});
