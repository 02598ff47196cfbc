import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { generateKeyPair, SignJWT, type JWTVerifyGetKey } from 'jose';
import type { NotifyCommand } from '@tierline/contracts';
import { connectNats, createLogger, createSql, createTokenVerifier, ensureStreams, listen, migrate, parseEnv, type NatsConnection } from '@tierline/platform';
import { createTestDatabase, testEnv } from '@tierline/testing';
import { startProviderStubs, type RecordedRequest } from '@tierline/provider-stubs';
import { createNotificationApp } from '../app.js';
import { notificationEnvSchema, type NotificationEnv } from '../env.js';
import { startNotificationWorker } from '../service.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Polls until `check` returns a value other than undefined, or fails naming what it waited for. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

export interface MailpitMessage {
  ID: string;
  MessageID: string;
  Subject: string;
  To: { Address: string }[];
  Snippet: string;
}

export async function mailpitSearch(query: string): Promise<MailpitMessage[]> {
  const res = await fetch(`${testEnv().mailpitUrl}/api/v1/search?${new URLSearchParams({ query, limit: '200' }).toString()}`);
  if (!res.ok) throw new Error(`mailpit search answered ${res.status}`);
  return ((await res.json()) as { messages: MailpitMessage[] }).messages;
}

export async function mailpitBody(id: string): Promise<{ Text: string; HTML: string; Subject: string }> {
  const res = await fetch(`${testEnv().mailpitUrl}/api/v1/message/${id}`);
  if (!res.ok) throw new Error(`mailpit message answered ${res.status}`);
  return (await res.json()) as { Text: string; HTML: string; Subject: string };
}

/**
 * A private stream and subject per test file, so tests neither steal the real service's commands
 * (TIERLINE_COMMANDS is a work queue: one consumer per subject) nor see each other's.
 */
export async function createCommandStream(nc: NatsConnection, label: string) {
  const suffix = randomBytes(4).toString('hex');
  const stream = `NTEST_${label.toUpperCase()}_${suffix}`;
  const subject = `tierline-test.${suffix}.notify`;
  await ensureStreams(nc, [{ name: stream, subjects: [subject], storage: StorageType.File, retention: RetentionPolicy.Workqueue }]);
  return {
    stream,
    subject,
    suffix,
    drop: async () => {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(stream).catch(() => undefined);
    },
  };
}

export function escalationCommand(overrides: Partial<NotifyCommand> = {}): NotifyCommand & { description?: string } {
  const n = Math.floor(Math.random() * 1e8);
  return {
    idempotencyKey: `test:${randomUUID()}`,
    template: 'escalation',
    ticketId: randomUUID(),
    ticketNumber: `IT-T${n}`,
    priority: 'P1',
    siteId: 'north-clinic',
    tier: 2,
    level: 1,
    targets: [{ kind: 'it_lead' }],
    channels: ['email', 'sms', 'slack', 'teams'],
    deadlineAt: '2026-11-27T18:00:00.000Z',
    deadlineKind: 'response target',
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

/** Signs tokens the way Keycloak would, against a key set the test hands the verifier. */
export async function tokenIssuer() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const keySet: JWTVerifyGetKey = async () => publicKey;
  const issuer = 'http://keycloak.test/realms/tierline';
  return {
    verifier: createTokenVerifier({ issuer, jwksUrl: `${issuer}/protocol/openid-connect/certs`, audience: 'tierline-notification', keySet }),
    sign: (roles: string[], audience = 'tierline-notification') =>
      new SignJWT({ realm_access: { roles }, preferred_username: `user-${roles.join('-')}`, typ: 'Bearer' })
        .setProtectedHeader({ alg: 'RS256' })
        .setSubject(randomUUID())
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey),
  };
}

export function notificationTestEnv(overrides: Record<string, string>): NotificationEnv {
  return parseEnv(notificationEnvSchema, { DATABASE_URL: testEnv().databaseUrl, NATS_URL: testEnv().natsUrl, SMTP_URL: testEnv().smtpUrl, MAILPIT_URL: testEnv().mailpitUrl, LOG_LEVEL: 'silent', ...overrides });
}

/** The service in this process against the real PostgreSQL, NATS, Mailpit and the stand-ins. */
export async function startNotification(label: string, opts: { env?: Record<string, string>; rateWindowMs?: number } = {}) {
  const env0 = testEnv();
  const logger = createLogger(`nt-${label}`, process.env.LOG_LEVEL ?? 'silent');
  const db = await createTestDatabase(`n${label}`);
  const sql = createSql(db.url, 'notification', 5);
  await migrate(sql, { schema: 'notification', dir: MIGRATIONS_DIR });
  const nc = await connectNats(env0.natsUrl, `nt-${label}`);
  await ensureStreams(nc);
  const cmds = await createCommandStream(nc, label);
  const stubs = await startProviderStubs(0);
  const env = notificationTestEnv({
    DATABASE_URL: db.url,
    NOTIFY_STREAM: cmds.stream,
    NOTIFY_SUBJECT: cmds.subject,
    NOTIFY_DURABLE: `nt-${label}-${cmds.suffix}`,
    NOTIFY_BACKOFF_MS: '200,400,800',
    NOTIFY_MAX_DELIVER: '4',
    NOTIFY_ACK_WAIT_MS: '10000',
    SEND_TIMEOUT_MS: '3000',
    POLL_INTERVAL_MS: '300',
    TWILIO_API_BASE: stubs.url,
    SLACK_API_URL: `${stubs.url}/slack/api/`,
    TEAMS_WEBHOOK_URL: `${stubs.url}/teams/webhook/tierline-stub`,
    PORTAL_URL: 'http://portal.test',
    ...opts.env,
  });
  const events: { type: string; ticketId?: string; data: Record<string, unknown> }[] = [];
  const sub = nc.subscribe('tierline.events.notification.>', {
    callback: (_err, m) => {
      events.push(m.json());
    },
  });
  const worker = await startNotificationWorker({ env, sql, nc, logger, ...(opts.rateWindowMs ? { rateWindowMs: opts.rateWindowMs } : {}) });
  const tokens = await tokenIssuer();
  const server = await listen(createNotificationApp({ sql, nc, logger, verifyToken: tokens.verifier }), 0);
  const js = jetstream(nc);
  return {
    env,
    nc,
    sql,
    stubs,
    events,
    tokens,
    worker,
    baseUrl: `http://127.0.0.1:${server.port}`,
    /** Publishes like the workflow does; `msgId` overrides Nats-Msg-Id to get past the server's dedupe. */
    publish: async (cmd: object & { idempotencyKey: string }, msgId = cmd.idempotencyKey) => {
      await js.publish(cmds.subject, JSON.stringify(cmd), { msgID: msgId });
    },
    requests: async (provider: string): Promise<RecordedRequest[]> =>
      ((await (await fetch(`${stubs.url}/_stub/requests?provider=${provider}`)).json()) as { requests: RecordedRequest[] }).requests,
    async stop() {
      sub.unsubscribe();
      await server.close();
      await worker.stop();
      const jsm = await jetstreamManager(nc);
      await jsm.consumers.delete(cmds.stream, env.NOTIFY_DURABLE).catch(() => undefined);
      await cmds.drop();
      await stubs.close();
      await nc.drain();
      await sql.end();
      await db.drop();
    },
  };
}
