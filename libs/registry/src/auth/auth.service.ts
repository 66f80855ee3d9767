import { createHash, createSecretKey, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { EntityManager } from 'typeorm';
import { ApiTokenRepository, type UserEntity, UserRepository } from '@ilr/persistence';
import { type AuthContext, type AuthUser, Permission, roleMay } from '../access/access.policy.js';
import { type AuditEventInput, AuditService } from '../audit/audit.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError, ErrorCode } from '../common/errors.js';
import { loginKeys, normalizeEmail, THROTTLERS, throttleKey, loginEmailTracker } from '../throttling/throttle-keys.js';
import { ThrottleService } from '../throttling/throttle.service.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';

const API_TOKEN_PREFIX = 'ilr_pat_';
const JWT_ISSUER = 'ilr-registry';
const JWT_AUDIENCE = 'ilr-api';

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: UserEntity;
}

export interface CreatedToken {
  id: string;
  name: string;
  token: string;
  expiresAt: Date;
}

interface AccessTokenClaims {
  sub: string;
  // users.credentials_version when the token was issued; a password reset or change moves it on.
  cv?: number;
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function toAuthUser(user: UserEntity): AuthUser {
  return { id: user.id, email: user.email, displayName: user.displayName, role: user.role };
}

// Ends every credential of a user but the password itself, inside the caller's transaction: access
// tokens (by moving credentials_version on) and personal API tokens (revoked, each audited).
export async function revokeCredentials(
  users: UserRepository,
  tokens: ApiTokenRepository,
  manager: EntityManager,
  userId: string,
  reason: 'password_reset' | 'password_change',
  now = new Date(),
): Promise<AuditEventInput[]> {
  await users.bumpCredentialsVersion(userId, manager);
  const revoked = await tokens.revokeAllForUser(userId, now, manager);
  return revoked.map((id) => ({
    action: 'token_revoke',
    entity: 'api_token',
    entityId: id,
    details: { ownerId: userId, cause: reason },
  }));
}

@Injectable()
export class AuthService {
  private readonly jwt: JwtService;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UserRepository,
    private readonly tokens: ApiTokenRepository,
    private readonly throttle: ThrottleService,
    private readonly audit: AuditService,
  ) {
    // One key object for the process: building it on every verification costs more than the HMAC.
    this.jwt = new JwtService({
      secret: createSecretKey(Buffer.from(config.secrets.jwtSecret, 'utf8')) as unknown as string,
    });
  }

  // The attempt has already been counted, per email and per client address, by the login throttlers
  // (ClientRateLimitGuard) before this runs: a burst cannot get more guesses than the limit, and once
  // the limit is spent even the right password is refused (429) until the window ends.
  // A successful sign-in gives back its own two counts, so that only failures use up the limits. It
  // does not reset the counters: a reset would hand an attacker guessing in parallel a fresh budget
  // every time the account's owner signs in.
  async login(email: string, password: string, ip: string | undefined): Promise<LoginResult> {
    const user = await this.users.findByEmail(normalizeEmail(email));
    const valid = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
    if (!user || !valid || !user.active) {
      // One answer whether the email exists, the password is wrong or the account is deactivated.
      throw new DomainError(ErrorCode.InvalidCredentials, 'The email or password is not correct.');
    }
    await Promise.all(loginKeys(email, ip).map((key) => this.throttle.release(key)));
    return this.issue(user);
  }

  private async issue(user: UserEntity): Promise<LoginResult> {
    const expiresIn = this.config.accessTokenTtlSeconds;
    const accessToken = await this.jwt.signAsync(
      { sub: user.id, role: user.role, cv: user.credentialsVersion },
      { algorithm: 'HS256', expiresIn, issuer: JWT_ISSUER, audience: JWT_AUDIENCE },
    );
    return { accessToken, tokenType: 'Bearer', expiresIn, user };
  }

