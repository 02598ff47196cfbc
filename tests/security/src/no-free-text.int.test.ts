import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { AUDIT_MIGRATIONS_DIR, startAuditConsumer } from '@tierline/audit';
import { COMMANDS_STREAM, DEFAULT_CATEGORIES, EVENTS_STREAM } from '@tierline/contracts';
import { IDENTITY_MIGRATIONS_DIR } from '@tierline/identity';
import { startIdentity } from '@tierline/identity/test-harness';
import { NOTIFICATION_MIGRATIONS_DIR, notificationEnvSchema, startNotificationWorker } from '@tierline/notification';
import { connectNats, createLogger, createSql, createTokenVerifier, ensureStreams, listen, migrate, parseEnv, type NatsConnection, type Sql } from '@tierline/platform';
import { startProviderStubs, type RecordedRequest } from '@tierline/provider-stubs';
import { DEMO_CONTACTS, DEMO_PASSWORD, createTestDatabase, loginAs, testEnv } from '@tierline/testing';
import { createTicketApp, ensureInitialPolicy, TICKET_MIGRATIONS_DIR } from '@tierline/ticket';
import { TEST_FAST_POLICY } from '@tierline/domain';
import { createTicketWorker, NativeConnection } from '@tierline/workflows/worker';

/**
 * Finding 5 (docs/decisions/0022): no free text in events, the audit log or the vendor's view.
 * One ticket's whole life on the real servers (PostgreSQL, JetStream, Temporal, Keycloak, the
 * worker and the audit consumer), with a unique marker written into every free-text field a
 * person can fill in. Afterwards no JetStream message (events, and the notification commands the
 * notification service renders every message from), no audit row, no log line and nothing the vendor receives
 * (API answers, live stream) holds it. The hand-off note is the one text meant for the vendor:
 * it has a marker of its own, which the vendor reads and nothing else carries.
 *
 * The status updates to the requester and a watcher (docs/decisions/0034) are followed too, on
 * every channel each of them chose: the words of IT's question, of public replies and of the
 * resolution (marker PUBLIC) are allowed in their email, and reach it; no other free text does;
 * SMS, Slack and Teams carry none at all, internal notes least of all.
 */
const MARK = `mk${randomBytes(8).toString('hex')}`;
const HANDOFF = `ho${randomBytes(8).toString('hex')}`;
const VENDOR_OWN = `vo${randomBytes(8).toString('hex')}`;
const PUBLIC = `pw${randomBytes(8).toString('hex')}`;
const MARKERS = [MARK, HANDOFF, VENDOR_OWN, PUBLIC];
const NORA_MAIL = `nora.${randomBytes(4).toString('hex')}@sec-freetext.test`;
const LEE = DEMO_CONTACTS['lee.lead']!;
let stubsUrl = '';
let leeId = '';
let notifySql: Sql;

const startedAt = new Date();
const logLines: string[] = [];
const logger = createLogger('sec-freetext', 'trace', { write: (line: string) => void logLines.push(line) });

let nc: NatsConnection;
let js: JetStreamClient;
let ticketSql: Sql;
let auditSql: Sql;
let base = '';
const notifyCommands: string[] = [];
const notifySubject = `tierline.commands.notify.sec-freetext-${randomBytes(4).toString('hex')}`;
const cleanup: (() => Promise<unknown>)[] = [];

async function call(token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, json: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & { items?: Record<string, unknown>[] } };
}

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every message stored in `stream` on `subjects` since the test began, as raw text. */
async function storedSince(stream: string, subjects: string[]): Promise<{ subject: string; text: string }[]> {
  const consumer = await js.consumers.get(stream, { filter_subjects: subjects, opt_start_time: startedAt.toISOString() });
  const out: { subject: string; text: string }[] = [];
  for (;;) {
    const m = await consumer.next({ expires: 2_000 });
    if (!m) break;
    out.push({ subject: m.subject, text: m.string() });
  }
  return out;
}

const holdsAMarker = (text: string) => MARKERS.filter((m) => text.includes(m));

