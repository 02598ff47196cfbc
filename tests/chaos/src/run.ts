/**
 * The chaos run's scenario, on the isolated system that scripts/chaos.mjs started (its own data
 * dir and ports, passed in the environment). It publishes a minute-scale policy, opens tickets as
 * clinic staff through the HTTP API, then kills each part with SIGKILL in turn — the worker
 * mid-activity, the notification service mid-send, the audit service, the ticket service while
 * tickets are being opened, NATS, Temporal, PostgreSQL — each just before a burst of deadlines,
 * keeps it down while they pass, restarts it through the project's own scripts, waits for
 * quiescence and hands everything the stores hold to the checker. Exit code 1 when an invariant fails.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import type { EscalationPolicy, PolicyRule } from '@tierline/contracts';
import { connectNats, createLogger, createSql } from '@tierline/platform';
import { DEMO_CONTACTS, DEMO_PASSWORD, loginAs, testEnv } from '@tierline/testing';
import { TEST_FAST_POLICY } from '@tierline/domain';
import { declareIncidentUpdate, linkChildUpdate, ticketWorkflowId } from '@tierline/ticket-workflow';
import { check, MIN_MS, renderMarkdown, type LevelSpec, type Observed, type Outage } from './checker.js';
import {
  collectAudit,
  collectMails,
  collectMessagesTo,
  collectNotifications,
  collectSms,
  collectStream,
  collectTickets,
  collectTimeline,
  collectUpdateBursts,
  collectWorkflows,
} from './collect.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

interface AppsModule {
  APPS: { name: string; port: number | null }[];
  startApps(): Promise<void>;
  waitForApps(): Promise<void>;
}
interface ProcModule {
  readPid(name: string): number | null;
  pidAlive(pid: number | null): boolean;
  sleep(ms: number): Promise<void>;
}
const apps = (await import(pathToFileURL(join(repo, 'scripts', 'apps.mjs')).href)) as AppsModule;
const proc = (await import(pathToFileURL(join(repo, 'infra', 'lib', 'proc.mjs')).href)) as ProcModule;

const env = testEnv();
const logger = createLogger('chaos', process.env.LOG_LEVEL ?? 'info');
const url = (name: string) => `http://127.0.0.1:${apps.APPS.find((a) => a.name === name)!.port}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const say = (msg: string) => process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

// ---- the policy -------------------------------------------------------------------------------
// Minute-scale levels (minutes are the policy's unit), every minute a repeat, so that deadlines
// fall due throughout the kills. P1 for the first batch (8 minutes of pages), P2 for the tickets
// opened while the ticket service is killed (3 minutes), so the run ends soon after the last kill.
const P1: PolicyRule = {
  priority: 'P1',
  calendar: 'always',
  responseTargetMinutes: 1,
  resolutionTargetMinutes: 60,
  warnings: [],
  levels: [
    { after: { clock: 'response', minutes: 1 }, tier: 2, targets: [{ kind: 'it_lead' }], channels: ['email', 'sms'], repeatEveryMinutes: 1, maxRepeats: 7 },
    { after: { clock: 'resolution', minutes: 2 }, tier: 3, targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }], channels: ['email', 'sms'], repeatEveryMinutes: 2, maxRepeats: 3 },
  ],
  vendorContract: { vendorOrgId: 'acme-it', calendar: 'always', responseTargetMinutes: 60, resolutionTargetMinutes: 120 },
};
const P2: PolicyRule = {
  priority: 'P2',
  calendar: 'always',
  responseTargetMinutes: 1,
  resolutionTargetMinutes: 60,
  warnings: [],
  levels: [
    { after: { clock: 'response', minutes: 1 }, tier: 2, targets: [{ kind: 'it_lead' }], channels: ['email', 'sms'], repeatEveryMinutes: 1, maxRepeats: 2 },
    { after: { clock: 'resolution', minutes: 2 }, tier: 3, targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }], channels: ['email'] },
  ],
  vendorContract: { vendorOrgId: 'acme-it', calendar: 'always', responseTargetMinutes: 60, resolutionTargetMinutes: 120 },
};
// P3 for the requester's tickets that IT works on during the kills: no level falls due in the run,
// so what reaches the nurse is her status updates only.
const P3: PolicyRule = {
  priority: 'P3',
  calendar: 'always',
  responseTargetMinutes: 240,
  resolutionTargetMinutes: 480,
  warnings: [],
  levels: [{ after: { clock: 'resolution', minutes: 480 }, tier: 2, targets: [{ kind: 'it_lead' }], channels: ['email'] }],
};
const CHAOS_POLICY: EscalationPolicy = {
  ...TEST_FAST_POLICY,
  name: 'Chaos run policy',
  calendars: { always: { mode: '24x7', timeZone: 'UTC' } },
  rules: [P1, P2, P3, ...TEST_FAST_POLICY.rules.filter((r) => !['P1', 'P2', 'P3'].includes(r.priority))],
};

const BATCH_A = Number(process.env.CHAOS_TICKETS ?? 16);
const BATCH_B = Number(process.env.CHAOS_TICKETS_DURING_OUTAGE ?? 8);
const DOWN_MS = Number(process.env.CHAOS_DOWN_SECONDS ?? 35) * 1000;
const BATCH_U = Number(process.env.CHAOS_REQUESTER_TICKETS ?? 6);
/** The children linked to one major incident while the worker is killed (decision 40). */
const INCIDENT_CHILDREN = Number(process.env.CHAOS_INCIDENT_CHILDREN ?? 30);
/** The nurse's contacts: her updates go by email and SMS, so both providers see them. */
const NURSE = { email: 'nora.nurse@north.tierline.test', mobile: '+15550100010' };

