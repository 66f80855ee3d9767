import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

// DOMAIN.md § Complication over real HTTP: creation of each kind, every consistency rule violated
// once (400 naming the field, nothing written), safe updates and deletion, and who may do what.

type Body = Record<string, any>;

// Calendar-date arithmetic in UTC (DOMAIN.md: day differences are computed on dates).
function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

// The surgery date of newCaseBody().
const SURGERY = '2025-03-14';
const today = new Date().toISOString().slice(0, 10);
const tomorrow = addDays(today, 1);

describe('complications (e2e)', () => {
  let t: TestApp;
  let surgeon: TestUser;
  let otherSurgeon: TestUser;
  let staff: TestUser;
  let reviewer: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    [surgeon, otherSurgeon, staff, reviewer] = await Promise.all([
      t.factories.newUser({ role: 'surgeon' }),
      t.factories.newUser({ role: 'surgeon' }),
      t.factories.newUser({ role: 'registry_staff' }),
      t.factories.newUser({ role: 'quality_reviewer' }),
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  const as = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });

  const createCase = async (user: TestUser = surgeon, overrides: Body = {}): Promise<Body> => {
    const response = await t.http().post('/api/v1/cases').set(as(user)).send(newCaseBody(overrides));
    if (response.status !== 201)
      throw new Error(`case creation failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const createVisit = async (caseId: string, visitDate: string, user: TestUser = surgeon): Promise<Body> => {
    const response = await t
      .http()
      .post(`/api/v1/cases/${caseId}/follow-ups`)
      .set(as(user))
      .send({ visitDate, contactMode: 'clinic' });
    if (response.status !== 201)
      throw new Error(`visit creation failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const postComplication = (caseId: string, body: Body, user: TestUser = surgeon) =>
    t.http().post(`/api/v1/cases/${caseId}/complications`).set(as(user)).send(body);
  const createComplication = async (caseId: string, body: Body, user: TestUser = surgeon): Promise<Body> => {
    const response = await postComplication(caseId, body, user);
    if (response.status !== 201)
      throw new Error(`complication creation failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const readCase = async (caseId: string, user: TestUser = surgeon): Promise<Body> =>
    (await t.http().get(`/api/v1/cases/${caseId}`).set(as(user)).expect(200)).body;

  // What a request may have written: every complication row (live or deleted) and every audit event.
  async function written(): Promise<{ complications: number; auditEvents: number }> {
    const [row] = await t.dataSource.query(`SELECT
      (SELECT count(*)::int FROM complications) AS "complications",
      (SELECT count(*)::int FROM audit_events) AS "auditEvents"`);
    return row;
  }

  // Exactly one field error, with this path and code, in an application/problem+json 400.
  function expectOnlyFieldError(response: Response, field: string, code: string): void {
    expect({ status: response.status, errors: response.body?.errors }).toEqual({
      status: 400,
      errors: [expect.objectContaining({ field, code, message: expect.any(String) })],
    });
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 400, code: 'validation_failed' });
  }

  describe('creation of each kind', () => {
    let theCase: Body;
    let visit: Body;
    const created: Body[] = [];

    const expected = (body: Body): Body => ({
      id: expect.any(String),
      caseId: theCase.id,
      type: body.type,
      onsetDate: body.onsetDate,
      onsetDay: daysBetween(SURGERY, body.onsetDate),
      brookerGrade: body.brookerGrade ?? null,
      recurrenceCause: body.recurrenceCause ?? null,
      sinkGrade: body.sinkGrade,
      clavienDindo: body.clavienDindo ?? null,
      reoperation: body.reoperation ?? null,
      resolvedDate: body.resolvedDate ?? null,
      followUpId: body.followUpId ?? null,
      description: body.description ?? null,
      version: 1,
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      updatedAt: expect.any(String),
    });

    async function expectCreated(body: Body): Promise<Body> {
      const before = await written();
      const response = await postComplication(theCase.id, body);
      expect({ status: response.status, errors: response.body?.errors }).toEqual({ status: 201, errors: undefined });
      expect(response.headers.location).toBe(`/api/v1/complications/${response.body.id}`);
      expect(response.headers.etag).toBe('"1"');
      expect(response.body).toEqual(expected(body));
      expect((await written()).complications).toBe(before.complications + 1);
      created.push(response.body);
      const read = await readCase(theCase.id);
      expect(read.complications).toContainEqual(response.body);
      return response.body;
    }

    beforeAll(async () => {
      theCase = await createCase();
      visit = await createVisit(theCase.id, '2025-04-25');
    });

    it('records heterotopic ossification with its Brooker grade and the onset day from surgery', async () => {
      const body = await expectCreated({
        type: 'heterotopic_ossification',
        onsetDate: '2025-05-09',
        brookerGrade: 3,
        sinkGrade: 2,
      });
      expect(body.onsetDay).toBe(56);
      expect(body.brookerGrade).toBe(3);
    });

    it('records recurrent snapping with its cause, a revision release and Sink grade 3', async () => {
      const body = await expectCreated({
        type: 'recurrent_snapping',
        onsetDate: '2025-06-13',
        recurrenceCause: 'incomplete_release',
        sinkGrade: 3,
        reoperation: { date: '2025-09-01', procedure: 'revision_release' },
        resolvedDate: '2025-10-15',
      });
      expect(body.onsetDay).toBe(91);
      expect(body.reoperation).toEqual({ date: '2025-09-01', procedure: 'revision_release' });
    });

    it('records a conversion to arthroplasty with a total hip arthroplasty and Sink grade 3', async () => {
      const body = await expectCreated({
        type: 'conversion_to_arthroplasty',
        onsetDate: '2026-03-14',
        sinkGrade: 3,
        reoperation: { date: '2026-04-20', procedure: 'total_hip_arthroplasty' },
      });
      expect(body.onsetDay).toBe(365);
    });

    it('records an "other" complication with its description, a Clavien–Dindo grade and the visit where it was found', async () => {
      const body = await expectCreated({
        type: 'other',
        onsetDate: '2025-04-25',
        sinkGrade: 1,
        description: 'Transient numbness around the distal portal',
        clavienDindo: 'I',
        followUpId: visit.id,
      });
      expect(body).toMatchObject({
        onsetDay: 42,
        clavienDindo: 'I',
        followUpId: visit.id,
        description: 'Transient numbness around the distal portal',
      });
    });

    it('records a complication on the day of surgery (onset day 0) with a Clavien–Dindo grade', async () => {
      const body = await expectCreated({
        type: 'deep_vein_thrombosis',
        onsetDate: SURGERY,
        sinkGrade: 2,
        clavienDindo: 'II',
        resolvedDate: '2025-05-01',
      });
      expect(body.onsetDay).toBe(0);
    });

    it('shows every live complication in the case view, ordered by onset', async () => {
      const read = await readCase(theCase.id);
      expect(read.complications).toHaveLength(created.length);
      expect(read.complications.map((c: Body) => c.onsetDate)).toEqual(created.map((c) => c.onsetDate).sort());
      expect(new Set(read.complications.map((c: Body) => c.id))).toEqual(new Set(created.map((c) => c.id)));
    });
  });

  describe('consistency rules (DOMAIN.md § Complication)', () => {
    let theCase: Body;
    let otherCaseVisit: Body;
    const base = { type: 'lfcn_neuropraxia', onsetDate: '2025-03-20', sinkGrade: 1 };

    beforeAll(async () => {
      theCase = await createCase();
      const otherCase = await createCase();
      otherCaseVisit = await createVisit(otherCase.id, '2025-04-25');
    });

    async function expectRejected(body: Body, field: string, code: string): Promise<void> {
      const before = await written();
      const response = await postComplication(theCase.id, body);
      expectOnlyFieldError(response, field, code);
      expect(await written()).toEqual(before);
    }

    it('accepts the valid base complication used below', async () => {
      const created = await createComplication(theCase.id, base);
      expect(created).toMatchObject({ ...base, onsetDay: 6, brookerGrade: null, recurrenceCause: null });
    });

    it('rejects a Brooker grade on a complication that is not heterotopic ossification', async () => {
      await expectRejected({ ...base, brookerGrade: 2 }, 'brookerGrade', 'not_allowed');
    });

    it('rejects heterotopic ossification without a Brooker grade', async () => {
      await expectRejected(
        { type: 'heterotopic_ossification', onsetDate: '2025-05-01', sinkGrade: 1 },
        'brookerGrade',
        'required',
      );
    });

    it('rejects Brooker grade 5 (grades are I–IV)', async () => {
      await expectRejected(
        { type: 'heterotopic_ossification', onsetDate: '2025-05-01', sinkGrade: 1, brookerGrade: 5 },
        'brookerGrade',
        'out_of_range',
      );
    });

    it('rejects Brooker grade 0 (grades are I–IV)', async () => {
      await expectRejected(
        { type: 'heterotopic_ossification', onsetDate: '2025-05-01', sinkGrade: 1, brookerGrade: 0 },
        'brookerGrade',
        'out_of_range',
      );
    });

    it('rejects recurrent snapping without a recurrence cause', async () => {
      await expectRejected(
        { type: 'recurrent_snapping', onsetDate: '2025-06-01', sinkGrade: 2 },
        'recurrenceCause',
        'required',
      );
    });

    it('rejects a recurrence cause on a complication that is not recurrent snapping', async () => {
      await expectRejected({ ...base, recurrenceCause: 'bifid_tendon' }, 'recurrenceCause', 'not_allowed');
    });

    it('rejects a complication without a Sink grade', async () => {
      await expectRejected({ type: 'lfcn_neuropraxia', onsetDate: '2025-03-20' }, 'sinkGrade', 'required');
    });

    it('rejects Sink grade 0 (grades are 1–5)', async () => {
      await expectRejected({ ...base, sinkGrade: 0 }, 'sinkGrade', 'out_of_range');
    });

    it('rejects Sink grade 6 (grades are 1–5)', async () => {
      await expectRejected({ ...base, sinkGrade: 6 }, 'sinkGrade', 'out_of_range');
    });

    it('rejects an unknown Clavien–Dindo code', async () => {
      await expectRejected({ ...base, clavienDindo: 'III' }, 'clavienDindo', 'invalid_code');
    });

    it('rejects a reoperation dated before the onset', async () => {
      await expectRejected(
        {
          type: 'deep_infection',
          onsetDate: '2025-04-10',
          sinkGrade: 3,
          reoperation: { date: '2025-04-09', procedure: 'washout' },
        },
        'reoperation.date',
        'before_onset',
      );
    });

    it('rejects a reoperation with a Sink grade below 3', async () => {
      await expectRejected(
        {
          type: 'deep_infection',
          onsetDate: '2025-04-10',
          sinkGrade: 2,
          reoperation: { date: '2025-04-12', procedure: 'washout' },
        },
        'sinkGrade',
        'reoperation_needs_grade_3',
      );
    });

    it('rejects a conversion to arthroplasty without a reoperation', async () => {
      await expectRejected(
        { type: 'conversion_to_arthroplasty', onsetDate: '2025-09-01', sinkGrade: 3 },
        'reoperation.procedure',
        'conversion_needs_arthroplasty',
      );
    });

    it('rejects a conversion to arthroplasty whose reoperation is not a total hip arthroplasty', async () => {
      await expectRejected(
        {
          type: 'conversion_to_arthroplasty',
          onsetDate: '2025-09-01',
          sinkGrade: 3,
          reoperation: { date: '2025-10-01', procedure: 'revision_arthroscopy' },
        },
        'reoperation.procedure',
        'conversion_needs_arthroplasty',
      );
    });

    it('rejects a resolution dated before the onset', async () => {
      await expectRejected({ ...base, resolvedDate: '2025-03-19' }, 'resolvedDate', 'before_onset');
    });

    it('rejects an onset before the surgery date', async () => {
      await expectRejected({ ...base, onsetDate: addDays(SURGERY, -1) }, 'onsetDate', 'before_surgery');
    });

    it('rejects an onset in the future', async () => {
      await expectRejected({ ...base, onsetDate: tomorrow }, 'onsetDate', 'in_future');
    });

    it('rejects a followUpId naming a visit of another case', async () => {
      await expectRejected({ ...base, followUpId: otherCaseVisit.id }, 'followUpId', 'other_case');
    });

    it('rejects a followUpId naming no visit at all', async () => {
      await expectRejected({ ...base, followUpId: '00000000-0000-4000-8000-000000000000' }, 'followUpId', 'other_case');
    });

    it('rejects type "other" without a description', async () => {
      await expectRejected({ type: 'other', onsetDate: '2025-03-20', sinkGrade: 1 }, 'description', 'required');
    });

    it('rejects an unknown complication type', async () => {
      await expectRejected({ ...base, type: 'psoas_bursitis' }, 'type', 'invalid_code');
    });

    it('rejects an unknown reoperation procedure', async () => {
      await expectRejected(
        {
          type: 'deep_infection',
          onsetDate: '2025-04-10',
          sinkGrade: 3,
          reoperation: { date: '2025-04-12', procedure: 'amputation' },
        },
        'reoperation.procedure',
        'invalid_code',
      );
    });

    it('rejects an unknown property', async () => {
      await expectRejected({ ...base, grade: 2 }, 'grade', 'unknown_property');
    });
  });

  describe('updates and deletion', () => {
    let theCase: Body;

    beforeAll(async () => {
      theCase = await createCase();
    });

    const patch = (id: string, body: Body, ifMatch?: string, user: TestUser = surgeon) => {
      const request = t.http().patch(`/api/v1/complications/${id}`).set(as(user));
      if (ifMatch !== undefined) request.set('If-Match', ifMatch);
      return request.send(body);
    };
    const remove = (id: string, body: Body, ifMatch?: string, user: TestUser = surgeon) => {
      const request = t.http().delete(`/api/v1/complications/${id}`).set(as(user));
      if (ifMatch !== undefined) request.set('If-Match', ifMatch);
      return request.send(body);
    };

    it('requires If-Match (428), refuses a stale one (412), and applies a valid change with ETag "2"', async () => {
      const created = await createComplication(theCase.id, {
        type: 'lfcn_neuropraxia',
        onsetDate: '2025-03-20',
        sinkGrade: 1,
      });
      const missing = await patch(created.id, { resolvedDate: '2025-05-01' });
      expect(missing.status).toBe(428);
      expect(missing.body.code).toBe('precondition_required');

      const changed = await patch(created.id, { resolvedDate: '2025-05-01' }, '"1"');
      expect(changed.status).toBe(200);
      expect(changed.headers.etag).toBe('"2"');
      expect(changed.body).toMatchObject({
        id: created.id,
        resolvedDate: '2025-05-01',
        version: 2,
        type: 'lfcn_neuropraxia',
        sinkGrade: 1,
      });

      const stale = await patch(created.id, { sinkGrade: 2 }, '"1"');
      expect(stale.status).toBe(412);
      expect(stale.body.code).toBe('precondition_failed');

      const read = await readCase(theCase.id);
      expect(read.complications.find((c: Body) => c.id === created.id)).toMatchObject({
        resolvedDate: '2025-05-01',
        sinkGrade: 1,
        version: 2,
      });
    });

    it('checks the rules on the merged record and changes nothing when they fail', async () => {
      const created = await createComplication(theCase.id, {
        type: 'hip_flexor_weakness',
        onsetDate: '2025-04-01',
        sinkGrade: 2,
        resolvedDate: '2025-06-01',
      });
      const before = await written();

      const noGrade = await patch(created.id, { type: 'heterotopic_ossification' }, '"1"');
      expectOnlyFieldError(noGrade, 'brookerGrade', 'required');
      // The stored resolution date now precedes the new onset.
      const lateOnset = await patch(created.id, { onsetDate: '2025-07-01' }, '"1"');
      expectOnlyFieldError(lateOnset, 'resolvedDate', 'before_onset');
      const reoperation = await patch(
        created.id,
        { reoperation: { date: '2025-05-01', procedure: 'revision_arthroscopy' } },
        '"1"',
      );
      expectOnlyFieldError(reoperation, 'sinkGrade', 'reoperation_needs_grade_3');

      expect(await written()).toEqual(before);
      const read = await readCase(theCase.id);
      expect(read.complications.find((c: Body) => c.id === created.id)).toEqual(created);

      const fixed = await patch(created.id, { type: 'heterotopic_ossification', brookerGrade: 1 }, '"1"');
      expect(fixed.status).toBe(200);
      expect(fixed.body).toMatchObject({ type: 'heterotopic_ossification', brookerGrade: 1, version: 2 });
    });

    it('soft-deletes with a reason and If-Match: gone from the case view, kept in the table', async () => {
      const created = await createComplication(theCase.id, {
        type: 'superficial_infection',
        onsetDate: '2025-03-25',
        sinkGrade: 2,
      });
      const noIfMatch = await remove(created.id, { reason: 'entered on the wrong case' });
      expect(noIfMatch.status).toBe(428);
      const noReason = await remove(created.id, {}, '"1"');
      expectOnlyFieldError(noReason, 'reason', 'required');
      const stale = await remove(created.id, { reason: 'entered on the wrong case' }, '"2"');
      expect(stale.status).toBe(412);
      expect((await readCase(theCase.id)).complications.map((c: Body) => c.id)).toContain(created.id);

      const deleted = await remove(created.id, { reason: 'entered on the wrong case' }, '"1"');
      expect(deleted.status).toBe(204);
      expect((await readCase(theCase.id)).complications.map((c: Body) => c.id)).not.toContain(created.id);
      const [row] = await t.dataSource.query(
        'SELECT deleted_at, deleted_by, delete_reason FROM complications WHERE id = $1',
        [created.id],
      );
      expect(row).toMatchObject({ deleted_by: surgeon.id, delete_reason: 'entered on the wrong case' });
      expect(row.deleted_at).toBeInstanceOf(Date);

      expect((await patch(created.id, { sinkGrade: 3 }, '"1"')).status).toBe(404);
      expect((await remove(created.id, { reason: 'again' }, '"1"')).status).toBe(404);
    });

    it('records creation, each changed field and the deletion reason in the case history', async () => {
      const created = await createComplication(theCase.id, {
        type: 'pudendal_neuropraxia',
        onsetDate: '2025-03-15',
        sinkGrade: 1,
      });
      await patch(created.id, { resolvedDate: '2025-04-15', clavienDindo: 'I' }, '"1"').expect(200);
      await remove(created.id, { reason: 'duplicate of another record' }, '"2"').expect(204);

      const history = await t.http().get(`/api/v1/cases/${theCase.id}/history`).set(as(surgeon)).expect(200);
      const events = history.body.items.filter((e: Body) => e.entity === 'complication' && e.entityId === created.id);
      expect(events.map((e: Body) => e.action)).toEqual(['create', 'update', 'delete']);
      expect(events[0].changes).toEqual(
        expect.arrayContaining([
          { field: 'type', from: null, to: 'pudendal_neuropraxia' },
          { field: 'onsetDate', from: null, to: '2025-03-15' },
          { field: 'sinkGrade', from: null, to: 1 },
        ]),
      );
      expect(events[1].changes).toHaveLength(2);
      expect(events[1].changes).toEqual(
        expect.arrayContaining([
          { field: 'resolvedDate', from: null, to: '2025-04-15' },
          { field: 'clavienDindo', from: null, to: 'I' },
        ]),
      );
      expect(events[2]).toMatchObject({
        action: 'delete',
        reason: 'duplicate of another record',
        actor: { id: surgeon.id },
      });
      expect(history.body.chainIntact).toBe(true);
    });

    it('refuses to delete a visit that a live complication names (409), and allows it once that complication is gone', async () => {
      const visit = await createVisit(theCase.id, '2025-05-02');
      const complication = await createComplication(theCase.id, {
        type: 'persistent_groin_pain',
        onsetDate: '2025-05-02',
        sinkGrade: 2,
        followUpId: visit.id,
      });

      const refused = await t
        .http()
        .delete(`/api/v1/follow-ups/${visit.id}`)
        .set(as(surgeon))
        .set('If-Match', '"1"')
        .send({ reason: 'wrong date' });
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('conflict');
      const [row] = await t.dataSource.query('SELECT deleted_at FROM follow_ups WHERE id = $1', [visit.id]);
      expect(row.deleted_at).toBeNull();
      expect((await readCase(theCase.id)).followUps.map((v: Body) => v.id)).toContain(visit.id);

      await remove(complication.id, { reason: 'recorded twice' }, '"1"').expect(204);
      await t
        .http()
        .delete(`/api/v1/follow-ups/${visit.id}`)
        .set(as(surgeon))
        .set('If-Match', '"1"')
        .send({ reason: 'wrong date' })
        .expect(204);
    });
  });

  describe('access', () => {
    let theCase: Body;
    let complication: Body;

    beforeAll(async () => {
      theCase = await createCase(surgeon);
      complication = await createComplication(theCase.id, {
        type: 'other',
        onsetDate: '2025-04-02',
        sinkGrade: 1,
        description: 'Patient reports the neighbour saw the scar',
        clavienDindo: 'I',
      });
    });

    it("hides another surgeon's case: adding, changing and deleting its complications are 404s that write nothing", async () => {
      const before = await written();
      const added = await postComplication(
        theCase.id,
        { type: 'lfcn_neuropraxia', onsetDate: '2025-03-20', sinkGrade: 1 },
        otherSurgeon,
      );
      expect(added.status).toBe(404);
      expect(added.body.code).toBe('not_found');
      const changed = await t
        .http()
        .patch(`/api/v1/complications/${complication.id}`)
        .set(as(otherSurgeon))
        .set('If-Match', '"1"')
        .send({ sinkGrade: 2 });
      expect(changed.status).toBe(404);
      const deleted = await t
        .http()
        .delete(`/api/v1/complications/${complication.id}`)
        .set(as(otherSurgeon))
        .set('If-Match', '"1"')
        .send({ reason: 'mine now' });
      expect(deleted.status).toBe(404);
      expect(await written()).toEqual(before);
      const read = await readCase(theCase.id);
      expect(read.complications.find((c: Body) => c.id === complication.id)).toMatchObject({
        sinkGrade: 1,
        version: 1,
      });
    });

    it('lets registry staff add and correct complications on any case', async () => {
      const added = await postComplication(
        theCase.id,
        { type: 'lfcn_neuropraxia', onsetDate: '2025-03-21', sinkGrade: 1 },
        staff,
      );
      expect(added.status).toBe(201);
      const corrected = await t
        .http()
        .patch(`/api/v1/complications/${added.body.id}`)
        .set(as(staff))
        .set('If-Match', '"1"')
        .send({ sinkGrade: 2 });
      expect(corrected.status).toBe(200);
      expect(corrected.body).toMatchObject({ sinkGrade: 2, version: 2 });
      const read = await readCase(theCase.id);
      expect(read.complications.find((c: Body) => c.id === added.body.id)).toMatchObject({ sinkGrade: 2, version: 2 });
    });

    it('forbids quality reviewers to add or change complications (403)', async () => {
      const before = await written();
      const added = await postComplication(
        theCase.id,
        { type: 'lfcn_neuropraxia', onsetDate: '2025-03-20', sinkGrade: 1 },
        reviewer,
      );
      expect(added.status).toBe(403);
      expect(added.body.code).toBe('forbidden');
      const changed = await t
        .http()
        .patch(`/api/v1/complications/${complication.id}`)
        .set(as(reviewer))
        .set('If-Match', '"1"')
        .send({ sinkGrade: 2 });
      expect(changed.status).toBe(403);
      expect(await written()).toEqual(before);
    });

    it('shows quality reviewers a complication without its free-text description', async () => {
      const read = await readCase(theCase.id, reviewer);
      const seen = read.complications.find((c: Body) => c.id === complication.id);
      expect(seen).toMatchObject({ type: 'other', onsetDay: 19, sinkGrade: 1, clavienDindo: 'I' });
      expect(seen).not.toHaveProperty('description');
      expect(JSON.stringify(read)).not.toContain('neighbour');
      const bySurgeon = await readCase(theCase.id, surgeon);
      expect(bySurgeon.complications.find((c: Body) => c.id === complication.id).description).toBe(
        'Patient reports the neighbour saw the scar',
      );
    });
  });
});
