// The administration pages' logic: the create-user form's values → the API's body, a user's state and role in
// words, and the API's refusals of a role change or deactivation (the last-admin rule) in words.
import type { components } from '../api/schema.js';
import { USER_ROLE_LABELS } from '../labels.js';
import type { Option } from './labels.js';
import type { FieldErrors, ProblemView } from './problem.js';

export type UserRole = components['schemas']['UserRole'];
export type UserResponse = components['schemas']['UserResponse'];
export type CreateUserRequest = components['schemas']['CreateUserRequest'];
export type UpdateUserRequest = components['schemas']['UpdateUserRequest'];

// CreateUserRequest's password minimum (openapi.json); the API checks it too.
export const PASSWORD_MIN_LENGTH = 12;

export interface UserFormValues {
  role: UserRole | null;
  displayName: string;
  email: string;
  password: string;
}

export const USER_FORM_FIELDS = ['role', 'displayName', 'email', 'password'] as const;

export const USER_FIELD_LABELS: Record<(typeof USER_FORM_FIELDS)[number], string> = {
  role: 'Role',
  displayName: 'Display name',
  email: 'Email',
  password: 'Initial password',
};

export const userFieldLabel = (path: string): string => (USER_FIELD_LABELS as Record<string, string>)[path] ?? path;

export const emptyUserForm = (): UserFormValues => ({ role: null, displayName: '', email: '', password: '' });

export const ROLE_OPTIONS: Option<UserRole>[] = (Object.keys(USER_ROLE_LABELS) as UserRole[]).map((role) => ({
  value: role,
  label: USER_ROLE_LABELS[role],
}));

export const roleWords = (role: UserRole): string => USER_ROLE_LABELS[role] ?? role;

export const userStateWords = (user: Pick<UserResponse, 'active'>): string => (user.active ? 'Active' : 'Deactivated');

// What the form can tell before sending: the missing fields and a short password (the API says the rest).
export function checkUserForm(values: UserFormValues): FieldErrors {
  const errors: FieldErrors = {};
  if (!values.role) errors.role = 'Choose a role.';
  if (!values.displayName.trim()) errors.displayName = 'Enter the name the registry shows for this user.';
  if (!values.email.trim()) errors.email = 'Enter the email address the user signs in with.';
  if (!values.password) errors.password = 'Enter an initial password.';
  else if (values.password.length < PASSWORD_MIN_LENGTH)
    errors.password = `The password needs at least ${PASSWORD_MIN_LENGTH} characters.`;
  return errors;
}

// The body of POST /api/v1/users (the form is checked first: the role is set). The password is sent as typed.
export function createUserRequest(values: UserFormValues): CreateUserRequest {
  if (!values.role) throw new Error('The role is not chosen');
  return {
    role: values.role,
    displayName: values.displayName.trim(),
    email: values.email.trim(),
    password: values.password,
  };
}

// A change an administrator makes to a user from the list.
export type UserChange = { kind: 'role'; role: UserRole } | { kind: 'deactivate' } | { kind: 'reactivate' };

export function updateUserRequest(change: UserChange): UpdateUserRequest {
  if (change.kind === 'role') return { role: change.role };
  return { active: change.kind === 'reactivate' };
}

export function changeWords(user: Pick<UserResponse, 'displayName'>, change: UserChange): string {
  if (change.kind === 'role') return `make ${user.displayName} ${article(roleWords(change.role))}`;
  return `${change.kind === 'deactivate' ? 'deactivate' : 'reactivate'} ${user.displayName}`;
}

const article = (words: string) => `${/^[AEIOU]/i.test(words) ? 'an' : 'a'} ${words.toLowerCase()}`;

// Would this change take an active administrator away (the case the API's last-admin rule guards)?
export function removesAdmin(user: Pick<UserResponse, 'role' | 'active'>, change: UserChange): boolean {
  if (user.role !== 'admin' || !user.active) return false;
  return change.kind === 'deactivate' || (change.kind === 'role' && change.role !== 'admin');
}

// The API's refusal of a change in words. Its 409 for a change that removes an administrator is the last-admin
// rule: say what it means and what to do instead.
export function userChangeRefusal(
  user: Pick<UserResponse, 'displayName' | 'role' | 'active'>,
  change: UserChange,
  view: ProblemView,
): string {
  if (view.status === 409 && removesAdmin(user, change)) {
    return (
      `${user.displayName} is the only active administrator, and the registry must keep at least one. ` +
      `Make another user an administrator first; then you can ${changeWords(user, change)}.`
    );
  }
  return [view.message, ...Object.values(view.fieldErrors), ...view.otherErrors].join(' ');
}
