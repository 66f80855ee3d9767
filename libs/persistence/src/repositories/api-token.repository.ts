import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ApiTokenEntity } from '../entities/api-token.entity.js';
import { UserEntity } from '../entities/user.entity.js';

export interface TokenOwner {
  token: ApiTokenEntity;
  user: UserEntity;
}

@Injectable()
export class ApiTokenRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ApiTokenEntity);
  }

  create(
    values: Pick<ApiTokenEntity, 'userId' | 'name' | 'tokenHash' | 'expiresAt'>,
    manager?: EntityManager,
  ): Promise<ApiTokenEntity> {
    const repo = this.repo(manager);
    return repo.save(repo.create({ ...values, revokedAt: null, lastUsedAt: null }));
  }

  // One indexed lookup resolves a presented token to its owner; expiry, revocation and the owner's
  // `active` flag are checked by the caller on every request, so a deactivated user is out at once.
  async findByHash(tokenHash: string): Promise<TokenOwner | null> {
    const token = await this.repo().findOne({ where: { tokenHash }, relations: { user: true } });
    if (!token || !token.user) return null;
    return { token, user: token.user };
  }

  async touch(id: string, at: Date): Promise<void> {
    // Only write when the recorded use is older than a minute: scripts calling in a loop
    // should not turn every read into a write.
    await this.repo()
      .createQueryBuilder()
      .update()
      .set({ lastUsedAt: at })
      .where('id = :id', { id })
      .andWhere("(last_used_at IS NULL OR last_used_at < :at::timestamptz - interval '1 minute')", {
        at: at.toISOString(),
      })
      .execute();
  }

  // Revokes a token that belongs to `userId`; returns false when there is no such live token.
  async revoke(id: string, userId: string, at: Date, manager?: EntityManager): Promise<boolean> {
    const result = await this.repo(manager)
      .createQueryBuilder()
      .update()
      .set({ revokedAt: at })
      .where('id = :id AND user_id = :userId AND revoked_at IS NULL', { id, userId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  // Revokes every live token of a user (a password reset or change); returns the revoked ids.
  async revokeAllForUser(userId: string, at: Date, manager: EntityManager): Promise<string[]> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [rows]: [Array<{ id: string }>, number] = await manager.query(
      `UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 RETURNING id`,
      [userId, at],
    );
    return rows.map((row) => row.id);
  }

  async ownerOf(id: string): Promise<string | null> {
    const token = await this.repo().findOne({ where: { id }, select: { id: true, userId: true } });
    return token?.userId ?? null;
  }

  listForUser(userId: string): Promise<ApiTokenEntity[]> {
    return this.repo().find({ where: { userId }, order: { createdAt: 'DESC' } });
  }
}
