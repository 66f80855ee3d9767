import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

type Case = Record<string, any>;

describe('case list: filters, order and cursor pagination (e2e)', () => {
  let t: TestApp;
  let a: TestUser;
  let b: TestUser;
  let staff: TestUser;
  const created: Case[] = [];
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await startTestApp();
    [a, b, staff] = await Promise.all([
      t.factories.newUser({ role: 'surgeon' }),
      t.factories.newUser({ role: 'surgeon' }),
      t.factories.newUser({ role: 'registry_staff' }),
    ]);
    const plans = [
      { user: a, surgeryDate: '2024-01-10', side: 'left', release: 'capsular', impingement: true },
      { user: a, surgeryDate: '2024-01-10', side: 'right', release: 'lesser_trochanter', impingement: false },
      { user: a, surgeryDate: '2023-05-02', side: 'right', release: 'capsular', impingement: false },
      { user: b, surgeryDate: '2024-03-15', side: 'left', release: 'lesser_trochanter', impingement: true },
      { user: b, surgeryDate: '2022-12-31', side: 'right', release: 'capsular', impingement: true },
      { user: a, surgeryDate: '2025-07-04', side: 'left', release: 'lesser_trochanter', impingement: false },
    ];
    for (const plan of plans) {
      const response = await t
        .http()
        .post('/api/v1/cases')
        .set(as(plan.user.token))
        .send(
          newCaseBody({
            surgeryDate: plan.surgeryDate,
            side: plan.side,
            release:
              plan.release === 'capsular'
                ? {
                    location: 'capsular',
                    capsularLevel: 'central_compartment',
                    technique: 'fractional_lengthening',
                    tendonBundles: 1,
                  }
                : { location: 'lesser_trochanter', technique: 'complete_tenotomy', tendonBundles: 1 },
            impingementRepair: plan.impingement
              ? { performed: true, procedures: ['labral_debridement'] }
              : { performed: false },
          }),
        )
        .expect(201);
      created.push({ ...response.body, token: plan.user.token });
    }
    await t.http().post(`/api/v1/cases/${created[0].id}/sign`).set(as(a.token)).expect(200);
  });
  afterAll(async () => {
    await t.close();
  });

  const list = async (token: string, query: Record<string, string | number | boolean> = {}) =>
    (await t.http().get('/api/v1/cases').query(query).set(as(token)).expect(200)).body as {
      items: Case[];
      nextCursor: string | null;
    };
  const expected = (predicate: (c: Case) => boolean) =>
    created
      .filter(predicate)
      .sort((x, y) => x.surgeryDate.localeCompare(y.surgeryDate) || x.registryCode.localeCompare(y.registryCode))
      .map((c) => c.registryCode);

  it('orders by surgery date, then registry code', async () => {
    const page = await list(staff.token);
    expect(page.items.map((c) => c.registryCode)).toEqual(expected(() => true));
    expect(page.nextCursor).toBeNull();
  });

  it('shows a surgeon only their own cases', async () => {
    const page = await list(a.token);
    expect(page.items.map((c) => c.registryCode)).toEqual(expected((c) => c.surgeonId === a.id));
  });

  it.each([
    [
      'surgeonId',
      (ids: Record<string, string>) => ({ surgeonId: ids.b }),
      (c: Case, ids: Record<string, string>) => c.surgeonId === ids.b,
    ],
    [
      'from/to',
      () => ({ from: '2024-01-01', to: '2024-12-31' }),
      (c: Case) => c.surgeryDate >= '2024-01-01' && c.surgeryDate <= '2024-12-31',
    ],
    ['side', () => ({ side: 'left' }), (c: Case) => c.side === 'left'],
    [
      'releaseLocation',
      () => ({ releaseLocation: 'lesser_trochanter' }),
      (c: Case) => c.release.location === 'lesser_trochanter',
    ],
    ['impingementRepair=true', () => ({ impingementRepair: 'true' }), (c: Case) => c.impingementRepair.performed],
    ['impingementRepair=false', () => ({ impingementRepair: 'false' }), (c: Case) => !c.impingementRepair.performed],
    ['status', () => ({ status: 'signed' }), (c: Case) => c.id === created[0].id],
  ])('filters by %s', async (_name, query, predicate) => {
    const ids = { a: a.id, b: b.id };
    const page = await list(staff.token, query(ids));
    const want = expected((c) => predicate(c, ids));
    expect(want.length).toBeGreaterThan(0);
    expect(page.items.map((c) => c.registryCode)).toEqual(want);
  });

  it('finds by registry code prefix', async () => {
    const code = created[3].registryCode as string;
    const page = await list(staff.token, { q: code });
    expect(page.items.map((c) => c.registryCode)).toEqual([code]);
    const all = await list(staff.token, { q: 'ILR-' });
    expect(all.items).toHaveLength(created.length);
    expect((await list(staff.token, { q: 'ILR-%' })).items).toEqual([]);
  });

  it('walks every case exactly once with cursors, in order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Case[]; nextCursor: string | null } = await list(staff.token, {
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((c) => c.registryCode));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected(() => true));
  });

  it('rejects a bad filter or cursor with a 400 naming it', async () => {
    const bad = await t
      .http()
      .get('/api/v1/cases')
      .query({ side: 'both', limit: 501, cursor: 'garbage', from: '2024-13-01' })
      .set(as(staff.token))
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['from', 'limit', 'side']);
    const cursor = await t.http().get('/api/v1/cases').query({ cursor: 'garbage' }).set(as(staff.token)).expect(400);
    expect(cursor.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
  });

  it('drops soft-deleted cases from the list', async () => {
    const victim = created[5];
    await t
      .http()
      .delete(`/api/v1/cases/${victim.id}`)
      .set(as(a.token))
      .set('If-Match', '"1"')
      .send({ reason: 'entered twice' })
      .expect(204);
    const page = await list(staff.token);
    expect(page.items.map((c) => c.id)).not.toContain(victim.id);
    created.splice(5, 1);
  });
});
