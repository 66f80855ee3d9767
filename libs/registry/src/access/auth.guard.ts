import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/errors.js';
import { requestContext } from '../common/request-context.js';
import { AuthService } from '../auth/auth.service.js';
import { type Permission, roleMay } from './access.policy.js';
import { type AuthenticatedRequest, PUBLIC_ROUTE, REQUIRED_PERMISSION } from './auth.decorators.js';

// Global guard: authenticates every request that is not @Public() and enforces the route's
// permission through the access policy. A route that forgets @Authorize is refused, not opened.
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.header('authorization');
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw DomainError.unauthenticated();
    const auth = await this.auth.authenticate(match[1]);
    request.auth = auth;
    requestContext.setUser(auth.user.id);

    const permission = this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, targets);
    if (!permission)
      throw new Error(`Route ${request.method} ${request.route?.path} declares neither @Public nor @Authorize`);
    if (!roleMay(auth.user.role, permission)) throw DomainError.forbidden();
    return true;
  }
}
