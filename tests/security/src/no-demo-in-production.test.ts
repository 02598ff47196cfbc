import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { DEMO_SECRETS, isDemoSecret, parseEnv } from '@tierline/platform';
import { identityEnvSchema } from '@tierline/identity';
import { notificationEnvSchema } from '@tierline/notification';
import { ticketEnvSchema } from '@tierline/ticket';
// Neither package exports its env schema (nothing else needs it); the source is the one truth.
import { auditEnvSchema } from '../../../services/audit/src/env.js';
import { workerEnvSchema } from '../../../workflows/src/env.js';

/**
 * Security review, High 1: nothing demo reaches a deployment (decision 18). Without servers:
 * the services' refusal to start in production on a missing or demo secret, the production realm
 * and its demo overlay, the public entry (Caddyfile, compose) and the generated secrets.
 * production-realm.int.test.ts checks the realm on a real Keycloak.
 */

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const read = (...p: string[]) => readFileSync(join(REPO, ...p), 'utf8');
const json = <T>(...p: string[]) => JSON.parse(read(...p)) as T;

interface Client { clientId: string; secret?: string; directAccessGrantsEnabled?: boolean; publicClient?: boolean }
interface User { username: string; serviceAccountClientId?: string; credentials?: { type: string; value?: string; secretData?: string }[] }
interface Realm { clients: Client[]; users?: User[]; otpPolicyCodeReusable?: boolean }

const productionRealm = json<Realm>('infra', 'keycloak', 'tierline-realm.json');
const overlay = json<Partial<Realm>>('infra', 'keycloak', 'tierline-realm.demo.json');
/** The realm the local stack imports: infra/lib/realm.mjs's merge, as infra/stack.mjs writes it. */
function mergedDemoRealm(): Realm {
  const lib = JSON.stringify(join(REPO, 'infra', 'lib', 'realm.mjs'));
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', `import { demoRealm } from ${lib}; console.log(JSON.stringify(demoRealm()))`], { encoding: 'utf8' })) as Realm;
}

// ---------------------------------------------------------------- the services refuse demo secrets

/** What a deployment gives each process (as compose-secrets.mjs generates it): passes in production. */
const hex = (n: number) => 'ab'.repeat(n);
const deployed = {
  NODE_ENV: 'production',
  DATABASE_URL: `postgres://tierline:${hex(32)}@postgres:5432/tierline`,
  NATS_USER: 'svc',
  NATS_PASSWORD: hex(32),
};
const ED25519_PKCS8 = Buffer.from('-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n').toString('base64');
type Service = { schema: z.ZodType; env: Record<string, string>; required: string[] };
const SERVICES: Record<string, Service> = {
  ticket: { schema: ticketEnvSchema, env: { ...deployed }, required: ['NATS_PASSWORD'] },
  identity: {
    schema: identityEnvSchema,
    env: { ...deployed, KEYCLOAK_ADMIN_CLIENT_SECRET: hex(32), VENDOR_LINK_SIGNING_KEY: ED25519_PKCS8 },
    required: ['NATS_PASSWORD', 'KEYCLOAK_ADMIN_CLIENT_SECRET', 'VENDOR_LINK_SIGNING_KEY'],
  },
  notification: {
    schema: notificationEnvSchema,
    env: { ...deployed, NOTIFICATION_CLIENT_SECRET: hex(32), TWILIO_AUTH_TOKEN: hex(32), SLACK_BOT_TOKEN: `xoxb-${hex(8)}`, REPLY_TOKEN_KEYS: hex(32) },
    required: ['NATS_PASSWORD', 'NOTIFICATION_CLIENT_SECRET', 'TWILIO_AUTH_TOKEN', 'SLACK_BOT_TOKEN', 'REPLY_TOKEN_KEYS'],
  },
  audit: { schema: auditEnvSchema, env: { ...deployed, AUDIT_SIGNING_KEY: ED25519_PKCS8 }, required: ['NATS_PASSWORD', 'AUDIT_SIGNING_KEY'] },
  worker: { schema: workerEnvSchema, env: { ...deployed }, required: ['NATS_PASSWORD'] },
};
/** The variables named by the issues of a refused environment. */
function refused(schema: z.ZodType, env: Record<string, string | undefined>): string[] {
  const r = schema.safeParse(env);
  return r.success ? [] : r.error.issues.map((i) => String(i.path[0]));
}