  // Resolves a bearer credential to its caller. The user row is read on every request, so a
  // deactivation, a role change or a password reset takes effect on the very next call, for both
  // kinds of token.
  async authenticate(credential: string, now = new Date()): Promise<AuthContext> {
    if (credential.startsWith(API_TOKEN_PREFIX)) {
      const found = await this.tokens.findByHash(hashApiToken(credential));
      if (!found || found.token.revokedAt || found.token.expiresAt <= now || !found.user.active) {
        throw DomainError.unauthenticated('The API token is unknown, expired or revoked.');
      }
      await this.tokens.touch(found.token.id, now);
      return { user: toAuthUser(found.user), via: 'api_token', tokenId: found.token.id };
    }
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(credential, {
        algorithms: ['HS256'],
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
      });
    } catch {
      throw DomainError.unauthenticated('The access token is invalid or expired.');
    }
    const user = await this.users.findById(claims.sub);
    if (!user || !user.active || (claims.cv ?? 0) !== user.credentialsVersion) {
      throw DomainError.unauthenticated('The access token is invalid or expired.');
    }
    return { user: toAuthUser(user), via: 'access_token' };
  }

  async me(auth: AuthContext): Promise<UserEntity> {
    const user = await this.users.findById(auth.user.id);
    if (!user) throw DomainError.unauthenticated();
    return user;
  }

  // A caller changes their own password, proving the current one. Only from a signed-in session: a
  // personal token is a script's credential and may not take over the account. The check of the
  // current password uses the same per-email budget as the login. Every other credential of the user
  // ends (sessions and personal tokens); the caller gets a new access token.
  async changePassword(auth: AuthContext, currentPassword: string, newPassword: string): Promise<LoginResult> {
    if (auth.via === 'api_token') throw DomainError.forbidden('A personal API token cannot change the password.');
    const budgetKey = throttleKey(THROTTLERS.loginEmail, loginEmailTracker(auth.user.email));
    const { maxPerEmail, windowSeconds } = this.config.loginThrottle;
    const decision = await this.throttle.consume(budgetKey, maxPerEmail, windowSeconds);
    if (!decision.allowed) {
      throw new DomainError(ErrorCode.Throttled, 'Too many sign-in attempts. Try again later.', {
        headers: { 'Retry-After': String(decision.retryAfterSeconds) },
      });
    }
    const current = await this.users.findById(auth.user.id);
    if (!current || !(await verifyPassword(current.passwordHash, currentPassword))) {
      throw DomainError.validation([
        { field: 'currentPassword', code: 'incorrect', message: 'currentPassword is not correct' },
      ]);
    }
    await this.throttle.release(budgetKey);
    const passwordHash = await hashPassword(newPassword);
    const updated = await this.users.transaction(async (manager) => {
      await this.users.update(auth.user.id, { passwordHash }, manager);
      const revoked = await revokeCredentials(this.users, this.tokens, manager, auth.user.id, 'password_change');
      await this.audit.record(manager, auth, [
        {
          action: 'password_change',
          entity: 'user',
          entityId: auth.user.id,
          details: { tokensRevoked: revoked.length },
        },
        ...revoked,
      ]);
      return this.users.findById(auth.user.id, manager);
    });
    if (!updated) throw DomainError.unauthenticated();
    return this.issue(updated);
  }

  // A personal token cannot mint tokens: a leaked one could otherwise outlive its own revocation
  // through a child token.
  async createToken(auth: AuthContext, name: string, expiresInDays: number, now = new Date()): Promise<CreatedToken> {
    if (auth.via === 'api_token') throw DomainError.forbidden('A personal API token cannot create tokens.');
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + expiresInDays * 86_400_000);
    const saved = await this.users.transaction(async (manager) => {
      const created = await this.tokens.create(
        { userId: auth.user.id, name, tokenHash: hashApiToken(token), expiresAt },
        manager,
      );
      await this.audit.record(manager, auth, {
        action: 'token_create',
        entity: 'api_token',
        entityId: created.id,
        details: { ownerId: auth.user.id, expiresAt: expiresAt.toISOString() },
      });
      return created;
    });
    return { id: saved.id, name: saved.name, token, expiresAt: saved.expiresAt };
  }

  listTokens(auth: AuthContext) {
    return this.tokens.listForUser(auth.user.id);
  }

  // A caller revokes their own tokens; an admin may revoke anyone's. Someone else's token is a 404.
  async revokeToken(auth: AuthContext, tokenId: string, now = new Date()): Promise<void> {
    const owner = roleMay(auth.user.role, Permission.TokenRevokeAny)
      ? await this.tokens.ownerOf(tokenId)
      : auth.user.id;
    const revoked =
      owner !== null &&
      (await this.users.transaction(async (manager) => {
        if (!(await this.tokens.revoke(tokenId, owner, now, manager))) return false;
        await this.audit.record(manager, auth, {
          action: 'token_revoke',
          entity: 'api_token',
          entityId: tokenId,
          details: { ownerId: owner },
        });
        return true;
      }));
    if (!revoked) throw DomainError.notFound('The token');
  }
}
