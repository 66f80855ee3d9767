import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
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

@Injectable()
export class UserRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(UserEntity);
  }

  findById(id: string, manager?: EntityManager): Promise<UserEntity | null> {
    return this.repo(manager).findOneBy({ id });
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

  async update(
    id: string,
    changes: Partial<Pick<UserEntity, 'displayName' | 'role' | 'active' | 'passwordHash'>>,
  ): Promise<UserEntity | null> {
    if (Object.keys(changes).length > 0) {
      await this.repo().update({ id }, changes);
    }
    return this.findById(id);
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

  countActiveAdmins(): Promise<number> {
    return this.repo().countBy({ role: 'admin', active: true });
  }

  // Creates the first administrator only while the table is empty. The advisory lock makes two
  // instances starting together agree on one admin.
  async createFirstAdmin(user: NewUser): Promise<UserEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['ilr:first-admin']);
      const [{ count }] = await manager.query('SELECT count(*)::int AS count FROM users');
      if (count > 0) return null;
      return this.insert(user, manager);
    });
  }
}
