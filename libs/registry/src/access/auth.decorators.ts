import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import type { AuthContext, Permission } from './access.policy.js';

export const PUBLIC_ROUTE = 'ilr:public';
export const REQUIRED_PERMISSION = 'ilr:permission';

// A route that needs no credentials (health, docs, login). Everything else requires them.
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

// The permission a route needs; the global AuthGuard checks it against the caller's role.
export function Authorize(permission: Permission) {
  return applyDecorators(
    SetMetadata(REQUIRED_PERMISSION, permission),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No valid credentials' }),
    ApiForbiddenResponse({ description: `Requires permission ${permission}` }),
  );
}

export type AuthenticatedRequest = Request & { auth?: AuthContext };

export const Auth = createParamDecorator((_data: unknown, context: ExecutionContext): AuthContext => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.auth) throw new Error('Auth() used on a route without authentication');
  return request.auth;
});