// ---- HTTP helpers -------------------------------------------------------------------------------
async function api(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url('ticket')}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  // A dying server's answer may not be JSON: then its status says enough.
  return { status: res.status, body: text && text.trimStart().startsWith('{') ? JSON.parse(text) : null };
}
const subOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub;

async function publishPolicy(): Promise<number> {
  const { access_token } = await loginAs('lee.lead', DEMO_PASSWORD);
  const draft = await api('GET', '/api/v1/policies/draft', access_token);
  const lock = (draft.body?.draft?.lockVersion as number | undefined) ?? 0;
  const put = await api('PUT', '/api/v1/policies/draft', access_token, CHAOS_POLICY, { 'if-match': `"${lock}"` });
  if (put.status !== 200 || !put.body.valid) throw new Error(`the chaos policy was refused: ${put.status} ${JSON.stringify(put.body)}`);
  const pub = await api('POST', '/api/v1/policies/draft/publish', access_token, { notes: 'chaos run: minute-scale levels' }, { 'if-match': `"${put.body.draft.lockVersion}"` });
  if (pub.status !== 201) throw new Error(`publishing the chaos policy failed: ${pub.status} ${JSON.stringify(pub.body)}`);
  return pub.body.version as number;
}

/**
 * What `npm run up` seeds, minus tickets: sites, the vendor organisation, the paged people's
 * contacts; and the nurse's, who is told of her tickets' changes by email and SMS.
 */
async function seed(sql: ReturnType<typeof createSql>) {
  await sql`insert into identity.sites (id, name, time_zone) values ('north', 'North Clinic', 'America/New_York'), ('south', 'South Clinic', 'America/New_York') on conflict (id) do nothing`;
  await sql`insert into identity.vendor_orgs (id, name) values ('acme-it', 'Acme IT Services') on conflict (id) do nothing`;
  const ids: Record<string, string> = {};
  for (const username of ['lee.lead', 'val.vendor']) {
    const { access_token } = await loginAs(username, DEMO_PASSWORD);
    ids[username] = subOf(access_token);
    const res = await fetch(`${url('identity')}/api/v1/me/contacts`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slackHandle: null, teamsHandle: null, ...DEMO_CONTACTS[username], quietHours: null, preferredChannels: [] }),
    });
    if (res.status !== 200) throw new Error(`saving ${username}'s contacts failed: ${res.status} ${await res.text()}`);
  }
  const { access_token } = await loginAs('nora.nurse', DEMO_PASSWORD);
  ids['nora.nurse'] = subOf(access_token);
  const res = await fetch(`${url('identity')}/api/v1/me/contacts`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...NURSE, slackHandle: null, teamsHandle: null, quietHours: null, preferredChannels: ['email', 'sms'] }),
  });
  if (res.status !== 200) throw new Error(`saving nora.nurse's contacts failed: ${res.status} ${await res.text()}`);
  return ids;
}

// ---- opening tickets --------------------------------------------------------------------------
const opened: Observed['opened'] = [];

/**
 * Opens one ticket, retrying with the same Idempotency-Key until the API answers 201: a refused
 * connection or a 5xx while a part is down must neither lose the ticket nor make two.
 */
