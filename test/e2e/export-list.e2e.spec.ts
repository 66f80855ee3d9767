import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

// GET /exports: the export jobs a caller may read (the rules of GET /exports/:id), newest first, each
// with who asked for it; cursor pagination like GET /cases.

type Body = Record<string, any>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('export job list (e2e)', () => {
  let t: TestApp;
  let staff: TestUser;
  let otherStaff: TestUser;
  let surgeon: TestUser;
  let reviewer: TestUser;
  let admin: string;
  let adminMe: Body;
  // In the order they were created.
  const staffJobs: Body[] = [];
  let otherJob: Body;
  let identifiedJob: Body;

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  const waitForJob = async (id: string, token: string, timeoutMs = 10_000): Promise<Body> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await t.http().get(`/api/v1/exports/${id}`).set(as(token)).expect(200);
      if (response.body.status === 'done' || response.body.status === 'failed' || Date.now() > deadline)
        return response.body;
      await sleep(100);
    }
  };

  const startJob = async (token: string, body: Body): Promise<Body> => {
    const created = await t.http().post('/api/v1/exports').set(as(token)).send(body).expect(202);
    return waitForJob(created.body.id, token);
  };

  const listAll = async (token: string, limit: number): Promise<{ items: Body[]; pages: number }> => {
    const items: Body[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const response = await t
        .http()
        .get('/api/v1/exports')
        .query({ limit, ...(cursor ? { cursor } : {}) })
        .set(as(token))
        .expect(200);
      expect(response.body.items.length).toBeLessThanOrEqual(limit);
      items.push(...response.body.items);
      cursor = response.body.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);
    return { items, pages };
  };

  beforeAll(async () => {
    t = await startTestApp({ EXPORT_WORKER_POLL_MS: '100' });
    [staff, otherStaff, surgeon, reviewer] = await Promise.all([
      t.factories.newUser({ role: 'registry_staff', displayName: 'Robin Staff' }),
      t.factories.newUser({ role: 'registry_staff', displayName: 'Sam Other' }),
      t.factories.newUser({ role: 'surgeon' }),
      t.factories.newUser({ role: 'quality_reviewer' }),
    ]);
    admin = await t.factories.admin();
    adminMe = (await t.http().get('/api/v1/auth/me').set(as(admin)).expect(200)).body;
    for (const surgeryDate of ['2025-01-10', '2025-02-11']) {
      await t.http().post('/api/v1/cases').set(as(surgeon.token)).send(newCaseBody({ surgeryDate })).expect(201);
    }
    for (const body of [
      { dataset: 'cases', format: 'csv' },
      { dataset: 'follow-ups', format: 'ndjson' },
      { dataset: 'cases', format: 'fhir', filters: { from: '2025-02-01' } },
    ])
      staffJobs.push(await startJob(staff.token, body));
    otherJob = await startJob(otherStaff.token, { dataset: 'complications', format: 'csv' });
    identifiedJob = await startJob(admin, { dataset: 'cases', format: 'csv', identified: true });
  }, 120_000);

  afterAll(async () => {
    await t.close();
  });

  it('lists the jobs registry staff ran, newest first, with who ran them', async () => {
    const response = await t.http().get('/api/v1/exports').set(as(staff.token)).expect(200);
    expect(response.body.nextCursor).toBeNull();
    const listed: Body[] = response.body.items;
    expect(listed.map((j) => j.id)).toEqual(staffJobs.map((j) => j.id).reverse());
    for (const job of listed) {
      const read = staffJobs.find((j) => j.id === job.id)!;
      expect(job).toEqual(read);
      expect(job.createdBy).toEqual({ id: staff.id, displayName: 'Robin Staff' });
      expect(job.status).toBe('done');
    }
    // The first job holds both cases; the FHIR one only the one operated on after its `from`.
    expect(listed.at(-1)).toMatchObject({ dataset: 'cases', format: 'csv', rows: 2, identified: false });
    expect(listed[0]).toMatchObject({ format: 'fhir', rows: 1, filters: { from: '2025-02-01' } });
  });

  it('gives GET /exports/:id who ran the job', async () => {
    const response = await t.http().get(`/api/v1/exports/${otherJob.id}`).set(as(otherStaff.token)).expect(200);
    expect(response.body.createdBy).toEqual({ id: otherStaff.id, displayName: 'Sam Other' });
    const created = await t
      .http()
      .post('/api/v1/exports')
      .set(as(otherStaff.token))
      .send({ dataset: 'cases', format: 'ndjson' })
      .expect(202);
    expect(created.body.createdBy).toEqual({ id: otherStaff.id, displayName: 'Sam Other' });
    await waitForJob(created.body.id, otherStaff.token);
  });

  it("shows administrators every job, identified ones included, and staff neither another's nor identified ones", async () => {
    const { items } = await listAll(admin, 500);
    const ids = items.map((j) => j.id);
    for (const job of [...staffJobs, otherJob, identifiedJob]) expect(ids).toContain(job.id);
    const identified = items.find((j) => j.id === identifiedJob.id)!;
    expect(identified).toMatchObject({
      identified: true,
      status: 'done',
      createdBy: { id: adminMe.id, displayName: adminMe.displayName },
    });
    // Newest first throughout.
    const times = items.map((j) => Date.parse(j.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const staffIds = (await listAll(staff.token, 500)).items.map((j) => j.id);
    expect(staffIds).not.toContain(otherJob.id);
    expect(staffIds).not.toContain(identifiedJob.id);
    const otherIds = (await listAll(otherStaff.token, 500)).items.map((j) => j.id);
    expect(otherIds).toContain(otherJob.id);
    for (const job of staffJobs) expect(otherIds).not.toContain(job.id);
  });

  it("serves a finished job's manifest by the job's rules: its checksum and rows are the job's", async () => {
    for (const job of staffJobs) {
      const response = await t.http().get(`/api/v1/exports/${job.id}/manifest`).set(as(staff.token)).expect(200);
      expect(response.body).toMatchObject({
        jobId: job.id,
        dataset: job.dataset,
        format: job.format,
        identified: false,
        rows: job.rows,
        sha256: job.sha256,
        filters: job.filters,
      });
    }
    await t.http().get(`/api/v1/exports/${staffJobs[0].id}/manifest`).set(as(otherStaff.token)).expect(404);
    await t.http().get(`/api/v1/exports/${identifiedJob.id}/manifest`).set(as(staff.token)).expect(404);
    const identified = await t.http().get(`/api/v1/exports/${identifiedJob.id}/manifest`).set(as(admin)).expect(200);
    expect(identified.body).toMatchObject({ identified: true, sha256: identifiedJob.sha256 });
  });

  it('pages with a cursor: every job once, in order', async () => {
    const whole = (await listAll(admin, 500)).items.map((j) => j.id);
    expect(whole.length).toBeGreaterThanOrEqual(6);
    const paged = await listAll(admin, 2);
    expect(paged.pages).toBe(Math.ceil(whole.length / 2));
    expect(paged.items.map((j) => j.id)).toEqual(whole);

    const first = await t.http().get('/api/v1/exports').query({ limit: 2 }).set(as(staff.token)).expect(200);
    expect(first.body.items.map((j: Body) => j.id)).toEqual([staffJobs[2].id, staffJobs[1].id]);
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await t
      .http()
      .get('/api/v1/exports')
      .query({ limit: 2, cursor: first.body.nextCursor })
      .set(as(staff.token))
      .expect(200);
    expect(second.body).toEqual({ items: [staffJobs[0]], nextCursor: null });
  });

  it('refuses a cursor it did not issue and a page size out of range', async () => {
    const forged = Buffer.from(JSON.stringify({ id: "x' OR 1=1" })).toString('base64url');
    for (const query of [{ cursor: forged }, { cursor: 'not-a-cursor' }, { limit: 0 }, { limit: 501 }]) {
      const response = await t.http().get('/api/v1/exports').query(query).set(as(staff.token)).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('refuses surgeons and quality reviewers (403)', async () => {
    for (const user of [surgeon, reviewer]) {
      const response = await t.http().get('/api/v1/exports').set(as(user.token)).expect(403);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    await t.http().get('/api/v1/exports').expect(401);
  });
});
