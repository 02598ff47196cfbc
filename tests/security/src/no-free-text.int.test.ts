import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { auditRecorder } from '@tierline/audit/test-harness';
import { COMMANDS_STREAM, DEFAULT_CATEGORIES, EVENTS_STREAM } from '@tierline/contracts';
import { IDENTITY_MIGRATIONS_DIR } from '@tierline/identity';
import { startIdentity } from '@tierline/identity/test-harness';
import { notificationEnvSchema, NOTIFICATION_MIGRATIONS_DIR, startNotificationWorker } from '@tierline/notification';
import { createLogger, parseEnv, type Sql } from '@tierline/platform';
import { startProviderStubs, type RecordedRequest } from '@tierline/provider-stubs';
import { cleanupStack, demoTokens, eventually, migratedDatabase, openEventStream, type HttpCall, type OpenStream } from '@tierline/test-fixtures';
import { DEMO_CONTACTS, testEnv } from '@tierline/testing';
import { ensureInitialPolicy } from '@tierline/ticket';
import { startTicketWorker, ticketAppTest } from '@tierline/ticket/test-fixtures';
import { TEST_FAST_POLICY } from '@tierline/domain';

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
const startedAt = new Date();
const logLines: string[] = [];
const logger = createLogger('sec-freetext', 'trace', { write: (line: string) => void logLines.push(line) });

const notifySubject = `tierline.commands.notify.sec-freetext-${randomBytes(4).toString('hex')}`;

// The ticket service (its logger the one above), the worker (its notify commands on a subject of
// this file's own) and the audit consumer, on the real servers.
// The ticket service (its logger the one above), the worker (its notify commands on a subject of
// this file's own) and the audit consumer, on the real servers.
const test = ticketAppTest({ label: 'secfreetext', categories: [...DEFAULT_CATEGORIES], deps: () => ({ logger }) })
  .extend('worker', { scope: 'file' }, async ({ database, nats, app }, hooks) => {
    await ensureInitialPolicy(database.sql, TEST_FAST_POLICY, 'system:test');
    await startTicketWorker(app.taskQueue, { sql: database.sql, js: nats.js, notifySubject }, hooks);
  })
  .extend('audit', { scope: 'file' }, async ({ database, nats }, hooks) => auditRecorder({ dbUrl: database.url, nc: nats.nc, logger, name: 'sec-freetext-audit' }, hooks))
  // Notification commands, as the notification service would receive them (it renders every
  // e-mail, SMS and chat message from the command alone, services/notification/src/templates.ts).
  .extend('notifyCommands', { scope: 'file' }, async ({ nats }, { onCleanup }) => {
    const commands: string[] = [];
    const sub = nats.nc.subscribe(notifySubject, { callback: (_err, msg) => void commands.push(msg.string()) });
    onCleanup(() => sub.unsubscribe());
    return commands;
  })
  // The identity service (directory, requester links) on a database of its own, with nora (the
  // requester) and lee (a watcher) reachable on all four channels.
  .extend('identityDatabase', { scope: 'file' }, migratedDatabase({ label: 'secfreetextid', schema: 'identity', migrations: IDENTITY_MIGRATIONS_DIR, max: 3 }))
  .extend('identity', { scope: 'file' }, async ({ identityDatabase, nats }, hooks) => {
    const identity = await startIdentity('secfreetext', { database: identityDatabase, nats }, hooks);
    const idSql = identityDatabase.sql;
    const all = ['email', 'sms', 'slack', 'teams'];
    const contacts = async (username: string, c: { email: string; mobile: string; slack: string; teams: string }) => idSql`
      insert into user_contacts (user_id, email, mobile, slack_handle, teams_handle, preferred_channels)
      select id, ${c.email}, ${c.mobile}, ${c.slack}, ${c.teams}, ${all} from users where username = ${username}
      on conflict (user_id) do update set email = excluded.email, mobile = excluded.mobile, slack_handle = excluded.slack_handle,
        teams_handle = excluded.teams_handle, preferred_channels = excluded.preferred_channels`;
    await contacts('nora.nurse', { email: NORA_MAIL, mobile: '+15550100061', slack: 'U0NORA0061', teams: 'nora@sec-freetext.test' });
    await contacts('lee.lead', { email: LEE.email!, mobile: LEE.mobile!, slack: LEE.slackHandle!, teams: LEE.teamsHandle! });
    const leeId = (await idSql<{ id: string }[]>`select id from users where username = 'lee.lead'`)[0]!.id;
    return { baseUrl: identity.baseUrl, leeId };
  })
  // The notification service's worker, whose status updates (docs/decisions/0034) follow this
  // file's ticket events, to the provider stand-ins and Mailpit.
  .extend('notifierDatabase', { scope: 'file' }, migratedDatabase({ label: 'secfreetextnt', schema: 'notification', migrations: NOTIFICATION_MIGRATIONS_DIR, max: 3 }))
  .extend('notifier', { scope: 'file' }, async ({ notifierDatabase, nats, app, identity }, { onCleanup }) => {
    const parts = cleanupStack();
    onCleanup(parts.run);
    const env = testEnv();
    const suffix = randomBytes(4).toString('hex');
    const stubs = await startProviderStubs(0);
    parts.onCleanup(() => stubs.close());
    const notifyDurable = `sec-freetext-nt-${suffix}`;
    const updatesDurable = `sec-freetext-up-${suffix}`;
    parts.onCleanup(async () => {
      const jsm = await jetstreamManager(nats.nc);
      await jsm.consumers.delete(EVENTS_STREAM, updatesDurable).catch(() => undefined);
      await jsm.consumers.delete(COMMANDS_STREAM, notifyDurable).catch(() => undefined);
    });
    const worker = await startNotificationWorker({
      env: parseEnv(notificationEnvSchema, {
        DATABASE_URL: notifierDatabase.url,
        NATS_URL: env.natsUrl,
        SMTP_URL: env.smtpUrl,
        MAILPIT_URL: env.mailpitUrl,
        LOG_LEVEL: 'silent',
        // Pages are not this fixture's subject (their commands are followed by `notifyCommands`): nothing is published here.
        NOTIFY_SUBJECT: `tierline.commands.notify.sec-freetext-none-${suffix}`,
        NOTIFY_DURABLE: notifyDurable,
        UPDATE_EVENTS_DURABLE: updatesDurable,
        UPDATE_COALESCE_MS: '1000',
        POLL_INTERVAL_MS: '300',
        TWILIO_API_BASE: stubs.url,
        SLACK_API_URL: `${stubs.url}/slack/api/`,
        TEAMS_WEBHOOK_URL: `${stubs.url}/teams/webhook/tierline-stub`,
        IDENTITY_SERVICE_URL: identity.baseUrl,
        TICKET_SERVICE_URL: app.baseUrl,
        PORTAL_URL: 'http://portal.test',
      }),
      sql: notifierDatabase.sql,
      nc: nats.nc,
      logger,
      updatesFromNow: true,
    });
    parts.onCleanup(() => worker.stop());
    return { sql: notifierDatabase.sql, stubsUrl: stubs.url };
  });

