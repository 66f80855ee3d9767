import { describe, expect, it } from '@jest/globals';
import { USER_ROLES } from '@ilr/persistence';
import { Permission, roleMay } from './access.policy.js';

describe(roleMay.name, () => {
  it("gives user administration and revoking others' tokens to the admin only", () => {
    for (const role of USER_ROLES) {
      expect(roleMay(role, Permission.UserManage)).toBe(role === 'admin');
      expect(roleMay(role, Permission.TokenRevokeAny)).toBe(role === 'admin');
    }
  });

  it('lets every role read its profile and manage its own tokens', () => {
    for (const role of USER_ROLES) {
      expect(roleMay(role, Permission.ProfileRead)).toBe(true);
      expect(roleMay(role, Permission.TokenManageOwn)).toBe(true);
    }
  });
});
