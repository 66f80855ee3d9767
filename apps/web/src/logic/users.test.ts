import { describe, expect, it } from 'vitest';
import { USER_ROLE_LABELS } from '../labels.js';
import { describeProblem } from './problem.js';
import { schemaErrors, schemaOf } from './testing/openapi.js';
import {
  checkUserForm,
  createUserRequest,
  emptyUserForm,
  PASSWORD_MIN_LENGTH,
  removesAdmin,
  ROLE_OPTIONS,
  updateUserRequest,
  type UserChange,
  userChangeRefusal,
  userStateWords,
} from './users.js';

const lastAdminProblem = {
  type: 'https://ilr.example/problems/conflict',
  title: 'Conflict',
  status: 409,
  code: 'conflict',
  detail: 'This would leave the registry without an active administrator.',
  correlationId: 'c-1',
};

describe('the create-user form', () => {
  it('offers every role the API knows, in words', () => {
    const roles = schemaOf('UserRole').enum as string[];
    expect(ROLE_OPTIONS.map((o) => o.value).sort()).toEqual([...roles].sort());
    for (const option of ROLE_OPTIONS) {
      expect(option.label).toBe(USER_ROLE_LABELS[option.value]);
      expect(option.label).not.toMatch(/_/);
    }
  });

  it('names each missing field and a short password', () => {
    expect(Object.keys(checkUserForm(emptyUserForm())).sort()).toEqual(['displayName', 'email', 'password', 'role']);
    const short = checkUserForm({
      role: 'surgeon',
      displayName: 'Dr A',
      email: 'a@b.example',
      password: 'x'.repeat(PASSWORD_MIN_LENGTH - 1),
    });
    expect(Object.keys(short)).toEqual(['password']);
    expect(short.password).toContain(String(PASSWORD_MIN_LENGTH));
  });

  it('sends a body the API accepts, trimmed, the password as typed', () => {
    const values = {
      role: 'registry_staff' as const,
      displayName: '  Sam Staff ',
      email: ' sam@hospital.example ',
      password: ' a long password ',
    };
    expect(checkUserForm(values)).toEqual({});
    const body = createUserRequest(values);
    expect(body).toEqual({
      role: 'registry_staff',
      displayName: 'Sam Staff',
      email: 'sam@hospital.example',
      password: ' a long password ',
    });
    expect(schemaErrors('CreateUserRequest', body)).toEqual([]);
  });

  it('states in words whether a user is active', () => {
    expect(userStateWords({ active: true })).toBe('Active');
    expect(userStateWords({ active: false })).toBe('Deactivated');
  });
});

describe('changes to a user', () => {
  const changes: UserChange[] = [
    { kind: 'role', role: 'quality_reviewer' },
    { kind: 'deactivate' },
    { kind: 'reactivate' },
  ];

  it('become bodies the API accepts', () => {
    for (const change of changes) expect(schemaErrors('UpdateUserRequest', updateUserRequest(change))).toEqual([]);
    expect(updateUserRequest({ kind: 'deactivate' })).toEqual({ active: false });
    expect(updateUserRequest({ kind: 'reactivate' })).toEqual({ active: true });
    expect(updateUserRequest({ kind: 'role', role: 'admin' })).toEqual({ role: 'admin' });
  });

  it('know which ones take an active administrator away', () => {
    const admin = { role: 'admin' as const, active: true };
    expect(removesAdmin(admin, { kind: 'deactivate' })).toBe(true);
    expect(removesAdmin(admin, { kind: 'role', role: 'surgeon' })).toBe(true);
    expect(removesAdmin(admin, { kind: 'role', role: 'admin' })).toBe(false);
    expect(removesAdmin({ role: 'admin', active: false }, { kind: 'deactivate' })).toBe(false);
    expect(removesAdmin({ role: 'surgeon', active: true }, { kind: 'deactivate' })).toBe(false);
  });

  it('explain the last-admin rule in words when the API refuses to remove the last administrator', () => {
    const admin = { displayName: 'Dr Root', role: 'admin' as const, active: true };
    const view = describeProblem(409, lastAdminProblem);
    const demote = userChangeRefusal(admin, { kind: 'role', role: 'surgeon' }, view);
    expect(demote).toContain('Dr Root is the only active administrator');
    expect(demote).toContain('make Dr Root a surgeon');
    expect(userChangeRefusal(admin, { kind: 'deactivate' }, view)).toContain('then you can deactivate Dr Root.');
    expect(demote).not.toMatch(/409|conflict/i);
  });

  it('give any other refusal in the API’s words', () => {
    const user = { displayName: 'Dr B', role: 'surgeon' as const, active: true };
    const view = describeProblem(404, {
      type: 'about:blank',
      title: 'Not found',
      status: 404,
      code: 'not_found',
      detail: 'The user was not found.',
      correlationId: 'c-2',
    });
    expect(userChangeRefusal(user, { kind: 'deactivate' }, view)).toBe('The user was not found.');
    // The same 409 on a change that removes no administrator is not the last-admin rule.
    expect(userChangeRefusal(user, { kind: 'deactivate' }, describeProblem(409, lastAdminProblem))).toBe(
      lastAdminProblem.detail,
    );
  });
});