describe('in production, every service refuses a missing or demo secret and names it', () => {
  it.each(Object.keys(SERVICES))('%s: starts with its own secrets', (name) => {
    const { schema, env } = SERVICES[name]!;
    expect(refused(schema, env)).toEqual([]);
  });

  it.each(Object.keys(SERVICES))('%s: a required secret left unset is refused (a demo default counts as unset)', (name) => {
    const { schema, env, required } = SERVICES[name]!;
    for (const key of required) {
      const { [key]: _gone, ...rest } = env;
      expect(refused(schema, rest), `${name} without ${key}`).toContain(key);
    }
  });

  it.each(Object.keys(SERVICES))('%s: any secret set to a published demo value is refused', (name) => {
    const { schema, env, required } = SERVICES[name]!;
    const demoFor: Record<string, string> = {
      NATS_PASSWORD: `${name === 'worker' ? 'worker' : name}-dev-secret`,
      KEYCLOAK_ADMIN_CLIENT_SECRET: 'tierline-identity-dev-secret',
      NOTIFICATION_CLIENT_SECRET: 'tierline-notification-dev-secret',
      TWILIO_AUTH_TOKEN: 'stub-auth-token',
      SLACK_BOT_TOKEN: 'xoxb-stub-token',
      REPLY_TOKEN_KEYS: 'reply-token-dev-secret',
    };
    for (const key of required.filter((k) => demoFor[k])) {
      expect(refused(schema, { ...env, [key]: demoFor[key] }), `${name}: ${key}=${demoFor[key]}`).toEqual([key]);
    }
    // The local stack's database password and the tests' NATS credentials, inside URLs.
    expect(refused(schema, { ...env, DATABASE_URL: 'postgres://tierline:tierline@postgres:5432/tierline' })).toEqual(['DATABASE_URL']);
    expect(refused(schema, { ...env, NATS_URL: 'nats://tests:tests-dev-secret@nats:4222' })).toEqual(['NATS_URL']);
  });

  it('ticket: the object store\'s dev secret is refused as S3_SECRET_ACCESS_KEY; unset, the SDK\'s own credentials are used', () => {
    const { schema, env } = SERVICES['ticket']!;
    expect(refused(schema, { ...env, S3_ACCESS_KEY_ID: 'tierline-attachments', S3_SECRET_ACCESS_KEY: 'attachments-dev-secret' })).toEqual(['S3_SECRET_ACCESS_KEY']);
    expect(refused(schema, { ...env, S3_ACCESS_KEY_ID: 'AKIAEXAMPLE', S3_SECRET_ACCESS_KEY: 'a-deployment-s-own-secret' })).toEqual([]);
    expect(refused(schema, env)).toEqual([]);
  });

  it('says which variable and why, in the start-up error', () => {
    const { KEYCLOAK_ADMIN_CLIENT_SECRET: _gone, ...env } = SERVICES['identity']!.env;
    expect(() => parseEnv(identityEnvSchema, env)).toThrow(/KEYCLOAK_ADMIN_CLIENT_SECRET: the value \(or its development default\) is a published demo secret, refused in production/);
    const { AUDIT_SIGNING_KEY: _key, ...audit } = SERVICES['audit']!.env;
    expect(() => parseEnv(auditEnvSchema, audit)).toThrow(/AUDIT_SIGNING_KEY: required in production/);
  });

  it('keeps the demo defaults in development and tests (npm run up, the test suites)', () => {
    for (const [name, { schema }] of Object.entries(SERVICES)) {
      for (const NODE_ENV of ['development', 'test']) {
        const env = { NODE_ENV, DATABASE_URL: 'postgres://tierline:tierline@127.0.0.1:55432/tierline', NATS_USER: name, NATS_PASSWORD: `${name}-dev-secret` };
        expect(refused(schema, env), `${name} in ${NODE_ENV}`).toEqual([]);
      }
    }
  });

  it('the local stack and the bench do not run in production mode (they use the demo secrets)', () => {
    expect(read('scripts', 'apps.mjs')).toMatch(/NODE_ENV: 'development'/);
    expect(read('scripts', 'apps.mjs')).not.toMatch(/NODE_ENV: 'production'/);
    expect(read('tests', 'bench', 'src', 'stack.ts')).not.toMatch(/NODE_ENV: 'production'/);
  });
});