async function openTicket(token: () => Promise<string>, key: string, urgency: 'high' | 'medium', n: number, impact: 'whole_site' | 'one_user' = 'whole_site') {
  const entry = { idempotencyKey: key, ticketId: null as string | null };
  opened.push(entry);
  const deadline = Date.now() + 5 * MIN_MS;
  while (Date.now() < deadline) {
    try {
      const r = await api('POST', '/api/v1/tickets', await token(), {
        title: `Chaos run ticket ${n}: EHR unreachable`,
        description: 'Opened by the fault test.',
        category: 'ehr',
        impact,
        urgency,
        patientCareAffected: false,
        siteId: 'north',
      }, { 'idempotency-key': key });
      if (r.status === 201) {
        entry.ticketId = r.body.id as string;
        return;
      }
      if (r.status < 500) throw new Error(`opening a ticket was refused: ${r.status} ${JSON.stringify(r.body)}`);
    } catch (err) {
      if ((err as Error).message.startsWith('opening a ticket was refused')) throw err;
    }
    await sleep(1000);
  }
}

/** A person's token, renewed before it expires (a run outlasts one access token). */
function tokenOf(username: string) {
  let token: { value: string; until: number } | null = null;
  return async () => {
    if (!token || Date.now() > token.until) {
      const t = await loginAs(username, DEMO_PASSWORD);
      token = { value: t.access_token, until: Date.now() + (t.expires_in - 30) * 1000 };
    }
    return token.value;
  };
}

// ---- IT working on the requester's tickets ----------------------------------------------------
/** Words written only into internal notes; the checker looks for them in all the nurse received. */
const internalWords: string[] = [];

/**
 * One action of IT on a ticket, retried until the API takes it: a refused connection or a 5xx
 * while a part is down changes nothing. A 409 to a retry means an earlier attempt went through
 * (its answer was lost); to a first attempt, or any other 4xx, it is a refusal and ends the run.
 */
async function act(token: () => Promise<string>, ticketId: string, action: string, body: object) {
  const deadline = Date.now() + 5 * MIN_MS;
  for (let attempt = 1; Date.now() < deadline; attempt++) {
    let refused: Error | null = null;
    try {
      const r = await api('POST', `/api/v1/tickets/${ticketId}/${action}`, await token(), body);
      if (r.status >= 200 && r.status < 300) return;
      if (r.status === 409 && attempt > 1) return;
      if (r.status < 500) refused = new Error(`${action} of ${ticketId} was refused: ${r.status} ${JSON.stringify(r.body)}`);
    } catch {
      // The ticket service is down: retry.
    }
    if (refused) throw refused;
    await sleep(1000);
  }
  throw new Error(`${action} of ${ticketId} was not taken in 5 minutes`);
}

/**
 * The IT lead works the nurse's P3 tickets through the kills, one step a minute for all of them:
 * picks them up, writes an internal note and replies in public, asks her a question, resumes,
 * notes and replies again, resolves. Each step that is an update for her (decision 34) must reach
 * her once; the internal notes never.
 */
async function requesterLoad(ticketIds: string[], from: number) {
  const lead = tokenOf('lee.lead');
  const tag = startedAt.getTime().toString(36);
  const note = (i: number, step: number) => {
    const word = `chaosinternal${tag}x${i}x${step}`;
    internalWords.push(word);
    return { body: `Internal: vendor contract ${word} on file.`, visibility: 'internal' };
  };
  const steps: [string, (i: number) => object][][] = [
    [['acknowledge', () => ({})]],
    [['comments', (i) => note(i, 2)], ['comments', (i) => ({ body: `We are looking at it (reply ${i}).`, visibility: 'public' })]],
    [['wait-on-requester', (i) => ({ reason: `Does it happen on every workstation (question ${i})?` })]],
    [['resume', () => ({})]],
    [['comments', (i) => note(i, 5)], ['comments', (i) => ({ body: `A new driver is being rolled out (reply ${i}).`, visibility: 'public' })]],
    [['resolve', (i) => ({ resolution: `Driver updated (resolution ${i}).` })]],
  ];
  for (const [k, step] of steps.entries()) {
    await sleep(from + (k + 1) * MIN_MS - Date.now());
    await Promise.all(
      ticketIds.map(async (id, i) => {
        for (const [action, body] of step) await act(lead, id, action, body(i));
      }),
    );
    say(`requester tickets: ${step.map(([a]) => a).join(' + ')} done on ${ticketIds.length}`);
  }
}

