/**
 * Tierline end to end, through its HTTP API with real Keycloak tokens, on the bench stack.
 */
import { randomUUID } from 'node:crypto';
import { connectNats } from '@tierline/platform';
import type { EventEnvelope, Ticket } from '@tierline/contracts';
import { DEMO_PASSWORD, loginAs, testEnv } from '@tierline/testing';
import { P1_DUE_MS, type BenchStack } from './stack.js';
import { percentile, ratePerSecond, runConcurrently, summarize, type Summary } from './stats.js';
import { waitUntil } from './temporal.js';

/**
 * Access tokens live five minutes (the realm's setting): log in again after three. Keycloak is
 * shared with other runs, which may hold a login up for a moment; a failed refresh keeps the
 * current token while it is still valid and tries again on the next call.
 */
export function tokenFor(username: string) {
  let token: { value: string; at: number } | null = null;
  let refreshing: Promise<void> | null = null;
  let failedAt = 0;
  const refresh = async () => {
    try {
      token = { value: (await loginAs(username, DEMO_PASSWORD)).access_token, at: Date.now() };
    } catch (err) {
      if (!token || Date.now() - token.at >= 4.5 * 60_000) throw err;
      failedAt = Date.now();
      process.stderr.write(`token refresh of ${username} failed, keeping the current one: ${(err as Error).message}\n`);
    }
  };
  return async (): Promise<string> => {
    const due = !token || Date.now() - token.at >= 3 * 60_000;
    // After a failed refresh, the next attempt waits five seconds (the current token still serves).
    if (due && (!token || Date.now() - failedAt > 5_000)) {
      // One login at a time, however many callers need the token.
      refreshing ??= refresh().finally(() => (refreshing = null));
      await refreshing;
    }
    return token!.value;
  };
}