describe('no free text in events, the audit log or the vendor’s view', () => {
  const tokens = { nurse: '', agent: '', lead: '', vendor: '' };
  let ticketId = '';
  let ticketNumber = '';
  const vendorSaw: { what: string; text: string }[] = [];
  let vendorStream = '';
  let stopStream: () => void = () => undefined;

  beforeAll(async () => {
    const env = testEnv();
    const db = await createTestDatabase('secfreetext');
    ticketSql = createSql(db.url, 'ticket', 5);
    auditSql = createSql(db.url, 'audit', 5);
    await migrate(ticketSql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
    await migrate(auditSql, { schema: 'audit', dir: fileURLToPath(AUDIT_MIGRATIONS_DIR) });
    await ensureInitialPolicy(ticketSql, TEST_FAST_POLICY, 'system:test');
    nc = await connectNats(env.natsUrl, 'sec-freetext');
    await ensureStreams(nc);
    js = jetstream(nc);
    const suffix = randomBytes(4).toString('hex');
    // Notification commands, as the notification service would receive them (it renders every
    // e-mail, SMS and chat message from the command alone, services/notification/src/templates.ts).
    const sub = nc.subscribe(notifySubject, { callback: (_err, msg) => void notifyCommands.push(msg.string()) });
    cleanup.unshift(async () => sub.unsubscribe());
    const durable = `sec-freetext-audit-${suffix}`;
    const audit = await startAuditConsumer({ nc, sql: auditSql, logger, durable, deliverNew: true });
    const taskQueue = `sec-freetext-${suffix}`;
    const workerConnection = await NativeConnection.connect({ address: env.temporalAddress });
    const worker = await createTicketWorker({ connection: workerConnection, namespace: env.temporalNamespace, taskQueue, deps: { sql: ticketSql, js, notifySubject } });
    const run = worker.run();
    const connection = await Connection.connect({ address: env.temporalAddress });
    const app = createTicketApp({
      sql: ticketSql,
      nc,
      js,
      temporal: new Client({ connection, namespace: env.temporalNamespace }),
      taskQueue,
      verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-ticket' }),
      logger,
      categories: [...DEFAULT_CATEGORIES],
    });
    const server = await listen(app, 0);
    base = `http://127.0.0.1:${server.port}`;

    // The identity service (directory, requester links) and the notification service, whose
    // status updates to nora (the requester) and lee (a watcher) go out on all four channels.
    const idDb = await createTestDatabase('secfreetextid');
    const idSql = createSql(idDb.url, 'identity', 3);
    await migrate(idSql, { schema: 'identity', dir: fileURLToPath(IDENTITY_MIGRATIONS_DIR) });
    const identity = await startIdentity('secfreetext', { database: { sql: idSql, url: idDb.url, name: idDb.name }, nats: { nc, js } }, { onCleanup: (fn) => void cleanup.unshift(async () => fn()) });
    const all = ['email', 'sms', 'slack', 'teams'];
    const contacts = async (username: string, c: { email: string; mobile: string; slack: string; teams: string }) => idSql`
      insert into user_contacts (user_id, email, mobile, slack_handle, teams_handle, preferred_channels)
      select id, ${c.email}, ${c.mobile}, ${c.slack}, ${c.teams}, ${all} from users where username = ${username}
      on conflict (user_id) do update set email = excluded.email, mobile = excluded.mobile, slack_handle = excluded.slack_handle,
        teams_handle = excluded.teams_handle, preferred_channels = excluded.preferred_channels`;
    await contacts('nora.nurse', { email: NORA_MAIL, mobile: '+15550100061', slack: 'U0NORA0061', teams: 'nora@sec-freetext.test' });
    await contacts('lee.lead', { email: LEE.email!, mobile: LEE.mobile!, slack: LEE.slackHandle!, teams: LEE.teamsHandle! });
    leeId = (await idSql<{ id: string }[]>`select id from users where username = 'lee.lead'`)[0]!.id;
    const stubs = await startProviderStubs(0);
    stubsUrl = stubs.url;
    const notifyDb = await createTestDatabase('secfreetextnt');
    notifySql = createSql(notifyDb.url, 'notification', 3);
    await migrate(notifySql, { schema: 'notification', dir: fileURLToPath(NOTIFICATION_MIGRATIONS_DIR) });
    const notifyDurable = `sec-freetext-nt-${suffix}`;
    const updatesDurable = `sec-freetext-up-${suffix}`;
    const notifier = await startNotificationWorker({
      env: parseEnv(notificationEnvSchema, {
        DATABASE_URL: notifyDb.url,
        NATS_URL: env.natsUrl,
        SMTP_URL: env.smtpUrl,
        MAILPIT_URL: env.mailpitUrl,
        LOG_LEVEL: 'silent',
        // Pages are not this test's subject (their commands are checked above): nothing is published here.
        NOTIFY_SUBJECT: `tierline.commands.notify.sec-freetext-none-${suffix}`,
        NOTIFY_DURABLE: notifyDurable,
        UPDATE_EVENTS_DURABLE: updatesDurable,
        UPDATE_COALESCE_MS: '1000',
        POLL_INTERVAL_MS: '300',
        TWILIO_API_BASE: stubs.url,
        SLACK_API_URL: `${stubs.url}/slack/api/`,
        TEAMS_WEBHOOK_URL: `${stubs.url}/teams/webhook/tierline-stub`,
        IDENTITY_SERVICE_URL: identity.baseUrl,
        TICKET_SERVICE_URL: base,
        PORTAL_URL: 'http://portal.test',
      }),
      sql: notifySql,
      nc,
      logger,
      updatesFromNow: true,
    });
    cleanup.unshift(
      () => notifier.stop(),
      async () => {
        const jsm = await jetstreamManager(nc);
        await jsm.consumers.delete(EVENTS_STREAM, updatesDurable).catch(() => undefined);
        await jsm.consumers.delete(COMMANDS_STREAM, notifyDurable).catch(() => undefined);
      },
      () => stubs.close(),
      () => notifySql.end(),
      () => notifyDb.drop(),
      () => idSql.end(),
      () => idDb.drop(),
    );
    cleanup.push(
      () => server.close(),
      async () => {
        worker.shutdown();
        await run;
      },
      () => audit.stop(),
      async () => (await jetstreamManager(nc)).consumers.delete(EVENTS_STREAM, durable).catch(() => undefined),
      () => nc.drain(),
      () => connection.close(),
      () => workerConnection.close(),
      () => ticketSql.end(),
      () => auditSql.end(),
      () => db.drop(),
    );
    tokens.nurse = (await loginAs('nora.nurse', DEMO_PASSWORD)).access_token;
    tokens.agent = (await loginAs('alex.agent', DEMO_PASSWORD)).access_token;
    tokens.lead = (await loginAs('lee.lead', DEMO_PASSWORD)).access_token;
    tokens.vendor = (await loginAs('val.vendor', DEMO_PASSWORD)).access_token;
  });

  afterAll(async () => {
    stopStream();
    for (const step of cleanup) await step().catch(() => undefined);
  });

  it('runs a ticket through every action, a marker in every free-text field', async () => {
    // The vendor's live stream is open the whole time.
    const controller = new AbortController();
    stopStream = () => controller.abort();
    const res = await fetch(`${base}/api/v1/events/stream`, { headers: { authorization: `Bearer ${tokens.vendor}` }, signal: controller.signal });
    expect(res.status).toBe(200);
    void (async () => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          vendorStream += value;
        }
      } catch {
        // aborted at the end
      }
    })();
    await eventually('the stream to be ready', async () => (vendorStream.includes('event: ready') ? true : undefined));

    const ok = async (r: Promise<Awaited<ReturnType<typeof call>>>, what: string) => {
      const done = await r;
      expect(done.status, `${what}: ${done.text}`).toBeLessThan(300);
      return done;
    };
    const created = await ok(
      call(tokens.nurse, 'POST', '/api/v1/tickets', {
        title: `Title ${MARK}`,
        description: `Description ${MARK}: Mrs Example, born 1950`,
        category: 'printer_scanner',
        siteId: 'north',
        impact: 'one_user',
        urgency: 'medium',
      }),
      'create',
    );
    ticketId = created.json['id'] as string;
    ticketNumber = created.json['number'] as string;
    const t = `/api/v1/tickets/${ticketId}`;
    await ok(call(tokens.lead, 'PUT', `${t}/watchers/${leeId}`), 'lee watches');
    await ok(call(tokens.nurse, 'POST', `${t}/comments`, { body: `Public comment ${PUBLIC}`, visibility: 'public' }), 'public comment');
    await ok(call(tokens.agent, 'POST', `${t}/acknowledge`, {}), 'acknowledge');
    await ok(call(tokens.agent, 'POST', `${t}/comments`, { body: `Internal note ${MARK}`, visibility: 'internal' }), 'internal note');
    await ok(call(tokens.agent, 'POST', `${t}/priority`, { priority: 'P2', reason: `Priority reason ${MARK}` }), 'priority');
    await ok(call(tokens.agent, 'POST', `${t}/wait-on-requester`, { reason: `Question ${PUBLIC}` }), 'wait on requester');
    await ok(call(tokens.nurse, 'POST', `${t}/comments`, { body: `Reply ${PUBLIC}`, visibility: 'public' }), 'reply');

    // A new policy version, published with notes, and this ticket migrated to it with a reason.
    const draft = await ok(call(tokens.lead, 'GET', '/api/v1/policies/draft'), 'read draft');
    const lock = draft.headers.get('etag')!;
    const put = await fetch(`${base}/api/v1/policies/draft`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tokens.lead}`, 'content-type': 'application/json', 'if-match': lock },
      body: JSON.stringify({ ...(TEST_FAST_POLICY), name: 'Security review policy' }),
    });
    expect(put.status, await put.clone().text()).toBe(200);
    const published = await fetch(`${base}/api/v1/policies/draft/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.lead}`, 'content-type': 'application/json', 'if-match': put.headers.get('etag')! },
      body: JSON.stringify({ notes: `Publish notes ${MARK}` }),
    });
    expect(published.status, await published.clone().text()).toBe(201);
    const version = ((await published.json()) as { version: number }).version;
    const migrated = await ok(call(tokens.lead, 'POST', '/api/v1/policies/migrate', { toVersion: version, ticketIds: [ticketId], reason: `Migration reason ${MARK}` }), 'migrate');
    expect(JSON.stringify(migrated.json)).toContain('"ok":true');

    await ok(call(tokens.agent, 'POST', `${t}/hand-to-vendor`, { vendorOrgId: 'acme-it', reason: `Hand-off note ${HANDOFF}` }), 'hand to vendor');
    await ok(call(tokens.vendor, 'POST', `${t}/vendor-acknowledge`, {}), 'vendor acknowledge').then((r) => vendorSaw.push({ what: 'vendor-acknowledge', text: r.text }));
    await ok(call(tokens.vendor, 'POST', `${t}/comments`, { body: `Vendor comment ${VENDOR_OWN}`, visibility: 'public' }), 'vendor comment');
    await ok(call(tokens.agent, 'POST', `${t}/resolve`, { resolution: `Resolution ${PUBLIC}` }), 'resolve');
    await ok(call(tokens.nurse, 'POST', `${t}/reopen`, { reason: `Reopen reason ${MARK}` }), 'reopen');
    await ok(call(tokens.agent, 'POST', `${t}/resolve`, { resolution: `Second resolution ${PUBLIC}` }), 'resolve again');

    // Everything the vendor can ask for while the ticket is with it.
    for (const path of [t, `${t}/comments`, `${t}/timeline`, `${t}/escalation`, `${t}/watchers`, '/api/v1/tickets', '/api/v1/tickets?open=false']) {
      const r = await call(tokens.vendor, 'GET', path);
      expect(r.status, `${path}: ${r.text}`).toBe(200);
      vendorSaw.push({ what: `GET ${path}`, text: r.text });
    }
    await ok(call(tokens.nurse, 'POST', `${t}/close`, {}), 'close');
    await eventually('the audit row of the close', async () => {
      const [row] = await auditSql`select 1 from audit_log where ticket_id = ${ticketId} and event_type = 'ticket.closed'`;
      return row ? true : undefined;
    });
    await eventually('the vendor stream to carry the close', async () => (vendorStream.split('event: ticket').length > 3 ? true : undefined));
  });

  it('told the requester and the watcher: public words by email only, no other free text, nothing of it by SMS or chat', async () => {
    await eventually(
      'every update to be sent',
      async () => {
        const [r] = await notifySql<{ waiting: number; sent: number }[]>`
          select (select count(*)::int from update_bursts where state in ('open', 'closed'))
               + (select count(*)::int from deliveries where kind = 'update' and status = 'queued' and (scheduled_at is null or scheduled_at < now() + interval '1 minute')) as waiting,
                 (select count(*)::int from deliveries where kind = 'update' and ticket_id = ${ticketId} and status = 'sent') as sent`;
        return r!.waiting === 0 && r!.sent > 0 ? true : undefined;
      },
      60_000,
    );
    const mailpit = testEnv().mailpitUrl;
    const search = async (to: string) => {
      const res = await fetch(`${mailpit}/api/v1/search?${new URLSearchParams({ query: `to:${to} subject:"${ticketNumber}"`, limit: '100' }).toString()}`);
      const ids = ((await res.json()) as { messages: { ID: string }[] }).messages.map((m) => m.ID);
      return Promise.all(ids.map(async (id) => JSON.stringify(await (await fetch(`${mailpit}/api/v1/message/${id}`)).json())));
    };
    const toNora = await search(NORA_MAIL);
    const toLee = await search(LEE.email!);
    expect(toNora.length, 'nora was told by email').toBeGreaterThan(0);
    expect(toLee.length, 'lee was told by email').toBeGreaterThan(0);
    // The decision allows the words of IT's question, public replies and the resolution in email: they are there.
    expect(toNora.some((m) => m.includes(PUBLIC)), 'IT\'s question is readable in nora\'s email').toBe(true);
    for (const m of [...toNora, ...toLee]) {
      expect(m.includes(MARK), 'no internal note, title, description or reason in an email').toBe(false);
      expect(m.includes(HANDOFF), 'no hand-off note in an email').toBe(false);
    }
    for (const provider of ['twilio', 'slack', 'teams']) {
      const sent = ((await (await fetch(`${stubsUrl}/_stub/requests?provider=${provider}`)).json()) as { requests: RecordedRequest[] }).requests
        .map((r) => JSON.stringify(r.body))
        .filter((b) => b.includes(ticketNumber));
      expect(sent.length, `updates went by ${provider}`).toBeGreaterThan(1);
      for (const b of sent) expect(holdsAMarker(b), `${provider}: ${b}`).toEqual([]);
    }
  });

  it('stored every text with the ticket, for the people meant to read it', async () => {
    const comments = await call(tokens.agent, 'GET', `/api/v1/tickets/${ticketId}/comments`);
    const kinds = (comments.json.items ?? []).map((c) => `${c['kind'] as string}:${(c['body'] as string).split(' ')[0]!}`);
    expect(kinds).toEqual([
      'comment:Public',
      'comment:Internal',
      'priority_reason:Priority',
      'question:Question',
      'comment:Reply',
      'handoff_note:Hand-off',
      'comment:Vendor',
      'resolution:Resolution',
      'reopen_reason:Reopen',
      'resolution:Second',
    ]);
  });

  it('published no marker to JetStream: events, audit-feeding or not, and notification commands', async () => {
    const events = await storedSince(EVENTS_STREAM, ['tierline.events.>']);
    const ours = events.filter((m) => m.text.includes(ticketId) || m.text.includes(ticketNumber));
    // The journey is there: creation, every action, the reads, the migration.
    const types = new Set(ours.map((m) => m.subject.replace('tierline.events.', '')));
    for (const type of ['ticket.created', 'ticket.priority_changed', 'ticket.waiting_on_requester', 'ticket.handed_to_vendor', 'ticket.resolved', 'ticket.reopened', 'ticket.policy_migrated', 'ticket.commented', 'ticket.content_read', 'ticket.closed']) {
      expect(types, type).toContain(type);
    }
    const priority = JSON.parse(ours.find((m) => m.subject.endsWith('priority_changed'))!.text) as { data: Record<string, unknown> };
    expect(Object.keys(priority.data).sort()).toEqual(['from', 'number', 'reasonId', 'to']);
    for (const m of events) expect(holdsAMarker(m.text), `${m.subject}: ${m.text}`).toEqual([]);

    // The commands stream is a work queue (no replay); its messages were followed as published.
    expect(notifyCommands.length, 'the hand-off paged the vendor').toBeGreaterThan(0);
    expect(notifyCommands.some((c) => c.includes('"vendor_handoff"'))).toBe(true);
    for (const c of notifyCommands) expect(holdsAMarker(c), c).toEqual([]);
  });

  it('wrote no marker into the audit log', async () => {
    const rows = await auditSql<{ event_type: string; content: string }[]>`select event_type, content from audit_log order by seq`;
    expect(rows.filter((r) => r.content.includes(ticketId)).length).toBeGreaterThan(12);
    for (const r of rows) expect(holdsAMarker(r.content), `${r.event_type}: ${r.content}`).toEqual([]);
  });

  it('logged no marker, at any level', () => {
    expect(logLines.length, 'the service and the audit consumer logged').toBeGreaterThan(0);
    for (const line of logLines) expect(holdsAMarker(line), line).toEqual([]);
  });

  it('showed the vendor the facts and the hand-off note, never the requester’s or the clinic’s words', () => {
    const ticket = JSON.parse(vendorSaw.find((s) => s.what === `GET /api/v1/tickets/${ticketId}`)!.text) as Record<string, unknown>;
    expect(ticket).toMatchObject({ number: ticketNumber, category: 'printer_scanner', siteId: 'north', priority: 'P2', title: '', description: '' });
    const comments = vendorSaw.find((s) => s.what.endsWith('/comments'))!.text;
    expect(comments, 'the hand-off note is for the vendor').toContain(HANDOFF);
    expect(comments, 'and its own comment').toContain(VENDOR_OWN);
    const streamed = vendorStream.split('event: ticket').length - 1;
    expect(streamed, 'the vendor followed the ticket live').toBeGreaterThan(2);
    for (const s of [...vendorSaw, { what: 'live stream', text: vendorStream }]) {
      expect(s.text.includes(MARK) || s.text.includes(PUBLIC), `${s.what}: ${s.text}`).toBe(false);
    }
    expect(vendorStream.includes(HANDOFF) || vendorStream.includes(VENDOR_OWN)).toBe(false);
  });
});
