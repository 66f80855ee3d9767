import { describe, expect, it } from '@jest/globals';
import { USER_ROLES } from '@ilr/persistence';
import { type AuthContext, maySeeSurgeonName, Permission, roleMay } from './access.policy.js';

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

describe(maySeeSurgeonName.name, () => {
  const auth = (role: (typeof USER_ROLES)[number]): AuthContext => ({
    user: { id: 'me', email: 'me@test.ilr', displayName: 'Me', role },
    via: 'access_token',
  });

  it('shows other surgeons by name to admins, registry staff and quality reviewers, not to surgeons', () => {
    for (const role of USER_ROLES) {
      expect(maySeeSurgeonName(auth(role), 'someone else')).toBe(role !== 'surgeon');
      expect(roleMay(role, Permission.ReportAcrossSurgeons)).toBe(role !== 'surgeon');
    }
  });

  it('shows everyone themself by name', () => {
    for (const role of USER_ROLES) expect(maySeeSurgeonName(auth(role), 'me')).toBe(true);
  });
});
