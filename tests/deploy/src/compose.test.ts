import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import bcrypt from 'bcryptjs';
import type { z } from 'zod';
import { identityEnvSchema } from '@tierline/identity';
import { notificationEnvSchema } from '@tierline/notification';
import { portalEnvSchema } from '@tierline/portal/server';
import { ticketEnvSchema } from '@tierline/ticket';
// Neither package exports its env schema (nothing else needs it); the source is the one truth.
import { auditEnvSchema } from '../../../services/audit/src/env.js';
import { workerEnvSchema } from '../../../workflows/src/env.js';
import {
  REPO,
  commandWords,
  containerEnv,
  dependsOn,
  dockerStages,
  envFilePaths,
  environmentOf,
  healthcheckCommand,
  interpolate,
  loadCompose,
  loadRaw,
  type ComposeFile,
  type Service,
} from './compose.js';

/**
 * docker-compose.yml cannot be run here (no Docker engine), so this checks everything about it that
 * does not need one: the file against the Compose Specification's JSON schema, the topology the
 * issue asks for, and that every Tierline process would start — its environment, assembled from the
 * Dockerfile, the env files and `environment:` as Compose does, passes the service's own zod schema.
 */

// The Compose Specification's schema (compose-spec/compose-spec, schema/compose-spec.json), as the
// dclint package ships it (schemas/compose.schema.json, refreshed from the spec by its maintainers).
const require = createRequire(import.meta.url);
const composeSchema = JSON.parse(readFileSync(join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json'), 'utf8')) as Record<string, unknown>;

function composeValidator() {
  // The schema names its draft by a URL without the trailing '#', which Ajv does not know by that
  // name; the schema is draft-07, Ajv's default, so the reference can go.
  const { $schema: _draft, ...schema } = composeSchema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(schema);
}
/** Ports and volumes in the short `a:b[:mode]` syntax, which this file uses throughout. */
function shortSyntax(list: (string | object)[] | undefined): string[] {
  return (list ?? []).map((entry) => {
    if (typeof entry !== 'string') throw new Error(`long syntax not expected here: ${JSON.stringify(entry)}`);
    return entry;
  });
}
const describeErrors = (errors: ErrorObject[] | null | undefined) => (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');

const TIERLINE = ['ticket', 'identity', 'notification', 'audit', 'worker', 'portal'] as const;
type Tierline = (typeof TIERLINE)[number];
const SCHEMAS: Record<Tierline, z.ZodType> = {
  ticket: ticketEnvSchema,
  identity: identityEnvSchema,
  notification: notificationEnvSchema,
  audit: auditEnvSchema,
  worker: workerEnvSchema,
  portal: portalEnvSchema,
};
const versions = JSON.parse(readFileSync(join(REPO, 'infra', 'versions.json'), 'utf8')) as Record<string, { version: string }>;

let secretsDir: string;
let compose: ComposeFile;
let svc: (name: string) => Service;
const stages = dockerStages();

beforeAll(() => {
  // The env files come from the same script an operator runs first (demo values), so the check
  // covers the script too: its keys must satisfy the services' schemas.
  secretsDir = mkdtempSync(join(tmpdir(), 'tierline-compose-secrets-'));
  execFileSync(process.execPath, [join(REPO, 'infra', 'docker', 'compose-secrets.mjs'), '--dir', secretsDir], { stdio: 'pipe' });
  compose = loadCompose({ TIERLINE_SECRETS_DIR: secretsDir });
  svc = (name) => {
    const s = compose.services[name];
    if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
    return s;
  };
});
afterAll(() => rmSync(secretsDir, { recursive: true, force: true }));

describe('docker-compose.yml against the Compose Specification', () => {
  it('validates against the JSON schema', () => {
    const validate = composeValidator();
    const ok = validate(loadRaw());
    expect(ok, describeErrors(validate.errors)).toBe(true);
  });

  it('the schema check rejects a malformed file (so the check above can fail)', () => {
    const validate = composeValidator();
    const broken = loadRaw();
    // A misspelt key: Compose refuses it rather than ignoring it, and so must the check.
    (broken['services'] as Record<string, Record<string, unknown>>)['ticket']!['deploy'] = { replica: 2 };
    expect(validate(broken)).toBe(false);
    expect(describeErrors(validate.errors)).toMatch(/\/services\/ticket\/deploy .*additionalProperty.*replica/);
  });

  it('interpolates like Compose: $$, ${VAR:-default}, ${VAR-default}, ${VAR}', () => {
    expect(interpolate('a$$b ${X:-d} ${Y-e} ${Z}', { X: '', Y: '', Z: 'z' })).toBe('a$b d  z');
    expect(interpolate('${X:-d}', { X: 'x' })).toBe('x');
  });
});

describe('the production-like topology', () => {
  it('has a container for every service of the repository (services/*) and the worker', () => {
    const dirs = readdirSync(join(REPO, 'services'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    for (const name of [...dirs, 'worker']) expect(Object.keys(compose.services), `services/${name}`).toContain(name);
    expect(dirs.filter((d) => d !== 'provider-stubs').sort()).toEqual(TIERLINE.filter((n) => n !== 'worker').sort());
  });

  it('runs two replicas of every Tierline service and of the worker, none with a host port', () => {
    for (const name of TIERLINE) {
      const s = svc(name);
      expect(s.deploy?.replicas, `${name}: deploy.replicas`).toBe(2);
      expect(s.ports ?? [], `${name} publishes ports, so its replicas would collide`).toEqual([]);
    }
  });

  it('publishes ports only through the reverse proxy, whose sites are the Caddyfile\'s', () => {
    const published = Object.entries(compose.services).filter(([, s]) => (s.ports ?? []).length > 0).map(([n]) => n);
    expect(published).toEqual(['proxy']);
    const proxy = svc('proxy');
    expect(proxy.image).toMatch(/^caddy:/);
    const caddyfile = readFileSync(join(REPO, 'infra', 'docker', 'Caddyfile'), 'utf8');
    const mount = shortSyntax(proxy.volumes).find((v) => v.endsWith(':/etc/caddy/Caddyfile:ro'));
    expect(mount, 'the proxy mounts infra/docker/Caddyfile').toBe('./infra/docker/Caddyfile:/etc/caddy/Caddyfile:ro');
    const sites = [...caddyfile.matchAll(/^:(\d+)\s*\{/gm)].map((m) => m[1]);
    const containerPorts = shortSyntax(proxy.ports).map((p) => p.split(':').pop());
    expect(containerPorts.sort()).toEqual([...sites].sort());
    // Operators' tools are bound to the loopback interface, never to every interface.
    for (const p of shortSyntax(proxy.ports)) {
      if (/:(8233|8025)$/.test(p)) expect(p, 'Temporal UI and Mailpit stay on 127.0.0.1').toMatch(/^127\.0\.0\.1:/);
    }
    // Every upstream the Caddyfile names is a service of the compose file, on that service's port.
    const upstreams = [...caddyfile.matchAll(/dynamic a (\S+) (\d+)|reverse_proxy ([a-z-]+):(\d+)/g)].map((m) => ({ host: m[1] ?? m[3]!, port: m[2] ?? m[4]! }));
    expect(upstreams.length).toBeGreaterThanOrEqual(5);
    for (const u of upstreams) {
      expect(Object.keys(compose.services), `Caddyfile upstream ${u.host}`).toContain(u.host);
      const port = environmentOf(svc(u.host))['PORT'];
      if (port) expect(`${u.host}:${u.port}`).toBe(`${u.host}:${port}`);
    }
  });

  it('runs Temporal on PostgreSQL, with its schema set up before the server starts', () => {
    const temporal = svc('temporal');
    expect(temporal.image).toMatch(/^temporalio\/(server|auto-setup):\d+\.\d+\.\d+$/);
    const env = environmentOf(temporal);
    expect(env['DB'], 'Temporal persistence driver').toMatch(/^postgres(12)?(_pgx)?$/);
    expect(svc(env['POSTGRES_SEEDS']!).image).toMatch(/^postgres:/);
    expect(env['DBNAME']).toBe('temporal');
    expect(env['VISIBILITY_DBNAME']).toBe('temporal_visibility');
    expect(readFileSync(join(REPO, 'infra', 'docker', 'postgres-init.sql'), 'utf8')).toMatch(/CREATE DATABASE temporal_visibility/);
    expect(dependsOn(temporal)['temporal-schema']?.condition).toBe('service_completed_successfully');
    const schemaJob = JSON.stringify(svc('temporal-schema').command);
    expect(schemaJob).toMatch(/temporal-sql-tool --plugin postgres12/);
    expect(schemaJob).toMatch(/setup-schema/);
    expect(schemaJob).toMatch(/update-schema/);
    // The namespace and every search attribute the workflow upserts exist before anyone uses them.
    const setup = JSON.stringify(svc('temporal-setup').command);
    for (const sa of ['TicketNumber=Keyword', 'Priority=Keyword', 'Tier=Int', 'Status=Keyword', 'Site=Keyword', 'PolicyVersion=Int']) expect(setup).toContain(sa);
    expect(setup).toContain('--namespace tierline');
    expect(svc('temporal-ui').image).toMatch(/^temporalio\/ui:/);
  });

  it('runs NATS JetStream with its store on a named volume and the production configuration', () => {
    const nats = svc('nats');
    const words = commandWords(nats);
    expect(words).toContain('-js');
    const storeDir = words[words.indexOf('-sd') + 1];
    expect(storeDir, 'nats -sd <store dir>').toMatch(/^\//);
    const mounts = shortSyntax(nats.volumes);
    const store = mounts.find((v) => v.split(':')[1] === storeDir);
    expect(store, `a volume mounted at ${storeDir}`).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(store!.split(':')[0]);
    const confArg = words[words.indexOf('-c') + 1]!;
    expect(confArg).toMatch(/nats\.production\.conf$/);
    const confMount = mounts.find((v) => confArg.startsWith(`${v.split(':')[1]}/`))!;
    const hostConf = resolve(REPO, confMount.split(':')[0]!, confArg.slice(confMount.split(':')[1]!.length + 1));
    expect(existsSync(hostConf), hostConf).toBe(true);
    // Every hash the production configuration reads from the environment is in the NATS env file.
    const wanted = [...readFileSync(hostConf, 'utf8').matchAll(/password:\s*\$(NATS_[A-Z]+_PASSWORD_HASH)/g)].map((m) => m[1]!);
    expect(wanted.length).toBeGreaterThanOrEqual(6);
    const natsEnv = containerEnv(nats, stages);
    for (const v of wanted) expect(natsEnv[v], `nats: ${v}`).toMatch(/^"\$2[aby]\$\d\d\$.{53}"$/);
  });

  it('runs Keycloak 26 in production mode on PostgreSQL, importing the realm', () => {
    const kc = svc('keycloak');
    expect(kc.image).toMatch(/^quay\.io\/keycloak\/keycloak:26\.\d+\.\d+$/);
    const words = commandWords(kc);
    expect(words[0]).toBe('start');
    expect(words).not.toContain('start-dev');
    expect(words).toContain('--import-realm');
    const env = containerEnv(kc, stages);
    expect(env['KC_DB']).toBe('postgres');
    expect(env['KC_DB_URL']).toBe('jdbc:postgresql://postgres:5432/keycloak');
    expect(env['KC_DB_PASSWORD'], 'keycloak.env holds the database password').toBeTruthy();
    // The production realm alone, never the demo overlay beside it (decision 18).
    expect(shortSyntax(kc.volumes)).toContain('./infra/keycloak/tierline-realm.json:/opt/keycloak/data/import/tierline-realm.json:ro');
    // Tokens carry KC_HOSTNAME's issuer; every service and the portal must expect exactly that one.
    const issuer = `${env['KC_HOSTNAME']}/realms/tierline`;
    for (const name of TIERLINE) {
      if (name === 'worker') continue; // verifies no tokens
      expect(containerEnv(svc(name), stages)['KEYCLOAK_ISSUER'], `${name}: KEYCLOAK_ISSUER`).toBe(issuer);
    }
  });

  it('pins every image to a version (no latest), in step with infra/versions.json', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.build) continue;
      expect(s.image, `${name}: image`).toMatch(/^[a-z0-9./-]+:v?\d+\.\d+(\.\d+)?[-a-z0-9.]*$/);
      expect(s.image).not.toMatch(/:latest$/);
    }
    const [major, minor] = versions['natsServer']!.version.split('.');
    expect(svc('nats').image).toMatch(new RegExp(`^nats:${major}\\.${minor}\\.`));
    expect(svc('keycloak').image).toBe(`quay.io/keycloak/keycloak:${versions['keycloak']!.version}`);
    expect(svc('mailpit').image).toBe(`axllent/mailpit:v${versions['mailpit']!.version}`);
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(readFileSync(join(REPO, 'infra', 'docker', 'Dockerfile'), 'utf8'))?.[1];
    // The Node the scripts and the tests run on (decision 28), to the minor.
    const [nodeMajor, nodeMinor] = versions['node']!.version.split('.');
    expect(base, 'the Dockerfile pins its Node image').toMatch(new RegExp(`^node:${nodeMajor}\\.${nodeMinor}[.-]`));
  });

  it('builds every Tierline image from a target that exists in infra/docker/Dockerfile', () => {
    const built = Object.entries(compose.services).filter(([, s]) => s.build);
    // audit-migrate: the audit image running its CLI's migrate once (one-shot), before the service.
    expect(built.map(([n]) => n).sort()).toEqual([...TIERLINE, 'provider-stubs', 'audit-migrate'].sort());
    for (const [name, s] of built) {
      expect(s.build?.dockerfile).toBe('infra/docker/Dockerfile');
      expect([...stages.keys()], `${name}: build target`).toContain(s.build?.target);
      // Each target starts its own process.
      expect(readFileSync(join(REPO, 'infra', 'docker', 'Dockerfile'), 'utf8')).toMatch(new RegExp(`FROM runtime AS ${s.build!.target}\\n(?:.*\\n)*?CMD \\["node", "[^"]+"\\]`));
    }
  });

  it('has a healthcheck on every long-running service, and waits on conditions, not on start order', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      const oneShot = s.restart === 'no';
      if (!oneShot) expect(healthcheckCommand(s), `${name}: healthcheck`).not.toBe('');
      for (const [dep, cond] of Object.entries(dependsOn(s))) {
        const target = svc(dep);
        expect(cond.condition, `${name} → ${dep}: condition`).toBe(target.restart === 'no' ? 'service_completed_successfully' : 'service_healthy');
      }
    }
    // A Tierline healthcheck probes the port the process listens on.
    for (const name of TIERLINE) {
      const env = containerEnv(svc(name), stages);
      const port = name === 'worker' ? env['METRICS_ADDRESS']!.split(':')[1] : env['PORT'];
      expect(healthcheckCommand(svc(name)), name).toContain(`http://127.0.0.1:${port}/`);
    }
  });
});

describe('each Tierline process would start with what docker-compose.yml gives it', () => {
  it.each(TIERLINE)('%s: its environment passes its env schema, and everything the schema requires is set', (name) => {
    const s = svc(name);
    const env = containerEnv(s, stages);
    const parsed = SCHEMAS[name].safeParse(env);
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
    // Required = what the schema refuses when absent (no default, not optional).
    const required = (SCHEMAS[name].safeParse({}).error?.issues ?? []).map((i) => String(i.path[0]));
    for (const key of required) expect(env[key], `${name}: ${key} is required by its env schema`).toBeTruthy();
    // Reached by the proxy, the other services and its healthcheck, so not on 127.0.0.1 alone.
    if (name !== 'worker') expect(env['HOST'], `${name}: HOST`).toBe('0.0.0.0');
    else expect(env['METRICS_ADDRESS']).toMatch(/^0\.0\.0\.0:/);
  });

  it('gives each NATS user of nats.production.conf to exactly its own process, with the password of its hash', () => {
    const conf = readFileSync(join(REPO, 'infra', 'nats', 'nats.production.conf'), 'utf8');
    const users = [...conf.matchAll(/\{\s*user:\s*([a-z]+),/g)].map((m) => m[1]);
    const natsEnv = containerEnv(svc('nats'), stages);
    for (const name of TIERLINE) {
      if (name === 'portal') continue; // no NATS
      const env = containerEnv(svc(name), stages);
      expect(env['NATS_USER'], `${name}: NATS_USER`).toBe(name);
      expect(users).toContain(name);
      const password = env['NATS_PASSWORD']!;
      expect(password, `${name}: NATS_PASSWORD (from its env file)`).toMatch(/^[0-9a-f]{64}$/);
      const hash = natsEnv[`NATS_${name.toUpperCase()}_PASSWORD_HASH`]!.slice(1, -1);
      expect(bcrypt.compareSync(password, hash), `${name}: NATS_PASSWORD matches its hash in nats.env`).toBe(true);
    }
  });

  it('points every service URL at a service of the compose file, on the port it listens on', () => {
    const publicHosts = new Set(['localhost']);
    for (const [name, s] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(containerEnv(s, stages))) {
        const m = /^(?:https?|nats|smtps?|postgres(?:ql)?|jdbc:postgresql):\/\/(?:[^@/]*@)?([^:/,]+)(?::(\d+))?/.exec(value);
        const hostPort = /_ADDRESS$/.test(key) ? /^([^:]+):(\d+)$/.exec(value) : null;
        const host = m?.[1] ?? hostPort?.[1];
        const port = m?.[2] ?? hostPort?.[2];
        if (!host || publicHosts.has(host) || host === '0.0.0.0') continue;
        expect(Object.keys(compose.services), `${name}: ${key}=${value.replace(/\/\/[^@]*@/, '//***@')}`).toContain(host);
        const listens = environmentOf(svc(host))['PORT'];
        if (listens && port) expect(`${key} → ${host}:${port}`).toBe(`${key} → ${host}:${listens}`);
      }
    }
  });

  it('keeps secrets out of docker-compose.yml: they come from env files in TIERLINE_SECRETS_DIR', () => {
    const text = readFileSync(join(REPO, 'docker-compose.yml'), 'utf8');
    expect(text).not.toMatch(/-dev-secret|^\s*[A-Z_]*(PASSWORD|SECRET|SIGNING_KEY|TOKEN)[A-Z_]*:\s*\S/m);
    for (const name of [...TIERLINE.filter((n) => n !== 'portal'), 'postgres', 'nats', 'keycloak', 'temporal']) {
      const files = envFilePaths(svc(name));
      expect(files.length, `${name}: env_file`).toBeGreaterThan(0);
      for (const f of files) expect(f.startsWith(secretsDir), `${name}: ${f}`).toBe(true);
    }
    // Two audit replicas must sign checkpoints with one key, so it is set, never generated per container.
    expect(containerEnv(svc('audit'), stages)['AUDIT_SIGNING_KEY']).toBeTruthy();
  });

  it('gives the audit service its own database login; the administrator migrates before it starts', () => {
    const audit = containerEnv(svc('audit'), stages);
    const url = new URL(audit['DATABASE_URL']!);
    expect(url.username).toBe('tierline_audit');
    expect(audit['AUDIT_MIGRATION_DATABASE_URL'], 'no administrator password in the service').toBeUndefined();
    // postgres creates the login at its first start (service-logins.sql) with the password the service has.
    const pg = containerEnv(svc('postgres'), stages);
    expect(pg['AUDIT_DB_PASSWORD']).toBe(url.password);
    expect(url.password).not.toBe(pg['POSTGRES_PASSWORD']);
    expect(shortSyntax(svc('postgres').volumes)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\.\/infra\/postgres\/service-logins\.sql:/), expect.stringMatching(/^\.\/infra\/docker\/postgres-service-logins\.sh:\/docker-entrypoint-initdb\.d\//)]),
    );
    expect(readFileSync(join(REPO, 'infra', 'docker', 'postgres-service-logins.sh'), 'utf8')).toMatch(/audit_password="\$AUDIT_DB_PASSWORD"/);
    expect(dependsOn(svc('audit'))['audit-migrate']?.condition).toBe('service_completed_successfully');
    const job = containerEnv(svc('audit-migrate'), stages);
    expect(new URL(job['AUDIT_MIGRATION_DATABASE_URL']!).username).toBe('tierline');
    expect(JSON.stringify(svc('audit-migrate').command)).toMatch(/cli\.js","migrate"/);
  });

  it('gives every service and the worker its own database login with its own password, never the administrator', () => {
    const pg = containerEnv(svc('postgres'), stages);
    const init = readFileSync(join(REPO, 'infra', 'docker', 'postgres-service-logins.sh'), 'utf8');
    const passwords = new Set<string>([pg['POSTGRES_PASSWORD']!]);
    for (const name of ['ticket', 'identity', 'notification', 'audit', 'worker'] as const) {
      const url = new URL(containerEnv(svc(name), stages)['DATABASE_URL']!);
      expect(url.username, `${name}: DATABASE_URL login`).toBe(`tierline_${name}`);
      // postgres creates the login at its first start with the password the service has.
      const variable = `${name.toUpperCase()}_DB_PASSWORD`;
      expect(pg[variable], `postgres.env ${variable}`).toBe(decodeURIComponent(url.password));
      expect(init).toContain(`${name}_password="$${variable}"`);
      expect(passwords.has(pg[variable]!), `${name}: a password of its own`).toBe(false);
      passwords.add(pg[variable]!);
    }
  });
});