async function createTicket(baseUrl: string, token: string, body: object): Promise<Ticket> {
  const res = await fetch(`${baseUrl}/api/v1/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST /api/v1/tickets answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Ticket;
}

const CATEGORIES = ['ehr', 'network', 'hardware', 'printer_scanner', 'phone', 'account_access'];
/** Open load: P3 and P4 (one user affected), which under the bench policy do not escalate during a run. */
function loadTicket(i: number) {
  return { title: `Bench load ticket ${i}`, description: 'Opened by npm run bench.', category: CATEGORIES[i % CATEGORIES.length]!, siteId: 'north', impact: 'one_user', urgency: i % 2 ? 'low' : 'medium', patientCareAffected: false };
}
function p1Ticket(i: number) {
  return { title: `Bench P1 ${i}`, description: 'Opened by npm run bench.', category: 'network', siteId: 'north', impact: 'whole_site', urgency: 'high', patientCareAffected: false };
}

export interface CreationResult {
  count: number;
  concurrency: number;
  perSecond: number;
  latencyMs: Summary;
}

/** Opens `n` load tickets through the API with `concurrency` requests in flight, as the demo nurse. */
export async function createLoad(stack: BenchStack, n: number, concurrency: number): Promise<CreationResult> {
  const token = tokenFor('nora.nurse');
  await token();
  const r = await runConcurrently(n, concurrency, async (i) => {
    await createTicket(stack.ticketUrl, await token(), loadTicket(i));
  });
  return { count: n, concurrency, perSecond: ratePerSecond(n, r.elapsedMs), latencyMs: summarize(r.latenciesMs) };
}

/** Until every ticket's workflow has run its first step (recorded ticket.created), so later phases do not measure the start backlog. */
export async function waitForOpened(stack: BenchStack, n: number, timeoutMs: number): Promise<void> {
  await waitUntil(`${n} ticket workflows to record ticket.created`, timeoutMs, async () => {
    const [{ c }] = (await stack.sql`select count(*)::int as c from ticket_timeline where type = 'ticket.created'`) as unknown as [{ c: number }];
    return c >= n;
  });
}

export interface MemoryResult {
  rssMiB: number;
  heapUsedMiB: number;
  openWorkflows: number;
}

async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/**
 * The worker's resident memory and heap from its own /metrics, with the open tickets in place and
 * nothing else happening: sampled for `settleMs`, keeping the lowest (the figure after a GC).
 */
export async function workerMemory(stack: BenchStack, settleMs: number): Promise<MemoryResult> {
  const [{ c }] = (await stack.sql`select count(*)::int as c from tickets where status not in ('resolved', 'closed')`) as unknown as [{ c: number }];
  let rss = Infinity;
  let heap = Infinity;
  const end = Date.now() + settleMs;
  while (Date.now() < end) {
    const m = await scrape(stack.workerMetricsUrl);
    const r = m.get('process_resident_memory_bytes');
    const h = m.get('nodejs_heap_size_used_bytes');
    if (r === undefined || h === undefined) throw new Error('the worker /metrics has no process_resident_memory_bytes or nodejs_heap_size_used_bytes');
    rss = Math.min(rss, r);
    heap = Math.min(heap, h);
    await new Promise((res) => setTimeout(res, 1_000));
  }
  return { rssMiB: rss / 2 ** 20, heapUsedMiB: heap / 2 ** 20, openWorkflows: c };
}

export interface LatenessResult {
  tickets: number;
  /** How the deadlines were spread: per second over the window, or all at once. */
  arrival: string;
  windowSeconds: number;
  escalated: number;
  emailed: number;
  eventLatenessMs: Summary | null;
  emailLatenessMs: Summary | null;
}

interface MailpitList {
  messages: { Created: string; Subject: string }[];
}

/** Mailpit's receive time of each bench escalation email, by ticket number, received after `since`. */
async function emailTimes(numbers: Set<string>, since: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const base = testEnv().mailpitUrl;
  for (let start = 0; ; start += 500) {
    const res = await fetch(`${base}/api/v1/messages?start=${start}&limit=500`);
    if (!res.ok) throw new Error(`Mailpit answered ${res.status}`);
    const page = ((await res.json()) as MailpitList).messages;
    for (const m of page) {
      const n = /\b(IT-\d+) escalated to tier 2\b/.exec(m.Subject)?.[1];
      const at = Date.parse(m.Created);
      if (n && numbers.has(n) && !out.has(n)) out.set(n, at);
    }
    // Newest first: stop past the start of the phase.
    if (page.length < 500 || Date.parse(page[page.length - 1]!.Created) < since) return out;
  }
}

/**
 * Opens P1 tickets whose first escalation is due 60 s after opening — `perSecond` of them a second,
 * or all at once when `perSecond` is null — and measures, per ticket, how long after its deadline
 * (a) its ticket.escalated event arrived from JetStream and (b) its escalation email was accepted
 * by the SMTP server (Mailpit's receive time).
 */
export async function escalationLateness(stack: BenchStack, n: number, perSecond: number | null, concurrency: number): Promise<LatenessResult> {
  const phaseStart = Date.now();
  const nc = await connectNats(testEnv().natsUrl, 'bench-lateness');
  const due = new Map<string, number>();
  const numbers = new Map<string, string>();
  const arrived = new Map<string, number>();
  // A core subscription sees every event as JetStream stores it, taking nothing from consumers.
  const sub = nc.subscribe('tierline.events.ticket.escalated', {
    callback: (err, msg) => {
      if (err) return;
      const at = Date.now();
      const e = msg.json<EventEnvelope>();
      if (e.ticketId && !arrived.has(e.ticketId)) arrived.set(e.ticketId, at);
    },
  });
  await nc.flush();
  const token = tokenFor('nora.nurse');
  await token();
  const open = async (i: number) => {
    const t = await createTicket(stack.ticketUrl, await token(), p1Ticket(i));
    if (t.priority !== 'P1') throw new Error(`a bench P1 ticket came back as ${t.priority}`);
    // The policy clock starts at the ticket's createdAt (24/7 calendar), so that is the deadline's origin.
    due.set(t.id, Date.parse(t.createdAt) + P1_DUE_MS);
    numbers.set(t.number, t.id);
  };
  const t0 = Date.now();
  if (perSecond === null) {
    await runConcurrently(n, concurrency, open);
  } else {
    const opening: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const wait = t0 + (i * 1000) / perSecond - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      opening.push(open(i));
    }
    await Promise.all(opening);
  }
  const windowSeconds = (Date.now() - t0) / 1000;
  const lastDue = Math.max(...due.values());
  const escalatedAll = async () => [...due.keys()].every((id) => arrived.has(id));
  await waitUntil('every bench P1 to escalate', lastDue - Date.now() + 180_000, escalatedAll).catch((err: unknown) => console.error(String(err)));
  sub.unsubscribe();
  await nc.drain();

  const wanted = new Set(numbers.keys());
  let mails = new Map<string, number>();
  const mailDeadline = Date.now() + 60_000;
  while (Date.now() < mailDeadline) {
    mails = await emailTimes(wanted, phaseStart);
    if (mails.size >= wanted.size) break;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  const eventLate = [...arrived].filter(([id]) => due.has(id)).map(([id, at]) => at - due.get(id)!);
  const emailLate = [...mails].map(([number, at]) => at - due.get(numbers.get(number)!)!);
  return {
    tickets: n,
    arrival: perSecond === null ? `all ${n} opened at once (${concurrency} requests in flight)` : `${perSecond} per second`,
    windowSeconds,
    escalated: eventLate.length,
    emailed: emailLate.length,
    eventLatenessMs: eventLate.length ? summarize(eventLate) : null,
    emailLatenessMs: emailLate.length ? summarize(emailLate) : null,
  };
}

const STATUSES: [string, number][] = [['new', 15], ['acknowledged', 15], ['in_progress', 15], ['waiting_on_requester', 5], ['waiting_on_vendor', 5], ['resolved', 25], ['closed', 20]];

/**
 * Tops the ticket table up to `total` rows with a clinic group's mix: 12 sites, P1 5 % / P2 15 % /
 * P3 40 % / P4 40 %, 55 % open (new, acknowledged, in progress, waiting), created over the last
 * 180 days, open ones with a deadline in the next week. One INSERT … SELECT, so loading is not
 * what is measured.
 */
export async function bulkLoad(stack: BenchStack, total: number): Promise<number> {
  const [{ c }] = (await stack.sql`select count(*)::int as c from tickets`) as unknown as [{ c: number }];
  const add = total - c;
  if (add <= 0) return c;
  const statusCase = (() => {
    let acc = 0;
    return `case ${STATUSES.map(([s, w]) => `when r.s < ${(acc += w) / 100} then '${s}'`).join(' ')} else 'closed' end`;
  })();
  await stack.sql.unsafe(`
    insert into tickets (id, number, title, description, category, site_id, requester_id, impact, urgency,
      patient_care_affected, priority, status, tier, policy_version, workflow_id, team_id, assignee_id, vendor_org_id,
      next_deadline_at, next_deadline_kind, sla_at_risk, escalation_level, created_at, updated_at, resolved_at)
    select id, 'BL-' || g, 'Bulk-loaded ticket ' || g, '', (array['ehr','network','hardware','printer_scanner'])[1 + g % 4],
      'site-' || (g % 12), 'bench-requester-' || (g % 500), 'one_user', 'low', false, pr, st, tier, 1, 'ticket-' || id,
      (array['it-tier1','it-tier2'])[tier % 2 + 1], case when st <> 'new' then 'agent-' || (g % 30) end,
      case when tier = 3 then 'acme-it' end,
      case when st not in ('resolved','closed') then now() + (random() * interval '7 days') end,
      case when st not in ('resolved','closed') then 'response target' end,
      random() < 0.1, tier - 1, created, created, case when st in ('resolved','closed') then created + interval '1 day' end
    from (
      select g, gen_random_uuid() as id, now() - (random() * interval '180 days') as created,
        case when r.p < 0.05 then 'P1' when r.p < 0.20 then 'P2' when r.p < 0.60 then 'P3' else 'P4' end as pr,
        ${statusCase} as st,
        case when r.t < 0.7 then 1 when r.t < 0.95 then 2 else 3 end as tier
      from generate_series(1, ${add}) g, lateral (select random() as p, random() as s, random() as t, g as dep) r
    ) x`);
  await stack.sql`analyze tickets`;
  return total;
}

/** The IT queue's requests (services/portal/src/features/queue/logic/queue.ts): the default view and its usual filters. */
export const QUEUE_QUERIES = [
  'sort=next_deadline&limit=100&open=true',
  'sort=next_deadline&limit=100&open=true',
  'sort=next_deadline&limit=100&open=true&priority=P1,P2',
  'sort=next_deadline&limit=100&open=true&siteId=site-3',
  'sort=next_deadline&limit=100&status=waiting_on_vendor&tier=3',
  'sort=next_deadline&limit=100&open=true&atRisk=true',
  'sort=next_deadline&limit=100&open=true&teamId=it-tier2',
];

export interface QueueResult {
  rows: number;
  clients: number;
  requests: number;
  perSecond: number;
  latencyMs: Summary;
  /** p99 of each query shape, so a slow filter is not hidden by the fast default view. */
  byQuery: { query: string; p99: number }[];
}

/** `clients` agents each calling the queue endpoint back to back for `seconds`, with one agent's token. */
export async function queueLatency(stack: BenchStack, rows: number, clients: number, seconds: number): Promise<QueueResult> {
  const token = await tokenFor('alex.agent')();
  const call = async (q: string) => {
    const res = await fetch(`${stack.ticketUrl}/api/v1/tickets?${q}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET /api/v1/tickets?${q} answered ${res.status}: ${text.slice(0, 300)}`);
  };
  // Warm up: connections, the token verifier's key fetch, PostgreSQL's caches.
  for (const q of QUEUE_QUERIES) await call(q);
  const samples: { q: string; ms: number }[] = [];
  const end = Date.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = c; Date.now() < end; i++) {
        const q = QUEUE_QUERIES[i % QUEUE_QUERIES.length]!;
        const s = performance.now();
        await call(q);
        samples.push({ q, ms: performance.now() - s });
      }
    }),
  );
  const elapsed = performance.now() - t0;
  const all = samples.map((s) => s.ms);
  return {
    rows,
    clients,
    requests: samples.length,
    perSecond: ratePerSecond(samples.length, elapsed),
    latencyMs: summarize(all),
    byQuery: [...new Set(QUEUE_QUERIES)].map((query) => ({ query, p99: percentile(samples.filter((s) => s.q === query).map((s) => s.ms), 99) })),
  };
}
