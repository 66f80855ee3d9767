import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditRepository } from '@ilr/persistence';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/app.js';

// The last write of a clinical unit of work sends its audit INSERT and the COMMIT in one round trip
// (AuditRepository.append with `commit`), so that the chain's lock is not held while the COMMIT
// waits on the Node event loop. These tests fail if that path stops committing (for example if
// TypeORM stops exposing the transaction's pg client) or stops rolling back on a failed insert.
describe('audit events appended with the commit', () => {
  let t: TestApp;
  let service: DataSource;
  let audit: AuditRepository;
  let observer: pg.Client;

  beforeAll(async () => {
    t = await startTestApp();
    service = t.app.get(DataSource);
    audit = t.app.get(AuditRepository);
    observer = new pg.Client({ connectionString: t.db.url });
    await observer.connect();
  });
  afterAll(async () => {
    await observer.end();
    await t.close();
  });

  const event = (reason: string, actorSystem = 'system:export-worker') => ({
    actorId: null,
    actorSystem,
    action: 'export',
    entityType: 'export',
    entityId: null,
    reason,
  });
  const visible = async (reason: string) =>
    (await observer.query('SELECT count(*)::int AS n FROM audit_events WHERE reason = $1', [reason])).rows[0].n;

  it('commits the transaction with the events: both are visible before the ORM transaction returns', async () => {
    const reason = `commit-${Date.now()}`;
    await service.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO throttle_counters (key, hits, expires_at) VALUES ($1, 1, now() + interval '1 minute')`,
        [reason],
      );
      const head = await audit.append(manager, [event(reason), event(reason)], { commit: true });
      expect(head).toMatchObject({ id: expect.stringMatching(/^\d+$/), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      // Another connection already sees both events and the earlier write of the same transaction.
      expect(await visible(reason)).toBe(2);
      const counters = await observer.query('SELECT hits FROM throttle_counters WHERE key = $1', [reason]);
      expect(counters.rows).toEqual([{ hits: 1 }]);
    });
    const [{ problems }] = await t.dataSource.query('SELECT count(*)::int AS problems FROM audit_events_verify()');
    expect(problems).toBe(0);
  });

  it('rolls the whole transaction back when the insert fails, and sends no commit', async () => {
    const reason = `rollback-${Date.now()}`;
    await expect(
      service.transaction(async (manager) => {
        await manager.query(
          `INSERT INTO throttle_counters (key, hits, expires_at) VALUES ($1, 1, now() + interval '1 minute')`,
          [reason],
        );
        // Violates CHK_audit_events_system_actor: system actors are named system:….
        await audit.append(manager, [event(reason, 'not-a-system-actor')], { commit: true });
      }),
    ).rejects.toThrow();
    expect(await visible(reason)).toBe(0);
    const counters = await observer.query('SELECT hits FROM throttle_counters WHERE key = $1', [reason]);
    expect(counters.rows).toEqual([]);
  });

  it('keeps quotes and backslashes of literal values intact', async () => {
    const reason = `quote ' and \\ backslash ${Date.now()}`;
    await service.transaction((manager) => audit.append(manager, [event(reason)], { commit: true }));
    expect(await visible(reason)).toBe(1);
  });
});