let js: JetStreamClient;
let auditSql: Sql;
let notifySql: Sql;
let stubsUrl = '';
let leeId = '';
let base = '';
let notifyCommands: string[] = [];
let appCall: HttpCall;

async function call(token: string, method: string, path: string, body?: unknown) {
  const { status, text, headers, body: json } = await appCall(token, method, path, body);
  return { status, text, headers, json: json as Record<string, unknown> & { items?: Record<string, unknown>[] } };
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
  let vendorStream: OpenStream | undefined;
  const streamed = () => vendorStream?.raw() ?? '';

  test.beforeAll(async ({ app, nats, worker: _worker, audit, notifyCommands: commands, identity, notifier }) => {
    base = app.baseUrl;
    leeId = identity.leeId;
    notifySql = notifier.sql;
    stubsUrl = notifier.stubsUrl;
    appCall = app.call;
    js = nats.js;
    auditSql = audit.sql;
    notifyCommands = commands;
    ({ nurse: tokens.nurse, agent: tokens.agent, lead: tokens.lead, vendor: tokens.vendor } = await demoTokens({ nurse: 'nora.nurse', agent: 'alex.agent', lead: 'lee.lead', vendor: 'val.vendor' }));
  });

  afterAll(() => {
    vendorStream?.close();
  });

  it('runs a ticket through every action, a marker in every free-text field', async () => {
    // The vendor's live stream is open the whole time.
    vendorStream = await openEventStream(`${base}/api/v1/events/stream`, `Bearer ${tokens.vendor}`);

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
    await eventually('the vendor stream to carry the close', async () => (streamed().split('event: ticket').length > 3 ? true : undefined));
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
    const frames = streamed().split('event: ticket').length - 1;
    expect(frames, 'the vendor followed the ticket live').toBeGreaterThan(2);
    for (const s of [...vendorSaw, { what: 'live stream', text: streamed() }]) {
      expect(s.text.includes(MARK) || s.text.includes(PUBLIC), `${s.what}: ${s.text}`).toBe(false);
    }
    expect(streamed().includes(HANDOFF) || streamed().includes(VENDOR_OWN)).toBe(false);
  });
});
