import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { UserEntity, type UserRole } from '../entities/user.entity.js';

export interface NewUser {
  email: string;
  displayName: string;
  role: UserRole;
  passwordHash: string;
}

export interface UserPage {
  items: UserEntity[];
  hasMore: boolean;
}

export type UserChanges = Partial<Pick<UserEntity, 'displayName' | 'role' | 'active' | 'passwordHash'>>;

@Injectable()
export class UserRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(UserEntity);
  }

  // One transaction for a change to users or their tokens and its audit events.
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  findById(id: string, manager?: EntityManager): Promise<UserEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  // Display names by id, for reports that name surgeons.
  async displayNames(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.repo().find({ select: { id: true, displayName: true }, where: { id: In(ids) } });
    return new Map(rows.map((row) => [row.id, row.displayName]));
  }

  // Active surgeons by email (lower-cased): an import names a case's surgeon by their account.
  async activeSurgeonsByEmail(emails: string[]): Promise<Map<string, string>> {
    if (emails.length === 0) return new Map();
    const rows: Array<{ id: string; email: string }> = await this.dataSource.query(
      "SELECT id, lower(email) AS email FROM users WHERE lower(email) = ANY($1) AND role = 'surgeon' AND active",
      [emails.map((e) => e.toLowerCase())],
    );
    return new Map(rows.map((r) => [r.email, r.id]));
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.repo().findOneBy({ email: email.toLowerCase() });
  }

  // Returns null when the email is taken (unique violation), so callers answer 409 without a race.
  async insert(user: NewUser, manager?: EntityManager): Promise<UserEntity | null> {
    const result = await this.repo(manager)
      .createQueryBuilder()
      .insert()
      .values({ ...user, email: user.email.toLowerCase() })
      .orIgnore()
      .returning(['id'])
      .execute();
    const inserted = result.raw as Array<{ id: string }>;
    return inserted.length === 0 ? null : this.findById(inserted[0].id, manager);
  }

  // Serialises the changes to users' roles and active flags, across processes, until commit: the count
  // of active admins read after this lock (each statement of READ COMMITTED sees what committed before
  // it) cannot be changed by a concurrent PATCH, so two of them cannot both remove "the other" admin.
  async lockAdministrators(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['ilr:administrators']);
  }

  // The row as it is now, locked until the transaction ends (read-modify-write of one user).
  findForUpdate(id: string, manager: EntityManager): Promise<UserEntity | null> {
    return this.repo(manager).createQueryBuilder('u').where('u.id = :id', { id }).setLock('pessimistic_write').getOne();
  }

  async update(id: string, changes: UserChanges, manager: EntityManager): Promise<UserEntity | null> {
    if (Object.keys(changes).length > 0) {
      await this.repo(manager).update({ id }, changes);
    }
    return this.findById(id, manager);
  }

  // Ends every access token issued so far (they carry the version they were issued under).
  async bumpCredentialsVersion(id: string, manager: EntityManager): Promise<void> {
    await manager.query('UPDATE users SET credentials_version = credentials_version + 1 WHERE id = $1', [id]);
  }

  // Keyset pagination on (email, id): stable under inserts, no OFFSET scans.
  async list(limit: number, after?: { email: string; id: string }): Promise<UserPage> {
    const query = this.repo()
      .createQueryBuilder('u')
      .orderBy('u.email', 'ASC')
      .addOrderBy('u.id', 'ASC')
      .limit(limit + 1);
    if (after) {
      query.where('(u.email, u.id) > (:email, :id)', after);
    }
    const rows = await query.getMany();
    return { items: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  countActiveAdmins(manager?: EntityManager): Promise<number> {
    return this.repo(manager).countBy({ role: 'admin', active: true });
  }

  // Creates the first administrator only while the table is empty. The advisory lock makes two
  // instances starting together agree on one admin. The password is hashed only then: argon2 costs
  // a noticeable part of a second, which every later start would pay for nothing.
  async createFirstAdmin(
    user: Omit<NewUser, 'passwordHash'>,
    passwordHash: () => Promise<string>,
  ): Promise<UserEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['ilr:first-admin']);
      const [{ count }] = await manager.query('SELECT count(*)::int AS count FROM users');
      if (count > 0) return null;
      return this.insert({ ...user, passwordHash: await passwordHash() }, manager);
    });
  }
}
