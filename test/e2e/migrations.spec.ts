import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createDataSource, pendingSchemaChanges } from '@ilr/persistence';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// The schema lives in migrations; the entities describe it for TypeORM. They must agree:
// generating a migration against a migrated database must produce nothing.
describe('migrations', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await createDataSource({ url: db.url, poolSize: 2 }).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('leave no difference between the entities and the migrated schema (drift check)', async () => {
    expect(await pendingSchemaChanges(dataSource)).toEqual([]);
  });

  it('revert all the way down and apply again to the same schema', async () => {
    const total = dataSource.migrations.length;
    for (let i = 0; i < total; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    const left = await dataSource.query(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'",
    );
    expect(left[0].n).toBe(0);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied).toHaveLength(total);
    expect(await pendingSchemaChanges(dataSource)).toEqual([]);
  });
});
