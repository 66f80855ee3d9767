import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { UserRole } from '@ilr/persistence';
import { client } from './openapi-validator.js';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: UserRole;
  token: string;
}

export const TEST_ADMIN = { email: 'admin@test.ilr', password: 'admin-password-for-tests' };

// Factories build records through the public API, so every test exercises the same validation
// and the same writes as a client would.
export class Factories {
  private adminToken?: string;
  private counter = 0;

  constructor(private readonly server: Server) {}

  async login(email: string, password: string): Promise<string> {
    const response = await client(this.server).post('/api/v1/auth/login').send({ email, password });
    if (response.status !== 200) throw new Error(`login for a test user failed with ${response.status}`);
    return response.body.accessToken as string;
  }

  async admin(): Promise<string> {
    this.adminToken ??= await this.login(TEST_ADMIN.email, TEST_ADMIN.password);
    return this.adminToken;
  }

  async newUser(
    overrides: { role?: UserRole; email?: string; displayName?: string; password?: string } = {},
  ): Promise<TestUser> {
    const role = overrides.role ?? 'surgeon';
    const email = overrides.email ?? `${role}.${++this.counter}.${randomBytes(3).toString('hex')}@test.ilr`;
    const password = overrides.password ?? `pw-${randomBytes(9).toString('base64url')}`;
    const response = await client(this.server)
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${await this.admin()}`)
      .send({ email, displayName: overrides.displayName ?? `Dr ${role} ${this.counter}`, role, password });
    if (response.status !== 201)
      throw new Error(`creating a test user failed with ${response.status}: ${JSON.stringify(response.body)}`);
    return { id: response.body.id, email, password, role, token: await this.login(email, password) };
  }

  newSurgeon() {
    return this.newUser({ role: 'surgeon' });
  }
}
