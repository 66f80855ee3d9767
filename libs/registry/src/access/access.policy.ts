import type { UserRole } from '@ilr/persistence';

// The one access policy. Every controller route names a permission; every service method that
// touches a record asks here first. Record-level rules (a surgeon's own cases) join this file as
// the features that need them arrive.
export enum Permission {
  UserManage = 'user.manage',
  TokenManageOwn = 'token.manage_own',
  TokenRevokeAny = 'token.revoke_any',
  ProfileRead = 'profile.read',
}

export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  role: UserRole;
}

export interface AuthContext {
  user: AuthUser;
  // How the caller authenticated: a login's access token, or a personal API token.
  via: 'access_token' | 'api_token';
  tokenId?: string;
}

export function roleMay(role: UserRole, permission: Permission): boolean {
  switch (permission) {
    case Permission.ProfileRead:
    case Permission.TokenManageOwn:
      return true;
    case Permission.UserManage:
    case Permission.TokenRevokeAny:
      return role === 'admin';
    default: {
      const unknown: never = permission;
      throw new Error(`Permission ${String(unknown)} has no rule`);
    }
  }
}
