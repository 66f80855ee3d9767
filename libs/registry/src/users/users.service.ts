import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { isUUID } from 'class-validator';
import type { Logger } from 'pino';
import { type UserEntity, UserRepository } from '@ilr/persistence';
import { type AuthContext, Permission, roleMay } from '../access/access.policy.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError, ErrorCode } from '../common/errors.js';
import { LOGGER } from '../common/logger.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, type Page } from '../common/pagination.js';
import { hashPassword } from '../auth/passwords.js';
import type { CreateUserRequest, UpdateUserRequest } from './dto/user.dto.js';

export const DEFAULT_ADMIN_EMAIL = 'admin@ilr.local';

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly users: UserRepository,
  ) {}

  // First start with no users: an admin from ADMIN_EMAIL / ADMIN_PASSWORD, or with a random
  // password printed once (API.md). The password is never written anywhere else.
  async onApplicationBootstrap(): Promise<void> {
    const email = this.config.admin.email ?? DEFAULT_ADMIN_EMAIL;
    const generated = this.config.admin.password ? undefined : randomBytes(18).toString('base64url');
    const created = await this.users.createFirstAdmin({
      email,
      displayName: 'Administrator',
      role: 'admin',
      passwordHash: await hashPassword(this.config.admin.password ?? generated!),
    });
    if (!created) return;
    if (generated) {
      this.logger.warn(
        { email },
        `First start: created admin ${email} with one-time password ${generated} — sign in and change it.`,
      );
    } else {
      this.logger.info({ email }, 'First start: created admin from ADMIN_EMAIL / ADMIN_PASSWORD.');
    }
  }

  private assertMayManage(auth: AuthContext): void {
    if (!roleMay(auth.user.role, Permission.UserManage)) throw DomainError.forbidden();
  }

  async create(auth: AuthContext, request: CreateUserRequest): Promise<UserEntity> {
    this.assertMayManage(auth);
    const created = await this.users.insert({
      email: request.email,
      displayName: request.displayName,
      role: request.role,
      passwordHash: await hashPassword(request.password),
    });
    if (!created) {
      throw new DomainError(ErrorCode.Duplicate, 'A user with this email already exists.', {
        errors: [{ field: 'email', code: 'duplicate', message: 'email is already registered' }],
      });
    }
    return created;
  }

  async list(auth: AuthContext, limit = DEFAULT_PAGE_SIZE, cursor?: string): Promise<Page<UserEntity>> {
    this.assertMayManage(auth);
    const after = decodeCursor(cursor, {
      email: (email: string) => email.length <= 254,
      id: (id: string) => isUUID(id),
    });
    const page = await this.users.list(limit, after);
    const last = page.items.at(-1);
    return {
      items: page.items,
      nextCursor: page.hasMore && last ? encodeCursor({ email: last.email, id: last.id }) : null,
    };
  }

  async update(auth: AuthContext, id: string, request: UpdateUserRequest): Promise<UserEntity> {
    this.assertMayManage(auth);
    const user = await this.users.findById(id);
    if (!user) throw DomainError.notFound('The user');
    const losesAdmin =
      user.role === 'admin' &&
      user.active &&
      (request.active === false || (request.role !== undefined && request.role !== 'admin'));
    if (losesAdmin && (await this.users.countActiveAdmins()) <= 1) {
      throw new DomainError(ErrorCode.Conflict, 'This would leave the registry without an active administrator.');
    }
    const updated = await this.users.update(id, {
      ...(request.active !== undefined ? { active: request.active } : {}),
      ...(request.role !== undefined ? { role: request.role } : {}),
      ...(request.displayName !== undefined ? { displayName: request.displayName } : {}),
      ...(request.password !== undefined ? { passwordHash: await hashPassword(request.password) } : {}),
    });
    if (!updated) throw DomainError.notFound('The user');
    return updated;
  }
}
