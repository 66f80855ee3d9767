import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TIMEPOINT_WINDOWS } from '@ilr/clinical';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

// Each case's overdueTimepoints on GET /cases and GET /cases/:id (DOMAIN.md § Follow-up visit: window closed, no
// visit in it, patient alive and consenting) — the same rule as the data-quality report's overdue list.

type Body = Record<string, any>;

// Calendar-date arithmetic in UTC (the registry's time zone is UTC unless configured).
function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
const TODAY = new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => addDays(TODAY, -n);

// Expected from the windows of the clinical core: closed (surgery + last day before today) and not visited.
function expectedOverdue(surgeryDate: string, visited: string[] = []): string[] {
  return TIMEPOINT_WINDOWS.filter((w) => addDays(surgeryDate, w.to) < TODAY && !visited.includes(w.code)).map(
    (w) => w.code,
  );
}

describe('overdue follow-ups on the case list and the case (e2e)', () => {
  let t: TestApp;
  let a: TestUser;
  let b: TestUser;
  const c: Record<string, Body> = {};
  const as = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });

  async function createCase(user: TestUser, surgeryDate: string): Promise<Body> {
    const response = await t.http().post('/api/v1/cases').set(as(user)).send(newCaseBody({ surgeryDate }));
    if (response.status !== 201) throw new Error(`case: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }
  async function createVisit(user: TestUser, caseId: string, visitDate: string): Promise<Body> {
    const response = await t
      .http()
      .post(`/api/v1/cases/${caseId}/follow-ups`)
      .set(as(user))
      .send({ visitDate, contactMode: 'clinic' });
    if (response.status !== 201) throw new Error(`visit: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }
  const listOf = async (user: TestUser): Promise<Body[]> =>
    (await t.http().get('/api/v1/cases').query({ limit: 500 }).set(as(user)).expect(200)).body.items;
  const byId = (items: Body[]) => new Map(items.map((item) => [item.id, item]));

  beforeAll(async () => {
    t = await startTestApp();
    [a, b] = await Promise.all([t.factories.newSurgeon(), t.factories.newSurgeon()]);
    // 80 days ago: the 6w window (days 28–69) has closed, the 3m window (70–134) is open.
    c.closed = await createCase(a, daysAgo(80));
    c.visited = await createCase(a, daysAgo(80));
    await createVisit(a, c.visited.id, addDays(c.visited.surgeryDate, 42));
    // A deleted visit is no visit.
    c.deletedVisit = await createCase(a, daysAgo(80));
    const gone = await createVisit(a, c.deletedVisit.id, addDays(c.deletedVisit.surgeryDate, 42));
    await t
      .http()
      .delete(`/api/v1/follow-ups/${gone.id}`)
      .set(as(a))
      .set('If-Match', `"${gone.version}"`)
      .send({ reason: 'entered on the wrong case' })
      .expect(204);
    // 40 days ago: inside the 6w window.
    c.inside = await createCase(a, daysAgo(40));
    // Surgery today: no window has closed, not even preop's (its last day is today).
    c.today = await createCase(a, TODAY);
    // A deceased patient has nothing overdue.
    c.deceased = await createCase(a, daysAgo(80));
    const patient = await t.http().get(`/api/v1/patients/${c.deceased.patientId}`).set(as(a)).expect(200);
    await t
      .http()
      .patch(`/api/v1/patients/${c.deceased.patientId}`)
      .set(as(a))
      .set('If-Match', `"${patient.body.version}"`)
      .send({ deceasedDate: daysAgo(5) })
      .expect(200);
    // Deleted, and another surgeon's: not in the surgeon's list.
    c.deleted = await createCase(a, daysAgo(800));
    await t
      .http()
      .delete(`/api/v1/cases/${c.deleted.id}`)
      .set(as(a))
      .set('If-Match', `"${c.deleted.version}"`)
      .send({ reason: 'duplicate' })
      .expect(204);
    c.other = await createCase(b, daysAgo(800));
  });
  afterAll(async () => {
    await t.close();
  });

  it('a case whose 6w window closed without a visit is overdue for 6w (and preop)', async () => {
    const listed = byId(await listOf(a)).get(c.closed.id)!;
    expect(listed.overdueTimepoints).toEqual(expectedOverdue(c.closed.surgeryDate));
    expect(listed.overdueTimepoints).toEqual(['preop', '6w']);
  });

  it('a visit in the window clears it; a deleted visit does not', async () => {
    const items = byId(await listOf(a));
    expect(items.get(c.visited.id)!.overdueTimepoints).toEqual(expectedOverdue(c.visited.surgeryDate, ['6w']));
    expect(items.get(c.visited.id)!.overdueTimepoints).not.toContain('6w');
    expect(items.get(c.deletedVisit.id)!.overdueTimepoints).toContain('6w');
  });

  it('a case inside its window is not overdue for it; nor is a case operated on today', async () => {
    const items = byId(await listOf(a));
    expect(items.get(c.inside.id)!.overdueTimepoints).toEqual(expectedOverdue(c.inside.surgeryDate));
    expect(items.get(c.inside.id)!.overdueTimepoints).not.toContain('6w');
    expect(items.get(c.today.id)!.overdueTimepoints).toEqual([]);
  });

  it('a deceased patient has nothing overdue', async () => {
    expect(byId(await listOf(a)).get(c.deceased.id)!.overdueTimepoints).toEqual([]);
  });

  it("deleted and other surgeons' cases are not listed; the other surgeon sees theirs", async () => {
    const items = byId(await listOf(a));
    expect(items.has(c.deleted.id)).toBe(false);
    expect(items.has(c.other.id)).toBe(false);
    expect(items.size).toBe(6);
    const theirs = byId(await listOf(b)).get(c.other.id)!;
    expect(theirs.overdueTimepoints).toEqual(expectedOverdue(c.other.surgeryDate));
  });

  it('GET /cases/:id carries the same list', async () => {
    for (const theCase of [c.closed, c.visited, c.inside, c.deceased]) {
      const listed = byId(await listOf(a)).get(theCase.id)!;
      const read = await t.http().get(`/api/v1/cases/${theCase.id}`).set(as(a)).expect(200);
      expect(read.body.overdueTimepoints).toEqual(listed.overdueTimepoints);
    }
  });

  it("agrees with the data-quality report's overdue list, case by case", async () => {
    const report = await t.http().get('/api/v1/reports/data-quality').set(as(a)).expect(200);
    const fromReport = new Map<string, string[]>();
    for (const row of report.body.overdue as Body[])
      fromReport.set(row.caseId, [...(fromReport.get(row.caseId) ?? []), row.timepoint]);
    const order = TIMEPOINT_WINDOWS.map((w) => w.code as string);
    for (const item of await listOf(a)) {
      const reported = (fromReport.get(item.id) ?? []).sort((x, y) => order.indexOf(x) - order.indexOf(y));
      expect({ id: item.id, overdue: item.overdueTimepoints }).toEqual({ id: item.id, overdue: reported });
    }
  });
});
