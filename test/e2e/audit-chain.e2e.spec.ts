import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditRepository, dataSourceOptions } from '@ilr/persistence';
import { AuditService } from '@ilr/registry';
import { SYSTEM_ACTORS } from '../../libs/registry/src/audit/audit.service.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import type { TestUser } from '../support/factories.js';

// Issue 10, item 9 (b, c): the chain's head is kept outside the audit table (checkpoints written by
// the database, the log, GET /audit/head), so removing the newest events shows; the hashed form is
// unambiguous (chain version 2), and chains written before that still verify.
type Body = Record<string, any>;
type Problem = { broken_id: string; problem: string };

const as = (token: string) => ({ Authorization: `Bearer ${token}` });

// What someone with the owner's rights can do: switch the trail's triggers off for one transaction.
async function withTriggersOff(dataSource: DataSource, work: (manager: EntityManager) => Promise<void>) {
  await dataSource.transaction(async (manager) => {
    await manager.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await work(manager);
    await manager.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
  });
}

describe('audit chain head and checkpoints (e2e)', () => {
  let t: TestApp;
  let surgeon: TestUser;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    surgeon = await t.factories.newUser({ role: 'surgeon' });
    admin = await t.factories.admin();
  });
  afterAll(async () => {
    await t.close();
  });

  const createCase = async (overrides: Body = {}) => {
    const response = await t.http().post('/api/v1/cases').set(as(surgeon.token)).send(newCaseBody(overrides));
    if (response.status !== 201) throw new Error(`case creation failed: ${response.status}`);
    return response.body as Body;
  };
  const newest = async () =>
    (await t.dataSource.query('SELECT e.id::text AS id, e.hash FROM audit_events e ORDER BY e.id DESC LIMIT 1'))[0] as {
      id: string;
      hash: string;
    };
  const problems = async (): Promise<Problem[]> =>
    t.dataSource.query('SELECT broken_id::text AS broken_id, problem FROM audit_events_verify()');
  const history = async (caseId: string) =>
    (await t.http().get(`/api/v1/cases/${caseId}/history`).set(as(surgeon.token)).expect(200)).body as Body;

  it('checkpoints the head of every write in the database, logs it after commit, and serves it to admins', async () => {
    const body = newCaseBody();
    const created = (await t.http().post('/api/v1/cases').set(as(surgeon.token)).send(body).expect(201)).body;
    const head = await newest();
    const [checkpoint] = await t.dataSource.query(
      'SELECT event_id::text AS id, hash, at FROM audit_checkpoints ORDER BY event_id DESC LIMIT 1',
    );
    expect({ id: checkpoint.id, hash: checkpoint.hash }).toEqual(head);
    // One checkpoint per write batch: the case's two create events share one.
    const [{ n }] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM audit_checkpoints c JOIN audit_events e ON e.id = c.event_id WHERE e.case_id = $1',
      [created.id],
    );
    expect(n).toBe(1);

    const logged = t.logs.filter((line) => line.msg === 'audit head');
    expect(logged.at(-1)?.auditHead).toEqual(head);
    for (const line of logged) expect(Object.keys(line.auditHead as object).sort()).toEqual(['hash', 'id']);
    expect(JSON.stringify(t.logs)).not.toContain((body.patient as Body).mrn);

    const served = await t.http().get('/api/v1/audit/head').set(as(admin)).expect(200);
    expect(served.body).toEqual({ id: head.id, hash: head.hash, at: new Date(checkpoint.at).toISOString() });
    await t.http().get('/api/v1/audit/head').set(as(surgeon.token)).expect(403);
    await t.http().get('/api/v1/audit/head').expect(401);
  });

  it('logs the head once its transaction commits, never the head of one that rolled back', async () => {
    const audit = t.app.get(AuditService);
    const event = { action: 'export' as const, entity: 'export' as const, entityId: null };
    const heads = () => t.logs.filter((line) => line.msg === 'audit head');
    const before = heads().length;
    await expect(
      t.appDataSource.transaction(async (manager) => {
        await audit.record(manager, SYSTEM_ACTORS.exportWorker, event);
        expect(heads().length).toBe(before);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(heads().length).toBe(before);
    await t.appDataSource.transaction((manager) => audit.record(manager, SYSTEM_ACTORS.exportWorker, event));
    expect(heads().length).toBe(before + 1);
    expect(heads().at(-1)?.auditHead).toEqual(await newest());
    expect(await problems()).toEqual([]);
  });

  it('lets the service role read checkpoints but not write, change or remove them; the owner cannot change them either', async () => {
    await createCase();
    const app = t.appDataSource;
    await expect(app.query('SELECT count(*) FROM audit_checkpoints')).resolves.toBeDefined();
    await expect(
      app.query(`INSERT INTO audit_checkpoints (event_id, hash, at) VALUES (999999999, repeat('a', 64), now())`),
    ).rejects.toThrow(/permission denied/);
    await expect(app.query(`UPDATE audit_checkpoints SET hash = repeat('b', 64)`)).rejects.toThrow(/permission denied/);
    await expect(app.query('DELETE FROM audit_checkpoints')).rejects.toThrow(/permission denied/);
    await expect(app.query('TRUNCATE audit_checkpoints')).rejects.toThrow(/permission denied/);
    await expect(t.dataSource.query(`UPDATE audit_checkpoints SET hash = repeat('b', 64)`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.dataSource.query('DELETE FROM audit_checkpoints')).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query('TRUNCATE audit_checkpoints')).rejects.toThrow(/append-only/);
    expect(await problems()).toEqual([]);
  });

  it('hashes every field unambiguously: text moved between reason and correlation id is detected', async () => {
    const created = await createCase();
    const url = `/api/v1/cases/${created.id}`;
    await t.http().post(`${url}/sign`).set(as(surgeon.token)).expect(200);
    await t
      .http()
      .patch(url)
      .set(as(surgeon.token))
      .set('If-Match', '"2"')
      .send({ side: 'left', amendmentReason: 'operation note corrected|by phone' })
      .expect(200);
    const [amend] = await t.dataSource.query(
      "SELECT id::text AS id, reason, correlation_id, chain_version FROM audit_events WHERE case_id = $1 AND action = 'amend'",
      [created.id],
    );
    expect(amend.chain_version).toBe(2);
    expect(await problems()).toEqual([]);
    expect((await history(created.id)).chainIntact).toBe(true);

    // With '|' joining the fields, "note|by phone" + "<id>" and "note" + "by phone|<id>" hashed alike.
    await withTriggersOff(t.dataSource, (manager) =>
      manager.query(
        `UPDATE audit_events SET reason = 'operation note corrected', correlation_id = 'by phone|' || correlation_id WHERE id = $1`,
        [amend.id],
      ),
    );
    expect(await problems()).toEqual(expect.arrayContaining([{ broken_id: amend.id, problem: 'hash_mismatch' }]));
    expect((await history(created.id)).chainIntact).toBe(false);
    // Put it back: the chain verifies again (the rest of this file checks its own tampering).
    await withTriggersOff(t.dataSource, (manager) =>
      manager.query('UPDATE audit_events SET reason = $2, correlation_id = $3 WHERE id = $1', [
        amend.id,
        amend.reason,
        amend.correlation_id,
      ]),
    );
    expect(await problems()).toEqual([]);
  });

  it('hashes the system actor too', async () => {
    const audit = t.app.get(AuditService);
    await t.appDataSource.transaction((manager) =>
      audit.record(manager, SYSTEM_ACTORS.exportWorker, { action: 'export', entity: 'export', entityId: null }),
    );
    const event = await newest();
    await withTriggersOff(t.dataSource, (manager) =>
      manager.query(`UPDATE audit_events SET actor_system = 'system:someone-else' WHERE id = $1`, [event.id]),
    );
    expect(await problems()).toEqual([{ broken_id: event.id, problem: 'hash_mismatch' }]);
    await withTriggersOff(t.dataSource, (manager) =>
      manager.query(`UPDATE audit_events SET actor_system = 'system:export-worker' WHERE id = $1`, [event.id]),
    );
    expect(await problems()).toEqual([]);
  });

  // Last in this file: it removes events for good.
  it('detects the removal of the newest events, also after later writes', async () => {
    const created = await createCase();
    const url = `/api/v1/cases/${created.id}`;
    await t.http().patch(url).set(as(surgeon.token)).set('If-Match', '"1"').send({ side: 'left' }).expect(200);
    expect((await history(created.id)).chainIntact).toBe(true);
    expect(await problems()).toEqual([]);
    const removed = await newest();
    const anchored = (await t.http().get('/api/v1/audit/head').set(as(admin)).expect(200)).body;
    expect(anchored).toMatchObject(removed);

    // The owner removes the newest event (the update), triggers off: the chain itself still links up.
    await withTriggersOff(t.dataSource, (manager) =>
      manager.query('DELETE FROM audit_events WHERE id = $1', [removed.id]),
    );
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM (SELECT e.hash, lag(e.hash) OVER (ORDER BY e.id) AS before, e.prev_hash FROM audit_events e) x
       WHERE x.before IS NOT NULL AND x.before <> x.prev_hash`,
    );
    expect(n).toBe(0);
    expect(await problems()).toEqual([{ broken_id: removed.id, problem: 'checkpointed_event_missing' }]);
    const after = await history(created.id);
    expect(after.items.map((item: Body) => item.action)).not.toContain('update');
    expect(after.chainIntact).toBe(false);
    // The head an operator anchored is still the checkpointed one.
    expect((await t.http().get('/api/v1/audit/head').set(as(admin)).expect(200)).body).toEqual(anchored);

    // New events chain onto what is left; the gap stays visible, and only the case next to it is flagged.
    const later = await createCase();
    expect(await problems()).toEqual([{ broken_id: removed.id, problem: 'checkpointed_event_missing' }]);
    expect((await history(later.id)).chainIntact).toBe(true);
    expect((await history(created.id)).chainIntact).toBe(false);
  });
});

describe('audit chain version 2 on a database with version-1 events (migration AuditChainV2Checkpoints)', () => {
  let db: TestDatabase;
  // Migrations run in timestamp order (the class name's suffix), whatever their place in the list.
  const stamp = (migration: (typeof MIGRATIONS)[number]) => Number(/(\d+)$/.exec(migration.name)![1]);
  const upgrade = MIGRATIONS.find((migration) => migration.name.startsWith('AuditChainV2Checkpoints'))!;
  const source = (migrations: typeof MIGRATIONS) =>
    new DataSource({ ...dataSourceOptions({ url: db.ownerUrl, poolSize: 2 }), migrations });

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterAll(async () => {
    await db.drop();
  });

  const insertEvent = (dataSource: DataSource, caseId: string, action: string, reason: string | null) =>
    dataSource.query(
      `INSERT INTO audit_events (at, actor_id, action, entity_type, entity_id, case_id, changes, details, reason, correlation_id, prev_hash, hash)
       VALUES (date_trunc('milliseconds', clock_timestamp()), gen_random_uuid(), $2, 'case', $1, $1,
               '[{"field":"side","from":"right","to":"left"}]'::jsonb, '{"n":1.50}'::jsonb, $3, gen_random_uuid()::text, '', '')`,
      [caseId, action, reason],
    );

  it('keeps verifying version-1 events after the upgrade, chains version-2 events onto them, and tells the two apart', async () => {
    expect(upgrade).toBeDefined();
    const caseId = '5d2f4b8e-0c1a-4f5e-9a7b-3c2d1e0f9a8b';
    // Step by step: every migration before the upgrade, then events written by the old trigger.
    const old = await source(MIGRATIONS.filter((migration) => stamp(migration) < stamp(upgrade))).initialize();
    try {
      await old.runMigrations({ transaction: 'each' });
      await insertEvent(old, caseId, 'create', null);
      await insertEvent(old, caseId, 'amend', 'operation note corrected|by phone');
      await insertEvent(old, caseId, 'sign', null);
      expect(await old.query('SELECT * FROM audit_events_verify()')).toEqual([]);
    } finally {
      await old.destroy();
    }

    const current = await source(MIGRATIONS).initialize();
    try {
      const applied = await current.runMigrations({ transaction: 'each' });
      expect(applied.map((migration) => migration.name)).toContain(upgrade.name);
      const audit = new AuditRepository(current);
      const versions = async () =>
        (await current.query('SELECT chain_version FROM audit_events ORDER BY id')).map(
          (row: { chain_version: number }) => row.chain_version,
        );
      expect(await versions()).toEqual([1, 1, 1]);
      expect(await audit.verify()).toEqual([]);
      expect((await audit.verifyCase(caseId)).every((row) => row.intact)).toBe(true);
      // The head before the upgrade is checkpointed by the migration.
      const [last] = await current.query(
        'SELECT e.id::text AS id, e.hash FROM audit_events e ORDER BY e.id DESC LIMIT 1',
      );
      expect(await audit.head()).toMatchObject(last);

      await insertEvent(current, caseId, 'amend', 'second correction|by letter');
      await insertEvent(current, caseId, 'update', null);
      expect(await versions()).toEqual([1, 1, 1, 2, 2]);
      const rows = await current.query(
        'SELECT e.id::text AS id, e.prev_hash, e.hash FROM audit_events e ORDER BY e.id',
      );
      expect(rows[3].prev_hash).toBe(rows[2].hash);
      expect(await audit.verify()).toEqual([]);
      expect((await audit.verifyCase(caseId)).map((row) => row.intact)).toEqual([true, true, true, true, true]);

      const move = (id: string) =>
        withTriggersOff(current, async (manager) => {
          await manager.query(
            `UPDATE audit_events SET reason = split_part(reason, '|', 1), correlation_id = split_part(reason, '|', 2) || '|' || correlation_id WHERE id = $1`,
            [id],
          );
        });
      // Version 1 cannot see text moved across the separator (why version 2 exists) …
      await move(rows[1].id);
      expect(await audit.verify()).toEqual([]);
      // … version 2 can.
      await move(rows[3].id);
      expect(await audit.verify()).toEqual([{ id: rows[3].id, problem: 'hash_mismatch' }]);
      expect((await audit.verifyCase(caseId)).map((row) => row.intact)).toEqual([true, true, true, false, true]);

      // A version-2 row passed off as version 1 is reported too.
      await withTriggersOff(current, (manager) =>
        manager.query('UPDATE audit_events SET chain_version = 1 WHERE id = $1', [rows[4].id]),
      );
      expect(await audit.verify()).toEqual(
        expect.arrayContaining([{ id: rows[4].id, problem: 'chain_version_regressed' }]),
      );
    } finally {
      await current.destroy();
    }
  });
});
