import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { isUUID } from 'class-validator';
import type { Logger } from 'pino';
import { ApiTokenRepository, type UserEntity, UserRepository } from '@ilr/persistence';
import { type AuthContext, Permission, roleMay } from '../access/access.policy.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError, ErrorCode } from '../common/errors.js';
import { LOGGER } from '../common/logger.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, type Page } from '../common/pagination.js';
import { type AuditEventInput, AuditService } from '../audit/audit.service.js';
import { revokeCredentials } from '../auth/auth.service.js';
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

  // Property-injected, so that the constructor stays the one bench/seed.ts calls by hand for the
  // first-admin rule (which needs neither).
  @Inject(ApiTokenRepository) private readonly tokens!: ApiTokenRepository;
  @Inject(AuditService) private readonly audit!: AuditService;

  // First start with no users: an admin from ADMIN_EMAIL / ADMIN_PASSWORD, or with a random
  // password printed once (API.md). The password is never written anywhere else.
  async onApplicationBootstrap(): Promise<void> {
    const email = this.config.admin.email ?? DEFAULT_ADMIN_EMAIL;
    const generated = this.config.admin.password ? undefined : randomBytes(18).toString('base64url');
    const created = await this.users.createFirstAdmin({ email, displayName: 'Administrator', role: 'admin' }, () =>
      hashPassword(this.config.admin.password ?? generated!),
    );
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
    const passwordHash = await hashPassword(request.password);
    const created = await this.users.transaction(async (manager) => {
      const user = await this.users.insert(
        { email: request.email, displayName: request.displayName, role: request.role, passwordHash },
        manager,
      );
      // The email is an identifier: the event names the user by id only.
      if (user) {
        await this.audit.record(manager, auth, {
          action: 'create',
          entity: 'user',
          entityId: user.id,
          changes: [
            { field: 'role', from: null, to: user.role },
            { field: 'displayName', from: null, to: user.displayName },
            { field: 'active', from: null, to: user.active },
          ],
        });
      }
      return user;
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

  // One transaction: the administrators' lock, the row lock, the last-admin check, the change, the
  // revocation of the user's credentials on a password reset, and the audit events. Under the lock two
  // concurrent PATCHes (deactivate one admin, demote the other) are serialised, so the second sees the
  // first's result and is refused rather than leaving no active administrator.
  async update(auth: AuthContext, id: string, request: UpdateUserRequest): Promise<UserEntity> {
    this.assertMayManage(auth);
    const passwordHash = request.password !== undefined ? await hashPassword(request.password) : undefined;
    return this.users.transaction(async (manager) => {
      if (request.active !== undefined || request.role !== undefined) await this.users.lockAdministrators(manager);
      const user = await this.users.findForUpdate(id, manager);
      if (!user) throw DomainError.notFound('The user');
      const losesAdmin =
        user.role === 'admin' &&
        user.active &&
        (request.active === false || (request.role !== undefined && request.role !== 'admin'));
      if (losesAdmin && (await this.users.countActiveAdmins(manager)) <= 1) {
        throw new DomainError(ErrorCode.Conflict, 'This would leave the registry without an active administrator.');
      }
      const events: AuditEventInput[] = [];
      const event = (action: AuditEventInput['action'], field: string, from: unknown, to: unknown) =>
        events.push({ action, entity: 'user', entityId: id, changes: [{ field, from, to }] });
      if (request.role !== undefined && request.role !== user.role)
        event('role_change', 'role', user.role, request.role);
      if (request.active !== undefined && request.active !== user.active)
        event(request.active ? 'reactivate' : 'deactivate', 'active', user.active, request.active);
      if (request.displayName !== undefined && request.displayName !== user.displayName)
        event('update', 'displayName', user.displayName, request.displayName);
      const updated = await this.users.update(
        id,
        {
          ...(request.active !== undefined ? { active: request.active } : {}),
          ...(request.role !== undefined ? { role: request.role } : {}),
          ...(request.displayName !== undefined ? { displayName: request.displayName } : {}),
          ...(passwordHash !== undefined ? { passwordHash } : {}),
        },
        manager,
      );
      if (!updated) throw DomainError.notFound('The user');
      if (passwordHash !== undefined) {
        // An admin reset: the user's sessions and personal tokens end with the old password.
        const revoked = await revokeCredentials(this.users, this.tokens, manager, id, 'password_reset');
        events.push(
          { action: 'password_reset', entity: 'user', entityId: id, details: { tokensRevoked: revoked.length } },
          ...revoked,
        );
      }
      if (events.length > 0) await this.audit.record(manager, auth, events);
      return updated;
    });
  }
}
