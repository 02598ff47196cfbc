import { randomBytes } from 'node:crypto';
import { DEMO_PASSWORD, type DemoRole } from './demo-users.js';
import { testEnv } from './env.js';
import { loginAs, serviceToken, type Tokens } from './keycloak.js';

/**
 * People of one test file, created in the shared Keycloak realm and deleted after. The demo users
 * (demo-users.ts) are shared by every test file running at the same time: a test that disables,
 * re-roles, signs out or changes one of them breaks the files that log in as them meanwhile. Such a
 * test makes its own person here instead, and the demo users stay as the realm file made them.
 */
export interface TestUser {
  id: string;
  username: string;
  email: string;
  password: string;
  /** Base32 TOTP secret of the authenticator the user was created with (when asked for). */
  totpSecret?: string;
  roles: DemoRole[];
  /** Group paths: /sites/<site>, /vendors/<org>. */
  groups: string[];
}

export interface TestUserOptions {
  /** Start of the username (a random suffix follows), so a leftover names the file that made it. */
  prefix: string;
  roles: DemoRole[];
  /** Group paths, e.g. ['/sites/north'] or ['/vendors/beta-it']. */
  groups?: string[];
  /**
   * Give the user an authenticator (an OTP credential with a random secret), as the realm requires
   * of every role but clinic_staff: without one, their login stops short of a code (decision 19).
   */
  totp?: boolean;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Keycloak's admin API as the identity service account (the account the identity service manages people with). */
export async function keycloakAdmin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const env = testEnv();
  const token = (await serviceToken('tierline-identity')).access_token;
  const res = await fetch(`${env.keycloakUrl}/admin/realms/${env.realm}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text for the error message.
  }
  return { status: res.status, body: parsed };
}

async function must(what: string, p: Promise<{ status: number; body: unknown }>, ...ok: number[]) {
  const res = await p;
  if (!ok.includes(res.status)) throw new Error(`test user: ${what} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body;
}

/** Creates a uniquely named person with the demo password, the roles and groups asked for. */
export async function createTestUser(opts: TestUserOptions): Promise<TestUser> {
  const username = `${opts.prefix}.${randomBytes(4).toString('hex')}`.toLowerCase();
  const email = `${username}@it.tierline.test`;
  const totpSecret = opts.totp ? [...randomBytes(20)].map((b) => BASE32[b % 32]).join('') : undefined;
  const credentials: unknown[] = [{ type: 'password', value: DEMO_PASSWORD, temporary: false }];
  if (totpSecret) {
    credentials.push({
      type: 'otp',
      userLabel: 'test authenticator',
      secretData: JSON.stringify({ value: totpSecret }),
      credentialData: JSON.stringify({ subType: 'totp', digits: 6, counter: 0, period: 30, algorithm: 'HmacSHA1', secretEncoding: 'BASE32' }),
    });
  }
  await must(
    `creating ${username}`,
    keycloakAdmin('POST', '/users', { username, email, emailVerified: true, enabled: true, firstName: 'Test', lastName: opts.prefix, credentials }),
    201,
  );
  const [user] = (await must(`finding ${username}`, keycloakAdmin('GET', `/users?username=${encodeURIComponent(username)}&exact=true`), 200)) as { id: string }[];
  if (!user) throw new Error(`test user: ${username} was created but cannot be found`);
  try {
    if (opts.roles.length > 0) {
      // As the identity service grants roles: from those the user may be given (its account cannot list the realm's roles).
      const available = (await must(`roles for ${username}`, keycloakAdmin('GET', `/users/${user.id}/role-mappings/realm/available`), 200)) as { name: string }[];
      const roles = available.filter((r) => (opts.roles as string[]).includes(r.name));
      if (roles.length !== opts.roles.length) throw new Error(`test user: the realm has not every role of ${opts.roles.join(', ')}`);
      await must(`roles of ${username}`, keycloakAdmin('POST', `/users/${user.id}/role-mappings/realm`, roles), 204);
    }
    for (const path of opts.groups ?? []) {
      const group = (await must(`group ${path}`, keycloakAdmin('GET', `/group-by-path${path}`), 200)) as { id: string };
      await must(`${username} into ${path}`, keycloakAdmin('PUT', `/users/${user.id}/groups/${group.id}`), 204);
    }
  } catch (err) {
    await deleteTestUser(user.id);
    throw err;
  }
  return { id: user.id, username, email, password: DEMO_PASSWORD, ...(totpSecret ? { totpSecret } : {}), roles: opts.roles, groups: opts.groups ?? [] };
}

/** Deletes a person made by createTestUser (a user already gone is fine). */
export async function deleteTestUser(id: string): Promise<void> {
  await must(`deleting ${id}`, keycloakAdmin('DELETE', `/users/${id}`), 204, 404);
}

/** Logs a test user in through Keycloak's login page, with their own one-time code when they have one. */
export function loginTestUser(user: TestUser): Promise<Tokens> {
  return loginAs(user.username, user.password, user.totpSecret ? { totpSecret: user.totpSecret } : {});
}

/**
 * The people of one test file: `create` as createTestUser, `removeAll` in afterAll deletes every
 * one of them again.
 */
export function testUsers() {
  const made: TestUser[] = [];
  return {
    made,
    async create(opts: TestUserOptions): Promise<TestUser> {
      const u = await createTestUser(opts);
      made.push(u);
      return u;
    },
    async removeAll(): Promise<void> {
      for (const u of made.splice(0)) await deleteTestUser(u.id).catch(() => undefined);
    },
  };
}

/**
 * A group of one test file under an existing parent (e.g. a vendor organisation under /vendors,
 * whose name is the organisation's id in tokens), deleted again by `remove`.
 */
export async function createTestGroup(parentPath: string, prefix: string): Promise<{ id: string; name: string; path: string; remove: () => Promise<void> }> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`.toLowerCase();
  const parent = (await must(`group ${parentPath}`, keycloakAdmin('GET', `/group-by-path${parentPath}`), 200)) as { id: string };
  const created = (await must(`creating group ${name}`, keycloakAdmin('POST', `/groups/${parent.id}/children`, { name }), 201)) as { id: string };
  return { id: created.id, name, path: `${parentPath}/${name}`, remove: async () => void (await must(`deleting group ${name}`, keycloakAdmin('DELETE', `/groups/${created.id}`), 204, 404)) };
}
