import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_SECRETS } from '@tierline/platform';
import { createTestDatabase } from '@tierline/testing';

/**
 * Security review, High 1 ("nothing demo reaches a deployment"), against a real Keycloak that
 * imported ONLY the production realm (infra/keycloak/tierline-realm.json), its client-secret
 * placeholders filled from the environment with random values, as docker-compose.yml does. The
 * Keycloak is this file's own (one start, ~30 s), on its own database of the shared PostgreSQL and
 * with the same build options as infra/stack.mjs, so the shared Keycloak installation is not
 * re-augmented. Ports: KEYCLOAK_PRODUCTION_TEST_PORT (18181) and the management port + 1000.
 */

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const REALM_FILE = join(REPO, 'infra', 'keycloak', 'tierline-realm.json');
const PORT = Number(process.env['KEYCLOAK_PRODUCTION_TEST_PORT'] ?? 18181);
const BASE = `http://localhost:${PORT}`;
const REALM = `${BASE}/realms/tierline`;
const ADMIN = `${BASE}/admin/realms/tierline`;

interface RealmClient { clientId: string; secret?: string }
const realmFile = JSON.parse(readFileSync(REALM_FILE, 'utf8')) as { clients: RealmClient[] };
/** clientId -> the environment variable its secret is imported from (the file holds ${NAME}). */
const secretVars = Object.fromEntries(
  realmFile.clients.filter((c) => c.secret !== undefined).map((c) => [c.clientId, /^\$\{([A-Z0-9_]+)\}$/.exec(c.secret!)?.[1] ?? '']),
);
const secrets = Object.fromEntries(Object.keys(secretVars).map((id) => [id, randomBytes(32).toString('hex')]));
const bootstrapAdminPassword = randomBytes(16).toString('hex');

let kc: ChildProcess | undefined;
let dropDb: (() => Promise<void>) | undefined;
let work: string;
let log = '';

async function token(clientId: string, secret: string): Promise<Response> {
  return fetch(`${REALM}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
}
async function accessToken(clientId: string, secret: string): Promise<string> {
  const res = await token(clientId, secret);
  expect(res.status, `${clientId}: client credentials`).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}
/** The bootstrap admin of the master realm (an operator inside the network), to inspect the realm. */
async function operatorToken(): Promise<string> {
  const res = await fetch(`${BASE}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: bootstrapAdminPassword }),
  });
  expect(res.status, 'master admin login').toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}
