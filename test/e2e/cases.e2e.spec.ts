import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody, uniqueMrn } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

type Body = Record<string, any>;

describe('cases (e2e)', () => {
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
  const createCase = async (user: TestUser | string, overrides: Body = {}) => {
    const token = typeof user === 'string' ? user : user.token;
    const response = await t.http().post('/api/v1/cases').set(as(token)).send(newCaseBody(overrides));
    if (response.status !== 201)
      throw new Error(`case creation failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response;
  };
  const count = async (table: string) =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

  describe('creation', () => {
    it('round-trips every field of a full case, with the server-managed fields', async () => {
      const body = newCaseBody();
      const created = await t.http().post('/api/v1/cases').set(as(surgeon.token)).send(body).expect(201);
      expect(created.headers.location).toBe(`/api/v1/cases/${created.body.id}`);
      expect(created.headers.etag).toBe('"1"');
      const read = await t.http().get(`/api/v1/cases/${created.body.id}`).set(as(surgeon.token)).expect(200);
      const { patient: _patient, ...fields } = body;
      expect(read.body).toMatchObject(fields);
      expect(read.body).toMatchObject({
        id: created.body.id,
        registryCode: expect.stringMatching(/^ILR-\d{6}$/),
        patientId: expect.any(String),
        surgeonId: surgeon.id,
        status: 'draft',
        version: 1,
        signedAt: null,
        followUps: [],
        complications: [],
      });
      expect(read.body.bmi).toBeCloseTo(61.2 / (1.685 * 1.685), 10);
      expect(new Date(read.body.createdAt).toISOString()).toBe(read.body.createdAt);
      expect(read.headers.etag).toBe('"1"');
    });

    it('records omitted optional lists and fields as not recorded (null), apart from a list given empty (none)', async () => {
      const body = newCaseBody();
      for (const key of [
        'priorIpsilateralSurgery',
        'conservativeTreatment',
        'intraoperativeEvents',
        'symptomDurationMonths',
        'examination',
        'imaging',
        'activityLevel',
        'heightCm',
        'weightKg',
        'notes',
      ])
        delete body[key];
      body.portals = ['anterolateral'];
      delete body.portalsOther;
      const created = await t.http().post('/api/v1/cases').set(as(surgeon.token)).send(body).expect(201);
      expect(created.body).toMatchObject({
        priorIpsilateralSurgery: null,
        conservativeTreatment: null,
        intraoperativeEvents: null,
        symptomDurationMonths: null,
        activityLevel: null,
        heightCm: null,
        weightKg: null,
        bmi: null,
        notes: null,
        portalsOther: null,
        imaging: { alphaAngle: null, tonnisGrade: null },
        examination: { snappingReproduced: null },
      });
      const none = await createCase(surgeon, {
        priorIpsilateralSurgery: [],
        conservativeTreatment: [],
        intraoperativeEvents: [],
      });
      expect(none.body).toMatchObject({
        priorIpsilateralSurgery: [],
        conservativeTreatment: [],
        intraoperativeEvents: [],
      });
      const read = await t.http().get(`/api/v1/cases/${created.body.id}`).set(as(surgeon.token)).expect(200);
      expect(read.body.conservativeTreatment).toBeNull();

      // A PATCH with null clears a list to "not recorded", and [] records "none".
      const patched = await t
        .http()
        .patch(`/api/v1/cases/${none.body.id}`)
        .set(as(surgeon.token))
        .set('If-Match', none.headers.etag)
        .send({ priorIpsilateralSurgery: null, conservativeTreatment: ['rest'] })
        .expect(200);
      expect(patched.body).toMatchObject({
        priorIpsilateralSurgery: null,
        conservativeTreatment: ['rest'],
        intraoperativeEvents: [],
      });

      // The CSV export writes "not recorded" as an empty cell and "none" as the literal none.
      const csv = await t
        .http()
        .get('/api/v1/exports/cases')
        .query({ format: 'csv', identified: 'true' })
        .set(as(admin))
        .buffer(true)
        .parse((response, done) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () => done(null, text));
        })
        .expect(200);
      const rows: Array<Record<string, string>> = parse(csv.body as string, { columns: true, bom: true });
      const row = (code: string) => rows.find((r) => r.registryCode === code)!;
      expect(row(created.body.registryCode)).toMatchObject({
        priorIpsilateralSurgery: '',
        conservativeTreatment: '',
        intraoperativeEvents: '',
      });
      expect(row(none.body.registryCode)).toMatchObject({
        priorIpsilateralSurgery: '',
        conservativeTreatment: 'rest',
        intraoperativeEvents: 'none',
      });
    });

    it('hands out registry codes from a sequence, never twice', async () => {
      const codes = await Promise.all(
        [1, 2, 3, 4].map(async () => (await createCase(surgeon)).body.registryCode as string),
      );
      expect(new Set(codes).size).toBe(4);
      // A failed creation consumes no visible code, and a later one never repeats an earlier one.
      const numbers = codes.map((code) => Number(code.slice(4)));
      const next = Number((await createCase(surgeon)).body.registryCode.slice(4));
      expect(next).toBeGreaterThan(Math.max(...numbers));
    });

    it('links a case to the patient already registered under the MRN (bilateral surgery)', async () => {
      const mrn = uniqueMrn();
      const first = await createCase(surgeon, { patient: { mrn, birthDate: '1985-06-01', sex: 'male' }, side: 'left' });
      const second = await createCase(otherSurgeon, {
        patient: { mrn: mrn.toLowerCase(), birthDate: '1985-06-01', sex: 'male' },
        side: 'right',
      });
      expect(second.body.patientId).toBe(first.body.patientId);
      const third = await t
        .http()
        .post('/api/v1/cases')
        .set(as(surgeon.token))
        .send(newCaseBody({ patientId: first.body.patientId, patient: undefined }))
        .expect(201);
      expect(third.body.patientId).toBe(first.body.patientId);
    });

    it('keeps the MRN encrypted at rest and findable only through its keyed hash', async () => {
      const mrn = uniqueMrn();
      const created = await createCase(surgeon, { patient: { mrn, birthDate: '1990-01-01', sex: 'female' } });
      const [row] = await t.dataSource.query('SELECT mrn_ciphertext, mrn_hash FROM patients WHERE id = $1', [
        created.body.patientId,
      ]);
      expect(row.mrn_ciphertext.toString('latin1')).not.toContain(mrn);
      expect(row.mrn_hash).toMatch(/^[0-9a-f]{64}$/);
      const dump = JSON.stringify(await t.dataSource.query('SELECT * FROM audit_events'));
      expect(dump).not.toContain(mrn);
      expect(JSON.stringify(t.logs)).not.toContain(mrn);
    });

    it('logs a case for another surgeon only for admin and registry staff', async () => {
      const byStaff = await t
        .http()
        .post('/api/v1/cases')
        .set(as(staff.token))
        .send(newCaseBody({ surgeonId: surgeon.id }))
        .expect(201);
      expect(byStaff.body.surgeonId).toBe(surgeon.id);
      await t
        .http()
        .post('/api/v1/cases')
        .set(as(admin))
        .send(newCaseBody({ surgeonId: otherSurgeon.id }))
        .expect(201);
      const bySurgeon = await t
        .http()
        .post('/api/v1/cases')
        .set(as(surgeon.token))
        .send(newCaseBody({ surgeonId: otherSurgeon.id }))
        .expect(403);
      expect(bySurgeon.body.code).toBe('forbidden');
      const noSurgeon = await t.http().post('/api/v1/cases').set(as(staff.token)).send(newCaseBody()).expect(400);
      expect(noSurgeon.body.errors).toEqual([expect.objectContaining({ field: 'surgeonId', code: 'required' })]);
      const notASurgeon = await t
        .http()
        .post('/api/v1/cases')
        .set(as(admin))
        .send(newCaseBody({ surgeonId: staff.id }))
        .expect(400);
      expect(notASurgeon.body.errors).toEqual([expect.objectContaining({ field: 'surgeonId', code: 'not_a_surgeon' })]);
      await t
        .http()
        .post('/api/v1/cases')
        .set(as(reviewer.token))
        .send(newCaseBody({ surgeonId: surgeon.id }))
        .expect(403);
    });
  });

  describe('access', () => {
    let own: Body;
    beforeAll(async () => {
      own = (await createCase(surgeon)).body;
    });

    it("a surgeon cannot read, list, change, sign, delete or see the history of another surgeon's case", async () => {
      const id = own.id;
      const other = as(otherSurgeon.token);
      const notFound = await t.http().get(`/api/v1/cases/${id}`).set(other).expect(404);
      expect(notFound.body.code).toBe('not_found');
      await t.http().patch(`/api/v1/cases/${id}`).set(other).set('If-Match', '"1"').send({ side: 'left' }).expect(404);
      await t.http().post(`/api/v1/cases/${id}/sign`).set(other).expect(404);
      await t.http().delete(`/api/v1/cases/${id}`).set(other).set('If-Match', '"1"').send({ reason: 'x' }).expect(404);
      await t.http().get(`/api/v1/cases/${id}/history`).set(other).expect(404);
      const list = await t.http().get('/api/v1/cases').query({ limit: 500 }).set(other).expect(200);
      expect(list.body.items.map((c: Body) => c.id)).not.toContain(id);
      const asked = await t.http().get('/api/v1/cases').query({ surgeonId: surgeon.id }).set(other).expect(200);
      expect(asked.body.items).toEqual([]);
      await t.http().get(`/api/v1/patients/${own.patientId}`).set(other).expect(404);
      const unchanged = await t.http().get(`/api/v1/cases/${id}`).set(as(surgeon.token)).expect(200);
      expect(unchanged.body.version).toBe(1);
    });

    it("a 404 for another surgeon's case looks exactly like a missing case", async () => {
      const hidden = await t.http().get(`/api/v1/cases/${own.id}`).set(as(otherSurgeon.token)).expect(404);
      const missing = await t
        .http()
        .get('/api/v1/cases/00000000-0000-4000-8000-000000000000')
        .set(as(otherSurgeon.token))
        .expect(404);
      expect({ ...hidden.body, correlationId: 0 }).toEqual({ ...missing.body, correlationId: 0 });
    });

    it('registry staff read every case but may not amend, sign or delete one', async () => {
      await t.http().get(`/api/v1/cases/${own.id}`).set(as(staff.token)).expect(200);
      const list = await t
        .http()
        .get('/api/v1/cases')
        .query({ surgeonId: surgeon.id, limit: 500 })
        .set(as(staff.token))
        .expect(200);
      expect(list.body.items.map((c: Body) => c.id)).toContain(own.id);
      await t
        .http()
        .patch(`/api/v1/cases/${own.id}`)
        .set(as(staff.token))
        .set('If-Match', '"1"')
        .send({ side: 'left' })
        .expect(403);
      await t.http().post(`/api/v1/cases/${own.id}/sign`).set(as(staff.token)).expect(403);
      await t.http().get(`/api/v1/cases/${own.id}/history`).set(as(staff.token)).expect(200);
    });

    it('quality reviewers see cases without free text and patients without MRN or birth date', async () => {
      const read = await t.http().get(`/api/v1/cases/${own.id}`).set(as(reviewer.token)).expect(200);
      expect(read.body).not.toHaveProperty('notes');
      expect(read.body).not.toHaveProperty('portalsOther');
      expect(read.body.release).toEqual(own.release);
      const patient = await t.http().get(`/api/v1/patients/${own.patientId}`).set(as(reviewer.token)).expect(200);
      expect(patient.body).not.toHaveProperty('mrn');
      expect(patient.body).not.toHaveProperty('birthDate');
      expect(patient.body.sex).toBe('female');
      await t.http().get('/api/v1/patients').query({ mrn: 'ANY' }).set(as(reviewer.token)).expect(403);
      await t.http().get(`/api/v1/cases/${own.id}/history`).set(as(reviewer.token)).expect(403);
      await t
        .http()
        .patch(`/api/v1/cases/${own.id}`)
        .set(as(reviewer.token))
        .set('If-Match', '"1"')
        .send({ side: 'left' })
        .expect(403);
    });

    it('admin reads and amends any case', async () => {
      const created = await createCase(surgeon);
      await t.http().get(`/api/v1/cases/${created.body.id}`).set(as(admin)).expect(200);
      const patched = await t
        .http()
        .patch(`/api/v1/cases/${created.body.id}`)
        .set(as(admin))
        .set('If-Match', '"1"')
        .send({ hoProphylaxis: 'none' })
        .expect(200);
      expect(patched.body.hoProphylaxis).toBe('none');
    });
  });

  describe('safe writes', () => {
    it('requires If-Match on PATCH (428) and refuses a stale one (412), changing nothing', async () => {
      const created = await createCase(surgeon);
      const url = `/api/v1/cases/${created.body.id}`;
      const missing = await t.http().patch(url).set(as(surgeon.token)).send({ side: 'left' }).expect(428);
      expect(missing.body.code).toBe('precondition_required');
      const first = await t
        .http()
        .patch(url)
        .set(as(surgeon.token))
        .set('If-Match', '"1"')
        .send({ side: 'left' })
        .expect(200);
      expect(first.headers.etag).toBe('"2"');
      const stale = await t
        .http()
        .patch(url)
        .set(as(surgeon.token))
        .set('If-Match', '"1"')
        .send({ side: 'right' })
        .expect(412);
      expect(stale.body.code).toBe('precondition_failed');
      const read = await t.http().get(url).set(as(surgeon.token)).expect(200);
      expect(read.body).toMatchObject({ side: 'left', version: 2 });
    });

    it('merges a partial update into nested objects and records each changed field', async () => {
      const created = await createCase(surgeon);
      const url = `/api/v1/cases/${created.body.id}`;
      const patched = await t
        .http()
        .patch(url)
        .set(as(surgeon.token))
        .set('If-Match', '"1"')
        .send({ release: { technique: 'complete_tenotomy' }, imaging: { alphaAngle: null }, tractionMinutes: 0 })
        .expect(200);
      expect(patched.body.release).toEqual({ ...created.body.release, technique: 'complete_tenotomy' });
      expect(patched.body.imaging).toEqual({ ...created.body.imaging, alphaAngle: null });
      const history = await t.http().get(`${url}/history`).set(as(surgeon.token)).expect(200);
      const update = history.body.items.find((e: Body) => e.action === 'update');
      expect(update.changes).toEqual(
        expect.arrayContaining([
          { field: 'release.technique', from: 'fractional_lengthening', to: 'complete_tenotomy' },
          { field: 'imaging.alphaAngle', from: 58.5, to: null },
          { field: 'tractionMinutes', from: 42, to: 0 },
        ]),
      );
      expect(update.changes).toHaveLength(3);
    });

    it('replays the first response for a retried POST with the same Idempotency-Key', async () => {
      const body = newCaseBody();
      const before = await count('cases');
      const first = await t
        .http()
        .post('/api/v1/cases')
        .set(as(surgeon.token))
        .set('Idempotency-Key', 'retry-1')
        .send(body)
        .expect(201);
      const retry = await t
        .http()
        .post('/api/v1/cases')
        .set(as(surgeon.token))
        .set('Idempotency-Key', 'retry-1')
        .send(body)
        .expect(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.location).toBe(first.headers.location);
      expect(await count('cases')).toBe(before + 1);
      const reused = await t
        .http()
        .post('/api/v1/cases')
        .set(as(surgeon.token))
        .set('Idempotency-Key', 'retry-1')
        .send({ ...body, side: 'left' })
        .expect(409);
      expect(reused.body.code).toBe('idempotency_key_reused');
      expect(await count('cases')).toBe(before + 1);
      // Keys belong to their caller: another surgeon's same key is a new request.
      await t
        .http()
        .post('/api/v1/cases')
        .set(as(otherSurgeon.token))
        .set('Idempotency-Key', 'retry-1')
        .send(newCaseBody())
        .expect(201);
    });

    it('creates exactly one case under concurrent retries with one key', async () => {
      const body = newCaseBody();
      const before = await count('cases');
      const responses = await Promise.all(
        Array.from({ length: 12 }, () =>
          t.http().post('/api/v1/cases').set(as(surgeon.token)).set('Idempotency-Key', 'storm-1').send(body),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(12).fill(201));
      expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
      expect(await count('cases')).toBe(before + 1);
      const patients = await t.dataSource.query('SELECT count(*)::int AS n FROM patients WHERE id = $1', [
        responses[0].body.patientId,
      ]);
      expect(patients[0].n).toBe(1);
    });

    it('lets a key be used again after a request that failed validation', async () => {
      await t
        .http()
        .post('/api/v1/cases')
        .set(as(surgeon.token))
        .set('Idempotency-Key', 'fix-and-retry')
        .send(newCaseBody({ side: 'middle' }))
        .expect(400);
      await t
        .http()
        .post('/api/v1/cases')
        .set(as(surgeon.token))
        .set('Idempotency-Key', 'fix-and-retry')
        .send(newCaseBody())
        .expect(201);
    });
  });

  describe('sign-off, amendment and deletion', () => {
    it('signs a case, then accepts changes only with an amendment reason', async () => {
      const created = await createCase(surgeon);
      const url = `/api/v1/cases/${created.body.id}`;
      const signed = await t.http().post(`${url}/sign`).set(as(surgeon.token)).expect(200);
      expect(signed.body).toMatchObject({ status: 'signed', signedBy: surgeon.id, version: 2 });
      expect(Date.now() - new Date(signed.body.signedAt).getTime()).toBeLessThan(60_000);
      await t.http().post(`${url}/sign`).set(as(surgeon.token)).expect(409);

      const refused = await t
        .http()
        .patch(url)
        .set(as(surgeon.token))
        .set('If-Match', '"2"')
        .send({ operativeMinutes: 120 })
        .expect(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'amendmentReason', code: 'required' })]);
      const amended = await t
        .http()
        .patch(url)
        .set(as(surgeon.token))
        .set('If-Match', '"2"')
        .send({ operativeMinutes: 120, amendmentReason: 'Theatre record corrected' })
        .expect(200);
      expect(amended.body).toMatchObject({ status: 'signed', operativeMinutes: 120, version: 3 });
      const history = await t.http().get(`${url}/history`).set(as(surgeon.token)).expect(200);
      expect(history.body.items.map((e: Body) => e.action)).toEqual(['create', 'create', 'sign', 'amend']);
      expect(history.body.items.at(-1)).toMatchObject({
        action: 'amend',
        reason: 'Theatre record corrected',
        actor: { id: surgeon.id },
        changes: [{ field: 'operativeMinutes', from: 96, to: 120 }],
      });
    });

    it('soft-deletes with a reason: gone from reads and lists, kept in the database with its history', async () => {
      const created = await createCase(surgeon);
      const url = `/api/v1/cases/${created.body.id}`;
      await t.http().delete(url).set(as(surgeon.token)).send({ reason: 'duplicate entry' }).expect(428);
      const noReason = await t.http().delete(url).set(as(surgeon.token)).set('If-Match', '"1"').send({}).expect(400);
      expect(noReason.body.errors).toEqual([expect.objectContaining({ field: 'reason', code: 'required' })]);
      await t
        .http()
        .delete(url)
        .set(as(surgeon.token))
        .set('If-Match', '"1"')
        .send({ reason: 'duplicate entry' })
        .expect(204);
      await t.http().get(url).set(as(surgeon.token)).expect(404);
      const list = await t.http().get('/api/v1/cases').query({ limit: 500 }).set(as(surgeon.token)).expect(200);
      expect(list.body.items.map((c: Body) => c.id)).not.toContain(created.body.id);
      const [row] = await t.dataSource.query('SELECT deleted_at, delete_reason, deleted_by FROM cases WHERE id = $1', [
        created.body.id,
      ]);
      expect(row).toMatchObject({ delete_reason: 'duplicate entry', deleted_by: surgeon.id });
      const history = await t.http().get(`${url}/history`).set(as(surgeon.token)).expect(200);
      expect(history.body.items.at(-1)).toMatchObject({ action: 'delete', reason: 'duplicate entry' });
    });
  });

  describe('audit trail', () => {
    it('records create, read, update, sign and delete with actor, UTC time, field changes and correlation id', async () => {
      const created = await createCase(surgeon);
      const url = `/api/v1/cases/${created.body.id}`;
      const read = await t.http().get(url).set(as(surgeon.token)).expect(200);
      await t.http().patch(url).set(as(surgeon.token)).set('If-Match', '"1"').send({ side: 'left' }).expect(200);
      const history = await t.http().get(`${url}/history`).set(as(surgeon.token)).expect(200);
      expect(history.body.chainIntact).toBe(true);
      const [patientCreate, caseCreate, caseRead, caseUpdate] = history.body.items;
      expect(patientCreate).toMatchObject({ action: 'create', entity: 'patient', entityId: created.body.patientId });
      expect(patientCreate.changes).toContainEqual({ field: 'mrn', from: null, to: '[redacted]' });
      expect(caseCreate).toMatchObject({
        action: 'create',
        entity: 'case',
        entityId: created.body.id,
        actor: { id: surgeon.id, displayName: expect.any(String) },
      });
      expect(caseCreate.changes).toContainEqual({ field: 'release.location', from: null, to: 'capsular' });
      expect(caseCreate.correlationId).toBe(created.headers['x-correlation-id']);
      expect(caseRead).toMatchObject({ action: 'read', correlationId: read.headers['x-correlation-id'] });
      expect(caseUpdate).toMatchObject({ action: 'update', changes: [{ field: 'side', from: 'right', to: 'left' }] });
      for (const event of history.body.items) expect(event.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    });

    it('refuses to update, delete or truncate audit events, even as the table owner', async () => {
      await createCase(surgeon);
      await expect(t.dataSource.query("UPDATE audit_events SET reason = 'x'")).rejects.toThrow(/append-only/);
      await expect(t.dataSource.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
      await expect(t.dataSource.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    });

    // Last in this file: it tampers with the trail on purpose.
    it('detects a tampered event through the hash chain', async () => {
      const created = await createCase(surgeon);
      const url = `/api/v1/cases/${created.body.id}`;
      await t.http().patch(url).set(as(surgeon.token)).set('If-Match', '"1"').send({ side: 'left' }).expect(200);
      expect((await t.http().get(`${url}/history`).set(as(surgeon.token)).expect(200)).body.chainIntact).toBe(true);
      expect(await t.dataSource.query('SELECT * FROM audit_events_verify()')).toEqual([]);

      // Someone with superuser rights bypasses the triggers and rewrites what the update did.
      await t.dataSource.transaction(async (manager) => {
        await manager.query('SET LOCAL session_replication_role = replica');
        await manager.query(
          `UPDATE audit_events SET changes = '[{"field":"side","from":"right","to":"right"}]'::jsonb WHERE case_id = $1 AND action = 'update'`,
          [created.body.id],
        );
      });
      const after = await t.http().get(`${url}/history`).set(as(surgeon.token)).expect(200);
      expect(after.body.chainIntact).toBe(false);
      const broken = await t.dataSource.query('SELECT broken_id FROM audit_events_verify()');
      expect(broken.length).toBeGreaterThanOrEqual(1);
    });
  });
});