describe('the one list of demo secrets covers every secret the demo publishes', () => {
  it('the demo realm\'s client secrets and the demo people\'s password', () => {
    for (const c of overlay.clients ?? []) if (c.secret) expect(DEMO_SECRETS, c.clientId).toContain(c.secret);
    for (const u of overlay.users ?? []) for (const cred of u.credentials ?? []) if (cred.value) expect(DEMO_SECRETS, u.username).toContain(cred.value);
  });

  it('the NATS passwords whose hashes infra/nats/nats.conf holds', () => {
    const users = [...read('infra', 'nats', 'nats.conf').matchAll(/\{\s*user:\s*([a-z]+),\s*password:\s*"([^"]+)"/g)];
    expect(users.length).toBeGreaterThanOrEqual(7);
    for (const [, user, hash] of users) {
      expect(bcrypt.compareSync(`${user}-dev-secret`, hash!), `nats.conf: ${user}`).toBe(true);
      expect(isDemoSecret(`${user}-dev-secret`), `${user}-dev-secret is listed`).toBe(true);
    }
  });

  it('the local PostgreSQL password and the provider stand-ins\' tokens', () => {
    const env = read('infra', 'lib', 'env.mjs');
    const pg = /postgres:\/\/tierline:([^@]+)@/.exec(env)![1]!;
    expect(isDemoSecret(pg)).toBe(true);
    // The services' own logins on the local stack (DEV_DB_PASSWORDS).
    const logins = [.../(\w+): '([^']+-db-dev-secret)'/g[Symbol.matchAll](env)].map((m) => m[2]!);
    expect(logins.length).toBeGreaterThan(0);
    for (const password of logins) expect(isDemoSecret(password), password).toBe(true);
    // The local object store's account (OBJECT_STORE), refused as S3_SECRET_ACCESS_KEY in production.
    expect(isDemoSecret(/secretAccessKey: '([^']+)'/.exec(env)![1]!)).toBe(true);
    const stubs = read('services', 'provider-stubs', 'src', 'app.ts');
    expect(isDemoSecret(/authToken: '([^']+)'/.exec(stubs)![1]!)).toBe(true);
    expect(isDemoSecret(/slack: \{ token: '([^']+)'/.exec(stubs)![1]!)).toBe(true);
  });
});

// ---------------------------------------------------------------- the realm

describe('the production realm and its demo overlay', () => {
  it('the production realm holds no people: only the identity service account\'s role grant', () => {
    const people = (productionRealm.users ?? []).filter((u) => !u.serviceAccountClientId);
    expect(people.map((u) => u.username)).toEqual([]);
    expect((productionRealm.users ?? []).every((u) => !u.credentials)).toBe(true);
  });

  it('holds no client secret: each is a placeholder that the deployment fills', () => {
    const confidential = productionRealm.clients.filter((c) => c.publicClient === false);
    expect(confidential.length).toBeGreaterThanOrEqual(5);
    for (const c of confidential) expect(c.secret, c.clientId).toMatch(/^\$\{TIERLINE_[A-Z]+_CLIENT_SECRET\}$/);
    // Nor any other published secret, anywhere in the file.
    const text = read('infra', 'keycloak', 'tierline-realm.json');
    for (const s of DEMO_SECRETS.filter((x) => x.length > 8)) expect(text, s).not.toContain(s);
  });

  it('does not accept a one-time code twice; the demo overlay alone may (decision 7)', () => {
    expect(productionRealm.otpPolicyCodeReusable).toBe(false);
    expect(mergedDemoRealm().otpPolicyCodeReusable).toBe(true);
  });

  it('has password grants off on every client, admin-cli included', () => {
    const adminCli = productionRealm.clients.find((c) => c.clientId === 'admin-cli');
    expect(adminCli, 'admin-cli is declared, so Keycloak does not create its default (password grant on)').toBeDefined();
    for (const c of productionRealm.clients) expect(c.directAccessGrantsEnabled, c.clientId).toBe(false);
    // The code never asks for one: logins go through the real PKCE page, services use client credentials.
    for (const dir of ['services', 'packages', 'workflows', 'tests', 'scripts', 'infra']) {
      const out = spawnSync('grep', ['-rlE', '--include=*.ts', '--include=*.mjs', '--include=*.sh', '--exclude-dir=node_modules', '--exclude-dir=dist', "grant_type[:=] *'?password", join(REPO, dir)], { encoding: 'utf8' });
      expect(out.stdout.split('\n').filter(Boolean).filter((f) => !f.endsWith('production-realm.int.test.ts'))).toEqual([]);
    }
  });

  it('the demo overlay adds the demo people, the dev client secrets and nothing structural', () => {
    expect(Object.keys(overlay).sort()).toEqual(['clients', 'otpPolicyCodeReusable', 'users']);
    const merged = mergedDemoRealm();
    expect(merged.users!.map((u) => u.username)).toEqual(expect.arrayContaining(['nora.nurse', 'alex.agent', 'ada.admin', 'service-account-tierline-identity']));
    for (const c of merged.clients.filter((x) => x.publicClient === false)) expect(c.secret, c.clientId).toBe(`${c.clientId}-dev-secret`);
    // Everything else is the production realm's.
    const strip = (r: Realm) => ({ ...r, users: undefined, otpPolicyCodeReusable: undefined, clients: r.clients.map((c) => ({ ...c, secret: undefined })) });
    expect(strip(merged)).toEqual(strip(productionRealm));
  });
});

// ---------------------------------------------------------------- the public entry

interface Handle { matcher: string | null; body: string }
/** The `handle` blocks of one Caddyfile site, in order. */
function siteHandles(caddyfile: string, site: string): Handle[] {
  const start = caddyfile.search(new RegExp(`^${site.replace(':', ':')}\\s*\\{`, 'm'));
  expect(start, `Caddyfile site ${site}`).toBeGreaterThanOrEqual(0);
  let depth = 0;
  let end = start;
  for (let i = caddyfile.indexOf('{', start); i < caddyfile.length; i++) {
    if (caddyfile[i] === '{') depth++;
    if (caddyfile[i] === '}' && --depth === 0) {
      end = i;
      break;
    }
  }
  const block = caddyfile.slice(caddyfile.indexOf('{', start) + 1, end);
  const handles: Handle[] = [];
  for (const m of block.matchAll(/^\thandle(?:\s+(\S+))?\s*\{\n([\s\S]*?)^\t\}/gm)) handles.push({ matcher: m[1] ?? null, body: m[2]! });
  // Anything outside a handle would apply to every path.
  const outside = block.replace(/^\thandle(?:\s+\S+)?\s*\{\n[\s\S]*?^\t\}/gm, '').replace(/#.*$/gm, '').trim();
  expect(outside, `${site}: directives outside handle blocks`).toBe('');
  return handles;
}
/** Caddy's `handle`: the most specific matching path wins; the one without a matcher is the fallback. */
function route(handles: Handle[], path: string): string {
  const matching = handles
    .filter((h) => h.matcher === null || (h.matcher.endsWith('*') ? path.startsWith(h.matcher.slice(0, -1)) : path === h.matcher))
    .sort((a, b) => (b.matcher?.length ?? -1) - (a.matcher?.length ?? -1));
  const h = matching[0];
  if (!h) return 'nothing';
  if (/reverse_proxy\s+keycloak:8080/.test(h.body)) return 'keycloak';
  const respond = /respond\s+(\d{3})/.exec(h.body);
  return respond ? respond[1]! : 'other';
}

describe('Keycloak\'s admin console and admin API are not reachable through the public entry', () => {
  const caddyfile = read('infra', 'docker', 'Caddyfile');
  const handles = siteHandles(caddyfile, ':8180');

  it('the Keycloak site passes the realm\'s public endpoints and the login pages\' resources', () => {
    for (const p of ['/realms/tierline/protocol/openid-connect/auth', '/realms/tierline/protocol/openid-connect/token', '/realms/tierline/protocol/openid-connect/certs',
      '/realms/tierline/.well-known/openid-configuration', '/realms/tierline/login-actions/authenticate', '/resources/abc12/login/keycloak.v2/css/styles.css']) {
      expect(route(handles, p), p).toBe('keycloak');
    }
  });

  it('answers 404 for the admin console, the admin REST API, the master realm and anything else', () => {
    for (const p of ['/admin', '/admin/', '/admin/master/console/', '/admin/realms/tierline/users', '/admin/realms/tierline/clients', '/admin/realms/master/users',
      '/realms/master/protocol/openid-connect/token', '/realms/tierline', '/metrics', '/health/ready', '/']) {
      expect(route(handles, p), p).toBe('404');
    }
  });

  it('no other site of the public entry reaches Keycloak', () => {
    const sites = [...caddyfile.matchAll(/^(:\d+)\s*\{/gm)].map((m) => m[1]!);
    expect(sites).toContain(':8180');
    const others = caddyfile.split(/^(?=:\d+\s*\{)/m).filter((b) => !b.startsWith(':8180'));
    for (const b of others) expect(b).not.toMatch(/keycloak:/);
  });

  it('compose publishes neither Keycloak nor its management port, sets no admin host name, and mounts the production realm alone', () => {
    const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as { services: Record<string, { ports?: string[]; environment?: Record<string, string>; volumes?: string[] }> };
    const kc = compose.services['keycloak']!;
    expect(kc.ports ?? []).toEqual([]);
    expect(Object.keys(kc.environment ?? {})).not.toContain('KC_HOSTNAME_ADMIN');
    expect(kc.volumes).toEqual(['./infra/keycloak/tierline-realm.json:/opt/keycloak/data/import/tierline-realm.json:ro']);
    expect(read('docker-compose.yml')).not.toContain('tierline-realm.demo.json');
    // The proxy's Keycloak port maps to the :8180 site checked above; 9000 (management) is nowhere.
    const ports = compose.services['proxy']!.ports!;
    expect(ports.some((p) => p.endsWith(':8180'))).toBe(true);
    expect(Object.values(compose.services).flatMap((s) => s.ports ?? []).filter((p) => /:9000$/.test(p))).toEqual([]);
  });
});

// ---------------------------------------------------------------- secrets per deployment

function generate(dir: string) {
  return spawnSync(process.execPath, [join(REPO, 'infra', 'docker', 'compose-secrets.mjs'), '--dir', dir], { encoding: 'utf8' });
}
function envFiles(dir: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const f of readdirSync(dir)) {
    out[f] = Object.fromEntries(
      readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => {
        const at = l.indexOf('=');
        return [l.slice(0, at), l.slice(at + 1).replace(/^'(.*)'$/, '$1')];
      }),
    );
  }
  return out;
}

describe('every secret is generated per deployment, once', () => {
  let a: string;
  let b: string;
  beforeAll(() => {
    a = mkdtempSync(join(tmpdir(), 'tierline-secrets-a-'));
    b = mkdtempSync(join(tmpdir(), 'tierline-secrets-b-'));
    expect(generate(a).status).toBe(0);
    expect(generate(b).status).toBe(0);
  });
  afterAll(() => {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  });

  it('no value is a demo secret, and two deployments share none', () => {
    const first = envFiles(a);
    const second = envFiles(b);
    const secretKey = /PASSWORD|SECRET|TOKEN|KEY|DATABASE_URL/;
    const values = (files: typeof first) => Object.values(files).flatMap((vars) => Object.entries(vars).filter(([k]) => secretKey.test(k) && k !== 'KC_BOOTSTRAP_ADMIN_USERNAME').map(([, v]) => v));
    expect(values(first).length).toBeGreaterThanOrEqual(20);
    for (const v of values(first)) {
      expect(isDemoSecret(v), v).toBe(false);
      expect(v.length, v).toBeGreaterThanOrEqual(32);
      expect(values(second)).not.toContain(v);
    }
    expect(readdirSync(a).join()).not.toMatch(/dev-secret/);
  });

  it('keycloak.env fills every client-secret placeholder of the realm, with the secrets the services send', () => {
    const files = envFiles(a);
    const kc = files['keycloak.env']!;
    for (const c of productionRealm.clients.filter((x) => x.secret)) {
      const name = /^\$\{(\w+)\}$/.exec(c.secret!)![1]!;
      expect(kc[name], name).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(files['identity.env']!['KEYCLOAK_ADMIN_CLIENT_SECRET']).toBe(kc['TIERLINE_IDENTITY_CLIENT_SECRET']);
    expect(files['notification.env']!['NOTIFICATION_CLIENT_SECRET']).toBe(kc['TIERLINE_NOTIFICATION_CLIENT_SECRET']);
    expect(files['provider-stubs.env']).toEqual({ TWILIO_AUTH_TOKEN: files['notification.env']!['TWILIO_AUTH_TOKEN'], SLACK_BOT_TOKEN: files['notification.env']!['SLACK_BOT_TOKEN'] });
  });

  it('nats.env holds the bcrypt hash of each process\'s generated password; nats.production.conf holds none', () => {
    const files = envFiles(a);
    const nats = files['nats.env']!;
    for (const user of ['ticket', 'identity', 'notification', 'audit', 'worker']) {
      const hash = nats[`NATS_${user.toUpperCase()}_PASSWORD_HASH`]!.replace(/^"(.*)"$/, '$1');
      expect(bcrypt.compareSync(files[`${user}.env`]!['NATS_PASSWORD']!, hash), user).toBe(true);
    }
    expect(bcrypt.compareSync(files['ops.env']!['NATS_OPS_PASSWORD']!, nats['NATS_OPS_PASSWORD_HASH']!.replace(/^"(.*)"$/, '$1'))).toBe(true);
    expect(read('infra', 'nats', 'nats.production.conf').replace(/#.*$/gm, '')).not.toMatch(/\$2[aby]\$\d\d\$/);
  });

  it('the generated files start every service in production mode', () => {
    const files = envFiles(a);
    for (const [name, { schema }] of Object.entries(SERVICES)) {
      const env = { ...files[`${name}.env`], NODE_ENV: 'production', NATS_USER: name };
      expect(refused(schema, env), name).toEqual([]);
    }
  });

  it('keeps what exists, and refuses to write a partial set', () => {
    const before = envFiles(a);
    const again = generate(a);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/kept/);
    expect(envFiles(a)).toEqual(before);
    unlinkSync(join(a, 'ticket.env'));
    const partial = generate(a);
    expect(partial.status).toBe(1);
    expect(partial.stderr).toMatch(/ticket\.env/);
    expect(envFiles(a)).toEqual(Object.fromEntries(Object.entries(before).filter(([f]) => f !== 'ticket.env')));
  });
});
