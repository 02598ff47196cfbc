// Starting and stopping Tierline's own processes, detached, in the same .data/<name>/{pid,log}
// layout as the infrastructure servers (infra/lib/proc.mjs).
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repo, log } from './lib.mjs';

const { startDetached, isRunning, stop, waitFor, httpOk, readPid } = await import('../infra/lib/proc.mjs');
const { infraEnv, serviceDatabaseUrl } = await import('../infra/lib/env.mjs');
const { toolPaths } = await import('../infra/lib/tools.mjs');

const port = (name, def) => Number(process.env[name] ?? def);

export const APPS = [
  // Every service logs in to PostgreSQL as its own tierline_<service> (infra/postgres/service-logins.sql,
  // decision 21): ticket, identity and notification own their schema through their owner role and
  // migrate it at start-up; none can reach another's tables or the audit log.
  { name: 'ticket', entry: 'services/ticket/dist/main.js', port: port('TICKET_PORT', 3001), natsUser: 'ticket', dbLogin: 'ticket' },
  { name: 'identity', entry: 'services/identity/dist/main.js', port: port('IDENTITY_PORT', 3002), natsUser: 'identity', dbLogin: 'identity' },
  // Local stand-ins for Twilio, Slack and Teams, which cannot be reached from here.
  { name: 'provider-stubs', entry: 'services/provider-stubs/dist/main.js', port: port('PROVIDER_STUBS_PORT', 3010), ready: '/healthz' },
  { name: 'notification', entry: 'services/notification/dist/main.js', port: port('NOTIFICATION_PORT', 3003), natsUser: 'notification', dbLogin: 'notification' },
  // Logs in to PostgreSQL as its own tierline_audit, which owns nothing; its schema is migrated
  // beforehand by the administrator (`migrate`), so no administrator password reaches the service.
  {
    name: 'audit', entry: 'services/audit/dist/main.js', port: port('AUDIT_PORT', 3004), natsUser: 'audit', dbLogin: 'audit',
    migrate: ['services/audit/dist/cli.js', 'migrate', '--database-url'],
  },
  // DML on the ticket tables its activities write, no DDL: it starts after the ticket service migrated.
  { name: 'worker', entry: 'workflows/dist/worker.js', port: null, natsUser: 'worker', dbLogin: 'worker' },
  { name: 'portal', entry: 'services/portal/dist/server.js', port: port('PORTAL_PORT', 3000) },
];

/** Mail in (notification service, decision 36): where the local "relay" (you, `npm run send-test-mail`) delivers. */
export const INBOUND_MAIL = { port: port('INBOUND_SMTP_PORT', 2525), helpdesk: process.env.HELPDESK_ADDRESS ?? 'help@clinic.example' };

function appEnv() {
  const base = infraEnv();
  const url = (n) => `http://127.0.0.1:${APPS.find((a) => a.name === n).port}`;
  return {
    ...process.env,
    ...base,
    // The local stack is the demo: its published dev secrets are refused in production (decision 18).
    NODE_ENV: 'development',
    TICKET_SERVICE_URL: url('ticket'),
    IDENTITY_SERVICE_URL: url('identity'),
    NOTIFICATION_SERVICE_URL: url('notification'),
    AUDIT_SERVICE_URL: url('audit'),
    // Notification providers: the local stand-ins (real deployments point these at the providers).
    TWILIO_API_BASE: url('provider-stubs'),
    SLACK_API_URL: `${url('provider-stubs')}/slack/api/`,
    TEAMS_WEBHOOK_URL: `${url('provider-stubs')}/teams/webhook/tierline-stub`,
    // The SMS stand-in reports delivered / undelivered here, signed like Twilio (notification service).
    TWILIO_STATUS_CALLBACK_URL: `${url('notification')}/webhooks/twilio/status`,
    PORTAL_URL: `http://localhost:${APPS.find((a) => a.name === 'portal').port}`,
    // The help desk's inbound SMTP listener (notification service), reachable from this machine only.
    INBOUND_SMTP_PORT: String(INBOUND_MAIL.port),
    HELPDESK_ADDRESS: INBOUND_MAIL.helpdesk,
  };
}

/**
 * Each process logs in to NATS as its own user (infra/nats/nats.conf), which may use only that
 * process's subjects. The local stack's passwords are the dev secrets `<user>-dev-secret`, whose
 * bcrypt hashes nats.conf holds (a deployment has its own: infra/nats/nats.production.conf).
 */
function natsEnv(user) {
  return user ? { NATS_USER: user, NATS_PASSWORD: `${user}-dev-secret` } : {};
}

export async function startApps() {
  const env = appEnv();
  for (const app of APPS) {
    if (isRunning(app.name)) {
      log(`${app.name}: already running`);
      continue;
    }
    if (app.migrate) {
      const [script, ...args] = app.migrate;
      const r = spawnSync(process.execPath, [join(repo, script), ...args, env.DATABASE_URL], { cwd: repo, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${app.name}: migrations failed: ${r.stderr || r.stdout}`);
    }
    startDetached({
      name: app.name,
      cmd: process.execPath,
      args: ['--enable-source-maps', join(repo, app.entry)],
      env: {
        ...env,
        ...natsEnv(app.natsUser),
        ...(app.dbLogin ? { DATABASE_URL: serviceDatabaseUrl(app.dbLogin) } : {}),
        ...(app.port ? { PORT: String(app.port) } : {}),
      },
      cwd: repo,
    });
    log(`${app.name}: started`);
  }
}

/** Ready means /readyz answers 200 (every dependency reachable); the worker, that it polls. */
export async function waitForApps() {
  for (const app of APPS) {
    if (app.port) {
      await waitFor(() => httpOk(`http://127.0.0.1:${app.port}${app.ready ?? '/readyz'}`), { name: app.name, timeoutMs: 90_000, pid: readPid(app.name) });
    } else {
      const { temporal } = toolPaths();
      const env = infraEnv();
      await waitFor(
        async () => {
          const r = spawnSync(temporal, ['task-queue', 'describe', '--task-queue', 'tierline-tickets', '--namespace', env.TEMPORAL_NAMESPACE, '--address', env.TEMPORAL_ADDRESS, '-o', 'json'], { encoding: 'utf8' });
          return r.status === 0 && /identity/i.test(r.stdout);
        },
        { name: app.name, timeoutMs: 90_000, pid: readPid(app.name) },
      );
    }
    log(`${app.name}: ready`);
  }
}

export async function stopApps() {
  for (const app of [...APPS].reverse()) {
    if (isRunning(app.name)) {
      await stop(app.name);
      log(`${app.name}: stopped`);
    }
  }
}