// ---- killing and restarting -------------------------------------------------------------------
const outages: Outage[] = [];

function kill9(name: string) {
  const pid = proc.readPid(name);
  if (!proc.pidAlive(pid)) throw new Error(`${name} is not running (no live pid in its pid file)`);
  // The whole process group: PostgreSQL's backends and any helper die with their parent, as in a crash.
  try {
    process.kill(-pid!, 'SIGKILL');
  } catch {
    process.kill(pid!, 'SIGKILL');
  }
  return pid!;
}

function runNode(args: string[]) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repo, env: process.env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`node ${args.join(' ')} exited with ${code}`))));
  });
}

const INFRA = new Set(['nats', 'temporal', 'postgres']);
async function restart(name: string) {
  if (INFRA.has(name)) await runNode([join(repo, 'infra', 'stack.mjs'), 'up', name]);
  else {
    await apps.startApps();
    await apps.waitForApps();
  }
}

/**
 * Kills `name` at `at` (once `busy` has seen it busy; its answer says how), keeps it down DOWN_MS,
 * restarts it.
 */
async function outage(name: string, at: number, busy?: () => Promise<string>, after?: () => Promise<void>) {
  await sleep(at - Date.now());
  const doing = busy ? await busy() : undefined;
  const pid = kill9(name);
  const downAt = Date.now();
  say(`${name}: killed (SIGKILL, pid ${pid})`);
  if (after) await after();
  await sleep(downAt + DOWN_MS - Date.now());
  await restart(name);
  const upAt = Date.now();
  outages.push({ component: name, downAt, upAt, ...(doing ? { busy: doing } : {}) });
  say(`${name}: back after ${((upAt - downAt) / 1000).toFixed(1)} s`);
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

// ---- the major incident -------------------------------------------------------------------------
/**
 * One workflow update, retried with the same update id until the workflow answers: while the
 * worker is down the call times out, and the retry joins the same update (Temporal deduplicates it
 * by id), so a link is asked for once however often it is retried. A refusal ends the run.
 */
async function updateUntilDone(temporal: Client, workflowId: string, updateId: string, send: (h: ReturnType<Client['workflow']['getHandle']>, updateId: string) => Promise<unknown>) {
  const deadline = Date.now() + 5 * MIN_MS;
  while (Date.now() < deadline) {
    try {
      await send(temporal.workflow.getHandle(workflowId), updateId);
      return;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new Error(`${updateId} was refused: ${err.cause?.message ?? err.message}`);
    }
    await sleep(1000);
  }
  throw new Error(`${updateId} was not taken in 5 minutes`);
}

/**
 * Opens a P2 outage ticket and INCIDENT_CHILDREN more, declares the first a major incident and
 * links all the others to it at once, as IT would; kills the worker (SIGKILL) once the first links
 * are through and the others are in flight, keeps it down, restarts it. The links go straight to
 * the workflows (the ticket service's incident routes call the same updates).
 */
async function majorIncident(temporal: Client, token: () => Promise<string>, leadId: string): Promise<NonNullable<Observed['incident']>> {
  const first = opened.length;
  await Promise.all(Array.from({ length: INCIDENT_CHILDREN + 1 }, (_, i) => openTicket(token, `chaos-i-${startedAt.getTime()}-${i}`, 'medium', 1000 + i)));
  const [parent, ...children] = opened.slice(first).map((o) => o.ticketId!);
  const by = { actor: { id: leadId, role: 'it_lead' as const } };
  const tag = startedAt.getTime();
  await updateUntilDone(temporal, ticketWorkflowId(parent!), `chaos-declare-${tag}`, (h, updateId) => h.executeUpdate(declareIncidentUpdate, { args: [by], updateId }));
  let linked = 0;
  const links = Promise.all(
    children.map(async (child) => {
      await updateUntilDone(temporal, ticketWorkflowId(parent!), `chaos-link-${tag}-${child}`, (h, updateId) =>
        h.executeUpdate(linkChildUpdate, { args: [{ ...by, childTicketId: child }], updateId }),
      );
      linked += 1;
    }),
  );
  await outage('worker', Date.now(), async () => {
    await until('the first links to be through', async () => linked >= 3, 60_000, 20);
    return `linking ${children.length} children to one major incident (${linked} through)`;
  });
  await links;
  say(`major incident: ${children.length} children linked`);
  return { parentTicketId: parent!, childIds: children };
}

// ---- the run ----------------------------------------------------------------------------------
const startedAt = new Date();
const sql = createSql(env.databaseUrl, 'public', 3);
const stubs = (path: string, body: object) =>
  fetch(`${url('provider-stubs')}/_stub/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
let exitCode = 1;
try {
  const ids = await seed(sql);
  const version = await publishPolicy();
  say(`policy v${version} published; opening ${BATCH_A} P1 tickets and ${BATCH_U} P3 tickets IT will work on`);
  const token = tokenOf('nora.nurse');
  await Promise.all(Array.from({ length: BATCH_A }, (_, i) => openTicket(token, `chaos-a-${startedAt.getTime()}-${i}`, 'high', i + 1)));
  const [first] = await sql<{ created_at: Date }[]>`select min(created_at) as created_at from ticket.tickets`;
  const a0 = first!.created_at.getTime();
  // Deadlines of the first batch fall due every minute from a0; each kill comes 5 s before one.
  const slot = (k: number) => a0 + k * MIN_MS - 5_000;
  const requesterTickets = opened.length;
  await Promise.all(Array.from({ length: BATCH_U }, (_, i) => openTicket(token, `chaos-u-${startedAt.getTime()}-${i}`, 'medium', BATCH_A + i + 1, 'one_user')));
  const followed = opened.slice(requesterTickets).map((o) => o.ticketId).filter((id): id is string => id !== null);
  // Its steps fall between the kills' (a0 + k minutes + 20 s), so each kill meets updates in flight.
  const load = requesterLoad(followed, a0 + 20_000);
  load.catch(() => undefined);

  // 1. The worker, while an activity is in flight: the driver holds the ticket rows locked, so the
  // activity that records the next escalation waits inside its transaction; kill it there.
  let lock: { release: () => void; done: Promise<unknown> } | null = null;
  await outage(
    'worker',
    slot(1),
    async () => {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const locked = new Promise<void>((ok) => {
        const done = sql.begin(async (tx) => {
          await tx`select id from ticket.tickets for update`;
          ok();
          await held;
        });
        lock = { release, done };
      });
      await locked;
      const n = await until('an activity of the worker to wait on the locked rows', async () => {
        // The worker's recordTicketEvent updates the ticket row first thing in its transaction.
        const [r] = await sql<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%update%tickets%set%'`;
        return r!.n > 0 ? r!.n : false;
      }, 90_000);
      return `${n} activit${n === 1 ? 'y' : 'ies'} inside a transaction`;
    },
    async () => {
      lock!.release();
      await lock!.done;
    },
  );

  // 2. The notification service mid-send: the SMS stand-in holds its answers, so sends are open.
  await outage(
    'notification',
    slot(2) - 5_000,
    async () => {
      const before = (await collectSms(url('provider-stubs'))).length;
      await stubs('delay', { provider: 'twilio', ms: 120_000 });
      await until('an SMS send to be in flight', async () => (await collectSms(url('provider-stubs'))).length > before, 90_000);
      // Let the burst's other sends reach the stand-in too, then count what is open.
      await sleep(1_000);
      const open = (await collectSms(url('provider-stubs'))).length - before;
      return `${open} SMS send${open === 1 ? '' : 's'} open`;
    },
    async () => {
      await stubs('delay', { provider: 'twilio', ms: 0 });
    },
  );

  // 3. The audit service, as a burst of escalation events arrives.
  const auditLag = async () => {
    const [r] = await sql<{ n: number }[]>`select count(*)::int as n from audit.audit_log`;
    return r!.n;
  };
  const auditBefore = await auditLag();
  await outage('audit', slot(3), async () => `consuming (${(await auditLag()) - auditBefore} events recorded since the notification service came back)`);

  // 4. The ticket service while staff are opening tickets (P2: shorter levels).
  const batchB = (async () => {
    await sleep(slot(4) - 8_000 - Date.now());
    for (let i = 0; i < BATCH_B; i++) {
      await openTicket(token, `chaos-b-${startedAt.getTime()}-${i}`, 'medium', BATCH_A + i + 1);
      await sleep(1_500);
    }
  })();
  await outage('ticket', slot(4), async () => `opening tickets (${opened.length - BATCH_A - BATCH_U} of ${BATCH_B} asked for)`);
  await batchB;
  say(`${opened.filter((o) => o.ticketId).length} of ${opened.length} tickets opened`);

  // 5.–7. The servers: NATS, Temporal, PostgreSQL.
  const beforeBurst = async () => 'serving, 5 s before a minute\'s deadlines';
  await outage('nats', slot(5), beforeBurst);
  await outage('temporal', slot(6), beforeBurst);
  await outage('postgres', slot(7), beforeBurst);
  await load;

  // 8. The worker again, while thirty tickets are being linked to one major incident.
  const connection = await Connection.connect({ address: env.temporalAddress });
  const temporal = new Client({ connection, namespace: env.temporalNamespace });
  const incident = await majorIncident(temporal, token, ids['lee.lead']!);

  // Quiescence: every deadline passed (the last one plus a minute's grace), no page still queued,
  // the audit log caught up with the events stream.
  const tickets = await collectTickets(sql);
  const levels: Record<string, LevelSpec[]> = {};
  for (const rule of [P1, P2, P3]) {
    levels[rule.priority] = rule.levels.map((l, level) => ({
      level,
      afterMinutes: l.after.minutes,
      repeatEveryMinutes: l.repeatEveryMinutes ?? null,
      maxRepeats: l.maxRepeats ?? 0,
      recipients: l.targets.map((t) => (t.kind === 'it_lead' ? ids['lee.lead']! : ids['val.vendor']!)),
      channels: [...l.channels],
    }));
  }
  // P3's level lies hours ahead (its tickets are there for the nurse's updates): not waited for.
  const lastDue = Math.max(
    ...tickets.map((t) => {
      const ls = t.priority === 'P3' ? [] : (levels[t.priority] ?? []);
      return t.createdAt + Math.max(0, ...ls.map((l) => (l.afterMinutes + (l.repeatEveryMinutes ? l.maxRepeats * l.repeatEveryMinutes : 0)) * MIN_MS));
    }),
  );
  say(`waiting for the last deadline (${new Date(lastDue).toISOString()}) and for quiescence`);
  await sleep(lastDue + 5_000 - Date.now());
  const nc = await connectNats(env.natsUrl, 'chaos-checker');
  try {
    await until(
      'quiescence (no page or update queued, no update burst pending, the audit log caught up)',
      async () => {
        const [q] = await sql<{ n: number }[]>`select count(*)::int as n from notification.deliveries where status = 'queued'`;
        const [b] = await sql<{ n: number }[]>`select count(*)::int as n from notification.update_bursts where state in ('open', 'closed')`;
        const [a] = await sql<{ n: number }[]>`select count(*)::int as n from audit.audit_log`;
        const events = new Set((await collectStream(nc)).map((e) => e.id)).size;
        return q!.n === 0 && b!.n === 0 && a!.n >= events;
      },
      5 * MIN_MS,
      5_000,
    ).catch((err: Error) => say(`${err.message}; checking what there is`));

    const checkedAt = Date.now();
    const finalTickets = await collectTickets(sql);
    const { access_token: auditorToken } = await loginAs('audrey.auditor', DEMO_PASSWORD);
    const observed: Observed = {
      checkedAt,
      levels,
      outages,
      opened,
      incident,
      tickets: finalTickets,
      timelineEventIds: await collectTimeline(sql),
      workflows: await collectWorkflows(temporal, finalTickets.map((t) => t.id)),
      streamEvents: await collectStream(nc),
      audit: await collectAudit(sql, url('audit'), auditorToken),
      ...(await collectNotifications(sql)),
      mails: await collectMails(env.mailpitUrl),
      sms: await collectSms(url('provider-stubs')),
      updates: {
        followed: followed.map((ticketId) => ({ ticketId, requesterId: ids['nora.nurse']! })),
        ...(await collectUpdateBursts(sql)),
        messages: await collectMessagesTo(env.mailpitUrl, url('provider-stubs'), NURSE.email, NURSE.mobile),
        internalWords,
      },
    };
    const report = check(observed);
    const finishedAt = new Date();
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
    const md = renderMarkdown(report, { startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), machine });
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'latest.md'), md);
    writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify({ startedAt, finishedAt, machine, policy: { P1, P2 }, outages, report }, null, 2)}\n`);
    process.stdout.write(`\n${md}\n`);
    exitCode = report.ok ? 0 : 1;
  } finally {
    await nc.drain().catch(() => undefined);
    await connection.close().catch(() => undefined);
  }
} catch (err) {
  logger.error({ err }, 'the chaos run failed before its check');
  process.stderr.write(`chaos run failed: ${(err as Error).stack ?? String(err)}\n`);
} finally {
  await sql.end({ timeout: 5 }).catch(() => undefined);
}
process.exit(exitCode);