async function api<T>(bearer: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${ADMIN}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${bearer}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

beforeAll(async () => {
  expect(Object.values(secretVars).every(Boolean), 'every client secret of the production realm is a ${...} placeholder').toBe(true);
  const tools = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', `import { toolPaths } from ${JSON.stringify(join(REPO, 'infra', 'lib', 'tools.mjs'))}; console.log(JSON.stringify(toolPaths()))`], { encoding: 'utf8' }),
  ) as { keycloakHome: string; javaHome: string | null };
  if (!tools.javaHome) throw new Error('no Java for Keycloak: run node infra/install.mjs');
  work = mkdtempSync(join(tmpdir(), 'tierline-production-realm-'));
  const importDir = join(work, 'import');
  mkdirSync(importDir);
  // Exactly the file a deployment imports, byte for byte.
  writeFileSync(join(importDir, 'tierline-realm.json'), readFileSync(REALM_FILE));
  const db = await createTestDatabase('kcprod');
  dropDb = db.drop;
  const url = new URL(db.url);
  kc = spawn(
    join(tools.keycloakHome, 'bin', 'kc.sh'),
    [
      'start-dev', '--import-realm',
      '--http-host=127.0.0.1', `--http-port=${PORT}`, `--http-management-port=${PORT + 1000}`, `--hostname=${BASE}`,
      // The build options of infra/stack.mjs: the shared installation is not rebuilt for this start.
      '--health-enabled=true',
      '--db=postgres', `--db-url=jdbc:postgresql://${url.hostname}:${url.port}${url.pathname}`,
      `--db-username=${decodeURIComponent(url.username)}`, `--db-password=${decodeURIComponent(url.password)}`,
    ],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        JAVA_HOME: tools.javaHome,
        JAVA_OPTS_APPEND: `-XX:TieredStopAtLevel=1 --add-opens=java.base/java.lang=ALL-UNNAMED -Dkeycloak.migration.dir=${importDir}`,
        KC_BOOTSTRAP_ADMIN_USERNAME: 'admin',
        KC_BOOTSTRAP_ADMIN_PASSWORD: bootstrapAdminPassword,
        // What compose's keycloak.env gives the import.
        ...Object.fromEntries(Object.entries(secretVars).map(([id, name]) => [name, secrets[id]!])),
      },
    },
  );
  const keep = (b: Buffer) => {
    log = (log + b.toString()).slice(-20_000);
  };
  kc.stdout?.on('data', keep);
  kc.stderr?.on('data', keep);
  const deadline = Date.now() + 280_000;
  for (;;) {
    if (kc.exitCode !== null) throw new Error(`Keycloak exited (${kc.exitCode}):\n${log}`);
    const ok = await fetch(`${REALM}/.well-known/openid-configuration`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`Keycloak did not come up on ${BASE}:\n${log}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}, 300_000);

afterAll(async () => {
  if (kc?.pid && kc.exitCode === null) {
    const exited = new Promise((r) => kc!.once('exit', r));
    try {
      process.kill(-kc.pid, 'SIGTERM');
    } catch {
      // gone already
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (kc.exitCode === null) process.kill(-kc.pid, 'SIGKILL');
  }
  await dropDb?.();
  if (work) rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('the production realm, as a deployment imports it', () => {
  it('holds no people: the demo users are not in it', async () => {
    const { status, body } = await api<{ username: string; serviceAccountClientId?: string }[]>(await operatorToken(), '/users?briefRepresentation=true&max=1000');
    expect(status).toBe(200);
    expect(body.filter((u) => !u.serviceAccountClientId && !u.username.startsWith('service-account-')).map((u) => u.username)).toEqual([]);
    const nora = await api<unknown[]>(await operatorToken(), '/users?username=nora.nurse&exact=true');
    expect(nora.body).toEqual([]);
  });

  it('gives every confidential client the deployment\'s secret; the demo secrets are refused', async () => {
    expect(Object.keys(secrets).sort()).toEqual(['tierline-audit', 'tierline-identity', 'tierline-notification', 'tierline-ticket', 'tierline-worker']);
    for (const [clientId, secret] of Object.entries(secrets)) {
      expect((await token(clientId, secret)).status, `${clientId} with its generated secret`).toBe(200);
      const demo = await token(clientId, `${clientId}-dev-secret`);
      expect(demo.status, `${clientId} with the demo secret`).toBe(401);
      expect(((await demo.json()) as { error: string }).error).toBe('unauthorized_client');
      // Not the placeholder text either (what a missing variable would leave).
      expect((await token(clientId, `\${${secretVars[clientId]}}`)).status).toBe(401);
    }
    expect(DEMO_SECRETS).toContain('tierline-identity-dev-secret');
  });

  it('refuses password grants on admin-cli and on every other client of the realm', async () => {
    const res = await fetch(`${REALM}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: 'nobody', password: 'whatever-1234' }),
    });
    const refusal = (await res.json()) as { error: string; error_description?: string };
    // Refused for the client, before any user is looked up ("invalid_grant" would mean it tried).
    expect([res.status, refusal.error]).toEqual([400, 'unauthorized_client']);
    expect(refusal.error_description).toMatch(/direct access grants/i);
    const { body: clients } = await api<{ clientId: string; directAccessGrantsEnabled?: boolean }[]>(await operatorToken(), '/clients');
    expect(clients.map((c) => c.clientId)).toContain('admin-cli');
    expect(clients.filter((c) => c.directAccessGrantsEnabled).map((c) => c.clientId)).toEqual([]);
  });

  it('does not let a one-time code be used twice', async () => {
    const { body } = await api<{ otpPolicyCodeReusable: boolean; otpPolicyType: string }>(await operatorToken(), '');
    expect(body.otpPolicyType).toBe('totp');
    expect(body.otpPolicyCodeReusable).toBe(false);
  });

  it('gives the identity service account only what the identity service needs, and no credential secret', async () => {
    const operator = await operatorToken();
    // Its realm-management roles, composites expanded: exactly these five (view-events: the login events it carries to the audit log, decision 19).
    const { body: sa } = await api<{ id: string }>(operator, '/clients?clientId=tierline-identity').then(async ({ body }) =>
      api<{ id: string }>(operator, `/clients/${(body as unknown as { id: string }[])[0]!.id}/service-account-user`),
    );
    const { body: rm } = await api<{ id: string }[]>(operator, '/clients?clientId=realm-management');
    const { body: effective } = await api<{ name: string }[]>(operator, `/users/${sa.id}/role-mappings/clients/${rm[0]!.id}/composite`);
    expect(effective.map((r) => r.name).sort()).toEqual(['manage-users', 'query-groups', 'query-users', 'view-events', 'view-users']);

    const identity = await accessToken('tierline-identity', secrets['tierline-identity']!);
    // What the identity service does: create a person (here with a password), read them back.
    const created = await fetch(`${ADMIN}/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${identity}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'pat.probe', enabled: true, email: 'pat.probe@clinic.test', firstName: 'Pat', lastName: 'Probe', credentials: [{ type: 'password', value: 'Probe-password-12', temporary: false }] }),
    });
    expect(created.status).toBe(201);
    const id = created.headers.get('location')!.split('/').pop()!;
    // Credentials: at most their metadata, never the secret or its hash.
    const creds = await api<Record<string, unknown>[]>(identity, `/users/${id}/credentials`);
    expect([200, 403]).toContain(creds.status);
    const text = JSON.stringify(creds.body ?? '');
    expect(text).not.toContain('Probe-password-12');
    for (const c of creds.status === 200 ? creds.body : []) {
      expect(c['secretData'], 'no secretData').toBeUndefined();
      expect(c['value'], 'no value').toBeUndefined();
    }
    // Nothing beyond users: not the clients (their secrets), the realm, impersonation, the master realm.
    expect((await api(identity, '/clients')).status).toBe(403);
    const { body: idClient } = await api<{ id: string }[]>(operator, '/clients?clientId=tierline-notification');
    expect((await api(identity, `/clients/${idClient[0]!.id}/client-secret`)).status).toBe(403);
    expect((await api(identity, '/authentication/flows')).status).toBe(403);
    expect((await api(identity, `/users/${id}/impersonation`, { method: 'POST' })).status).toBe(403);
    expect((await fetch(`${BASE}/admin/realms/master/users`, { headers: { authorization: `Bearer ${identity}` } })).status).toBe(403);
    // Nor can it grant itself more: realm-management roles are not its to map.
    const { body: viewClients } = await api<{ id: string; name: string }>(operator, `/clients/${rm[0]!.id}/roles/view-clients`);
    const grant = await api(identity, `/users/${sa.id}/role-mappings/clients/${rm[0]!.id}`, { method: 'POST', body: JSON.stringify([{ id: viewClients.id, name: viewClients.name }]) });
    expect(grant.status).toBe(403);
  });
});
