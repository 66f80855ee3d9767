import { createHash, createSecretKey, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ApiTokenRepository, type UserEntity, UserRepository } from '@ilr/persistence';
import { type AuthContext, type AuthUser, Permission, roleMay } from '../access/access.policy.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError, ErrorCode } from '../common/errors.js';
import { LoginThrottle } from './login-throttle.js';
import { dummyPasswordHash, verifyPassword } from './passwords.js';

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

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function toAuthUser(user: UserEntity): AuthUser {
  return { id: user.id, email: user.email, displayName: user.displayName, role: user.role };
}

@Injectable()
export class AuthService {
  private readonly jwt: JwtService;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UserRepository,
    private readonly tokens: ApiTokenRepository,
    private readonly throttle: LoginThrottle,
  ) {
    // One key object for the process: building it on every verification costs more than the HMAC.
    this.jwt = new JwtService({
      secret: createSecretKey(Buffer.from(config.secrets.jwtSecret, 'utf8')) as unknown as string,
    });
  }

  async login(email: string, password: string, ip: string): Promise<LoginResult> {
    const normalized = email.trim().toLowerCase();
    this.throttle.assertAllowed(normalized, ip);
    const user = await this.users.findByEmail(normalized);
    const valid = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
    if (!user || !valid || !user.active) {
      this.throttle.recordFailure(normalized, ip);
      // One answer whether the email exists, the password is wrong or the account is deactivated.
      throw new DomainError(ErrorCode.InvalidCredentials, 'The email or password is not correct.');
    }
    this.throttle.recordSuccess(normalized);
    const expiresIn = this.config.accessTokenTtlSeconds;
    const accessToken = await this.jwt.signAsync(
      { sub: user.id, role: user.role },
      { algorithm: 'HS256', expiresIn, issuer: JWT_ISSUER, audience: JWT_AUDIENCE },
    );
    return { accessToken, tokenType: 'Bearer', expiresIn, user };
  }

  // Resolves a bearer credential to its caller. The user row is read on every request, so a
  // deactivation (or a role change) takes effect on the very next call, for both kinds of token.
  async authenticate(credential: string, now = new Date()): Promise<AuthContext> {
    if (credential.startsWith(API_TOKEN_PREFIX)) {
      const found = await this.tokens.findByHash(hashApiToken(credential));
      if (!found || found.token.revokedAt || found.token.expiresAt <= now || !found.user.active) {
        throw DomainError.unauthenticated('The API token is unknown, expired or revoked.');
      }
      await this.tokens.touch(found.token.id, now);
      return { user: toAuthUser(found.user), via: 'api_token', tokenId: found.token.id };
    }
    let subject: string;
    try {
      const payload = await this.jwt.verifyAsync<{ sub: string }>(credential, {
        algorithms: ['HS256'],
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
      });
      subject = payload.sub;
    } catch {
      throw DomainError.unauthenticated('The access token is invalid or expired.');
    }
    const user = await this.users.findById(subject);
    if (!user || !user.active) throw DomainError.unauthenticated('The access token is invalid or expired.');
    return { user: toAuthUser(user), via: 'access_token' };
  }

  async me(auth: AuthContext): Promise<UserEntity> {
    const user = await this.users.findById(auth.user.id);
    if (!user) throw DomainError.unauthenticated();
    return user;
  }

  async createToken(auth: AuthContext, name: string, expiresInDays: number, now = new Date()): Promise<CreatedToken> {
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + expiresInDays * 86_400_000);
    const saved = await this.tokens.create({ userId: auth.user.id, name, tokenHash: hashApiToken(token), expiresAt });
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
    const revoked = owner ? await this.tokens.revoke(tokenId, owner, now) : false;
    if (!revoked) throw DomainError.notFound('The token');
  }
}
