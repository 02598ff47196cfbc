/**
 * The chaos run's reconciliation: what should exist after the run (every ticket the driver opened,
 * every escalation the policy makes due, one page per recipient and channel for each) against what
 * each store holds (PostgreSQL, Temporal, JetStream, the audit log, Mailpit, the SMS stand-in).
 * Pure: the collector (collect.ts) reads the stores, this decides; its unit tests feed it made-up
 * observations.
 */
import { createHash } from 'node:crypto';

/** One level of the chaos policy's rule, as the checker needs it to predict escalations. */
export interface LevelSpec {
  level: number;
  afterMinutes: number;
  repeatEveryMinutes: number | null;
  maxRepeats: number;
  /** Keycloak user ids the level's targets resolve to. */
  recipients: string[];
  channels: string[];
}

/** A component that was killed at `downAt` and answered again at `upAt` (epoch ms). */
export interface Outage {
  component: string;
  downAt: number;
  upAt: number;
  /** What it was doing when it was killed, as the driver saw it. */
  busy?: string;
}

/**
 * The parts an escalation needs to fire: the timer (Temporal), the worker that runs the step, the
 * read model it writes (PostgreSQL) and the stream it publishes to (NATS). An escalation due while
 * one of them is down may fire at its recovery; one due while any other part is down must still
 * fire on time, so it is measured from its own deadline.
 */
export const ESCALATION_PATH = new Set(['worker', 'temporal', 'postgres', 'nats']);

export interface Observed {
  /** When the checker looked (epoch ms): escalations due later are not expected yet. */
  checkedAt: number;
  /** The levels of the policy's rule for each priority the run opens tickets at. */
  levels: Record<string, LevelSpec[]>;
  outages: Outage[];
  /** Every ticket the driver asked for (its Idempotency-Key) and the id it got back, if any. */
  opened: { idempotencyKey: string; ticketId: string | null }[];
  /** PostgreSQL, ticket.ticket_timeline: the event ids the read model's timeline holds. */
  timelineEventIds: string[];
  /** PostgreSQL, ticket.tickets. */
  tickets: { id: string; idempotencyKey: string | null; createdAt: number; escalationLevel: number; status: string; priority: string; incidentParentId?: string | null }[];
  /** Temporal: describe + getState query of each ticket's workflow (incidentParentId: the parent it names as a child). */
  workflows: { ticketId: string; status: string; escalations: { level: number; repeat: number; idempotencyKey: string }[]; incidentParentId?: string | null }[];
  /**
   * The major incident the run declared and the tickets it linked to it as children while the
   * worker was killed (decision 40). A child escalates on its own only before its link.
   */
  incident?: { parentTicketId: string; childIds: string[] };
  /**
   * Every message of the events stream, duplicates included; storedAt is JetStream's timestamp,
   * visibility a comment's (`public` / `internal`), actorId the user who caused the event.
   */
  streamEvents: { id: string; type: string; ticketId: string | null; level: number | null; repeat: number | null; storedAt: number; visibility?: string | null; actorId?: string | null }[];
  audit: { eventIds: string[]; verify: { ok: boolean; rowsChecked: number; reason?: string } };
  /** notification.commands: idempotency keys of the notify commands the service took in. */
  commands: string[];
  deliveries: { idempotencyKey: string; recipientId: string; channel: string; status: string; kind: string; bundleId: string | null; sentAt: number | null }[];
  /** Mailpit: the Message-ID of every mail received (without angle brackets). */
  mails: string[];
  /** The SMS stand-in: the Twilio idempotency token of every request it accepted. */
  sms: (string | null)[];
  /** Status updates to requesters (decision 34): who follows what, the bursts, what was received. */
  updates: {
    /** The tickets whose requester the run's IT staff keep informed, with the requester's user id. */
    followed: { ticketId: string; requesterId: string }[];
    /** notification.update_bursts. */
    bursts: { id: string; ticketId: string; recipientId: string; state: string }[];
    /** notification.update_changes: which event joined which burst, for whom. */
    changes: { eventId: string; recipientId: string; burstId: string }[];
    /** Subject and body of every mail and SMS the requesters received. */
    messages: { channel: string; text: string }[];
    /** Words the run wrote only into internal notes: none may reach a requester. */
    internalWords: string[];
  };
}

export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Report {
  tickets: { opened: number; present: number; lost: number; duplicates: number; withoutWorkflow: number };
  workflows: { running: number; notRunning: number; levelMismatch: number };
  escalations: { expected: number; fired: number; lost: number; duplicates: number; unexpected: number; redundantCopies: number };
  notifications: { expected: number; sent: number; notSent: number; missingRows: number; duplicates: number; missingAtProvider: number; alerts: number };
  updates: { events: number; bursts: number; sent: number; failed: number; lost: number; duplicates: number; messagesRead: number; leaks: number };
  audit: { rows: number; verified: boolean; rowsChecked: number; missingEvents: number; extraRows: number; reason?: string };
  /**
   * Per kill: escalations due while it was down and the latest of them — after the recovery for a
   * part on the escalation path, after its own deadline for any other; for the notification
   * service also the pages of escalations fired while it was down and the latest sent after its recovery.
   */
  outages: { component: string; busy?: string; downMs: number; onEscalationPath: boolean; escalationsDue: number; maxLatenessMs: number | null; pagesHeld?: number; pagesMaxAfterRecoveryMs?: number | null }[];
  maxLatenessMs: number | null;
  invariants: Invariant[];
  ok: boolean;
}

export const MIN_MS = 60_000;
export const LATENESS_LIMIT_MS = 60_000;
const ESCALATION_TYPES = new Set(['ticket.escalated', 'ticket.escalation_repeated']);
const SENT = new Set(['sent', 'delivered']);
/** The events a requester is told of (services/notification/src/updates.ts, updateKindOf): a comment only when public. */
const UPDATE_TYPES = new Set(['ticket.acknowledged', 'ticket.waiting_on_requester', 'ticket.commented', 'ticket.resolved', 'ticket.closed']);
/** The delivery key of an update burst's rows (decision 34). */
export const updateKey = (burstId: string) => `update:${burstId}`;

/**
 * The Message-ID the notification service gives a mail (services/notification/src/channels.ts,
 * messageIdFor) and the Twilio idempotency token of an SMS: both hash the send's key, which is
 * `bundle:<id>` for a digest and `<command key>|<recipient>|<channel>` otherwise (pipeline.ts).
 * Copied, not imported: the service does not export them, and a drift shows up as every mail missing.
 */
export const sendKey = (d: { idempotencyKey: string; recipientId: string; channel: string; bundleId: string | null }) =>
  d.bundleId ? `bundle:${d.bundleId}` : `${d.idempotencyKey}|${d.recipientId}|${d.channel}`;
export const mailMessageId = (key: string) => `${createHash('sha256').update(key).digest('hex').slice(0, 40)}@notification.tierline`;
export const smsToken = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 40);

/** Every (level, repeat) the policy makes due for a ticket opened at `openedAt`, with its due instant. */
export function expectedEscalations(levels: LevelSpec[], openedAt: number, until: number): { level: number; repeat: number; dueAt: number }[] {
  const out: { level: number; repeat: number; dueAt: number }[] = [];
  for (const l of levels) {
    const repeats = l.repeatEveryMinutes ? l.maxRepeats : 0;
    for (let r = 0; r <= repeats; r++) {
      const dueAt = openedAt + (l.afterMinutes + r * (l.repeatEveryMinutes ?? 0)) * MIN_MS;
      if (dueAt <= until) out.push({ level: l.level, repeat: r, dueAt });
    }
  }
  return out.sort((a, b) => a.dueAt - b.dueAt);
}

/**
 * When an escalation could have fired at the earliest, given the outages: its due instant, moved
 * to the end of every outage that began before it was published and ended after it was due (the
 * killed part was needed to fire it). Returns that instant and the outage that set it.
 */
export function firingReference(dueAt: number, firedAt: number, outages: Outage[]): { refAt: number; outage: Outage | null } {
  let refAt = dueAt;
  let outage: Outage | null = null;
  for (const o of [...outages].filter((x) => ESCALATION_PATH.has(x.component)).sort((a, b) => a.downAt - b.downAt)) {
    if (o.downAt < firedAt && o.upAt > refAt) {
      refAt = o.upAt;
      outage = o;
    }
  }
  return { refAt, outage };
}

const count = <T>(xs: T[]) => {
  const m = new Map<T, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
};
const sample = (xs: string[]) => (xs.length === 0 ? '' : `: ${xs.slice(0, 5).join(', ')}${xs.length > 5 ? ` … (+${xs.length - 5})` : ''}`);

export function check(o: Observed): Report {
  const invariants: Invariant[] = [];
  const inv = (name: string, ok: boolean, detail: string) => invariants.push({ name, ok, detail });

  // ---- tickets ----------------------------------------------------------------------------------
  const ticketById = new Map(o.tickets.map((t) => [t.id, t]));
  const openedIds = new Set(o.opened.map((x) => x.ticketId).filter((x): x is string => x !== null));
  const unanswered = o.opened.filter((x) => x.ticketId === null).map((x) => x.idempotencyKey);
  const lostTickets = [...openedIds].filter((id) => !ticketById.has(id));
  const keyCounts = count(o.tickets.map((t) => t.idempotencyKey).filter((k): k is string => k !== null));
  const duplicateKeys = [...keyCounts].filter(([, n]) => n > 1).map(([k]) => k);
  const workflowById = new Map(o.workflows.map((w) => [w.ticketId, w]));
  const withoutWorkflow = o.tickets.filter((t) => !workflowById.has(t.id)).map((t) => t.id);
  const strangers = o.tickets.filter((t) => !openedIds.has(t.id)).map((t) => t.id);
  inv('every ticket the API accepted is in PostgreSQL', lostTickets.length === 0, `${lostTickets.length} lost${sample(lostTickets)}`);
  inv('every ticket request got its ticket (retried with its Idempotency-Key)', unanswered.length === 0, `${unanswered.length} without a ticket${sample(unanswered)}`);
  inv('no Idempotency-Key made two tickets', duplicateKeys.length === 0, `${duplicateKeys.length} duplicated${sample(duplicateKeys)}`);
  inv('no ticket exists that no request asked for', strangers.length === 0, `${strangers.length} unasked${sample(strangers)}`);
  inv('every ticket has its workflow', withoutWorkflow.length === 0, `${withoutWorkflow.length} without${sample(withoutWorkflow)}`);

  // ---- escalations: expected (policy) vs JetStream vs workflow state vs read model --------------
  const byEvent = new Map<string, { type: string; ticketId: string | null; level: number | null; repeat: number | null; storedAt: number; copies: number }>();
  for (const e of o.streamEvents) {
    const seen = byEvent.get(e.id);
    if (seen) {
      seen.copies += 1;
      seen.storedAt = Math.min(seen.storedAt, e.storedAt);
    } else byEvent.set(e.id, { ...e, copies: 1 });
  }
  const redundantCopies = [...byEvent.values()].reduce((n, e) => n + e.copies - 1, 0);
  const fired = new Map<string, { ids: string[]; storedAt: number }>();
  for (const [id, e] of byEvent) {
    if (!ESCALATION_TYPES.has(e.type) || !e.ticketId || e.level === null || e.repeat === null) continue;
    const k = `${e.ticketId}/${e.level}/${e.repeat}`;
    const f = fired.get(k);
    if (f) {
      f.ids.push(id);
      f.storedAt = Math.min(f.storedAt, e.storedAt);
    } else fired.set(k, { ids: [id], storedAt: e.storedAt });
  }

  let expectedCount = 0;
  const lostEscalations: string[] = [];
  const expectedKeys = new Set<string>();
  const perOutage = o.outages.map((out) => ({ out, due: 0, max: null as number | null }));
  /** When each escalation's notify command key was first published (for the pages held by an outage). */
  const firedAtByKey = new Map<string, number>();
  let maxLateness: number | null = null;
  const tooLate: string[] = [];
  const levelMismatch: string[] = [];
  // A child of the major incident is due what fell due before its link and nothing after
  // (decision 40): what it fired before its ticket.incident_linked event is expected, the rest not.
  const linkedAt = new Map<string, number>();
  for (const e of byEvent.values()) {
    if (e.type === 'ticket.incident_linked' && e.ticketId) linkedAt.set(e.ticketId, Math.min(linkedAt.get(e.ticketId) ?? Infinity, e.storedAt));
  }
  const childIds = new Set(o.incident?.childIds ?? []);
  const firedBeforeLink = (ticketId: string) => {
    const at = linkedAt.get(ticketId) ?? Infinity;
    return [...fired]
      .filter(([k, f]) => k.startsWith(`${ticketId}/`) && f.storedAt < at)
      .map(([k, f]) => {
        const [, level, repeat] = k.split('/');
        return { level: Number(level), repeat: Number(repeat), dueAt: f.storedAt };
      });
  };
  for (const t of o.tickets) {
    const expected = childIds.has(t.id) ? firedBeforeLink(t.id) : expectedEscalations(o.levels[t.priority] ?? [], t.createdAt, o.checkedAt);
    expectedCount += expected.length;
    for (const x of expected) {
      const k = `${t.id}/${x.level}/${x.repeat}`;
      expectedKeys.add(k);
      const f = fired.get(k);
      if (!f) {
        lostEscalations.push(k);
        continue;
      }
      const { refAt, outage } = firingReference(x.dueAt, f.storedAt, o.outages);
      const late = Math.max(0, f.storedAt - refAt);
      maxLateness = Math.max(maxLateness ?? 0, late);
      if (late > LATENESS_LIMIT_MS) tooLate.push(`${k} ${(late / 1000).toFixed(1)} s after ${outage ? `${outage.component} recovered` : 'its deadline'}`);
      for (const p of perOutage) {
        const heldByThis = outage === p.out;
        const dueWhileDown = x.dueAt >= p.out.downAt && x.dueAt <= p.out.upAt;
        if (heldByThis || (!ESCALATION_PATH.has(p.out.component) && dueWhileDown)) {
          p.due += 1;
          p.max = Math.max(p.max ?? 0, late);
        }
      }
    }
    const w = workflowById.get(t.id);
    if (w && (w.escalations.length !== expected.length || t.escalationLevel !== w.escalations.length)) {
      levelMismatch.push(`${t.id}: policy ${expected.length}, workflow ${w.escalations.length}, read model ${t.escalationLevel}`);
    }
  }
  for (const w of o.workflows) {
    for (const e of w.escalations) {
      const f = fired.get(`${w.ticketId}/${e.level}/${e.repeat}`);
      if (f) firedAtByKey.set(e.idempotencyKey, f.storedAt);
    }
  }
  const timeline = new Set(o.timelineEventIds);
  const offTimeline = [...fired.values()].flatMap((f) => f.ids).filter((id) => !timeline.has(id));
  const duplicateEscalations = [...fired].filter(([, f]) => f.ids.length > 1).map(([k]) => k);
  const unexpected = [...fired.keys()].filter((k) => !expectedKeys.has(k));
  inv('no escalation lost (each due one is in JetStream)', lostEscalations.length === 0, `${lostEscalations.length} lost${sample(lostEscalations)}`);
  inv('no escalation fired twice (one event id per ticket, level and repeat)', duplicateEscalations.length === 0, `${duplicateEscalations.length} twice${sample(duplicateEscalations)}`);
  inv('no escalation fired that the policy did not make due', unexpected.length === 0, `${unexpected.length} unexpected${sample(unexpected)}`);
  inv(
    `every escalation fired within ${LATENESS_LIMIT_MS / 1000} s of its deadline or of the recovery that freed it`,
    tooLate.length === 0,
    `${tooLate.length} late${sample(tooLate)}`,
  );
  inv("every escalation is on its ticket's timeline in PostgreSQL", offTimeline.length === 0, `${offTimeline.length} missing${sample(offTimeline)}`);
  inv('workflow state and read model reached the level the policy predicts', levelMismatch.length === 0, `${levelMismatch.length} differ${sample(levelMismatch)}`);

  const notRunning = o.workflows.filter((w) => w.status !== 'RUNNING').map((w) => `${w.ticketId} ${w.status}`);
  inv('every workflow is still running (none failed or was terminated)', notRunning.length === 0, `${notRunning.length} not running${sample(notRunning)}`);

  // ---- notifications ----------------------------------------------------------------------------
  const commandSet = new Set(o.commands);
  const rows = new Map(o.deliveries.map((d) => [`${d.idempotencyKey}|${d.recipientId}|${d.channel}`, d]));
  let expectedPages = 0;
  const missingCommands: string[] = [];
  const missingRows: string[] = [];
  const notSent: string[] = [];
  for (const w of o.workflows) {
    for (const e of w.escalations) {
      const spec = o.levels[ticketById.get(w.ticketId)?.priority ?? '']?.find((l) => l.level === e.level);
      if (!spec) continue;
      if (!commandSet.has(e.idempotencyKey)) missingCommands.push(e.idempotencyKey);
      for (const r of spec.recipients) {
        for (const c of spec.channels) {
          expectedPages += 1;
          const row = rows.get(`${e.idempotencyKey}|${r}|${c}`);
          if (!row) missingRows.push(`${e.idempotencyKey} ${c}`);
          else if (!SENT.has(row.status)) notSent.push(`${e.idempotencyKey} ${c} ${row.status}`);
        }
      }
    }
  }
  const pages = o.deliveries.filter((d) => d.kind === 'page');
  const sentPages = pages.filter((d) => SENT.has(d.status)).length;
  const mailCounts = count(o.mails);
  const smsCounts = count(o.sms.filter((s): s is string => s !== null));
  let duplicates = 0;
  const missingAtProvider: string[] = [];
  const sends = new Map<string, (typeof o.deliveries)[number]>();
  for (const d of o.deliveries) if (SENT.has(d.status)) sends.set(sendKey(d), d);
  for (const [key, d] of sends) {
    const n = d.channel === 'email' ? (mailCounts.get(mailMessageId(key)) ?? 0) : d.channel === 'sms' ? (smsCounts.get(smsToken(key)) ?? 0) : 1;
    if (n === 0) missingAtProvider.push(`${key} ${d.channel}`);
    duplicates += Math.max(0, n - 1);
  }
  // A mail that no delivery row explains was sent without being recorded: a duplicate by another name.
  const knownMail = new Set([...sends].filter(([, d]) => d.channel === 'email').map(([k]) => mailMessageId(k)));
  const strayMail = o.mails.filter((m) => !knownMail.has(m));
  duplicates += strayMail.length;
  const alerts = o.deliveries.filter((d) => d.kind === 'alert').length;
  inv('every escalation reached the notification service', missingCommands.length === 0, `${missingCommands.length} commands missing${sample(missingCommands)}`);
  inv('every expected page has its delivery row', missingRows.length === 0, `${missingRows.length} missing${sample(missingRows)}`);
  inv('every page was sent', notSent.length === 0, `${notSent.length} not sent${sample(notSent)}`);
  inv('the SMTP server and the SMS stand-in received every sent page', missingAtProvider.length === 0, `${missingAtProvider.length} missing${sample(missingAtProvider)}`);
  inv('no duplicate notification (one mail per Message-ID, one SMS per token, no unrecorded mail)', duplicates === 0, `${duplicates} duplicates${sample(strayMail)}`);

  // ---- the major incident (decision 40) --------------------------------------------------------
  if (o.incident) invariants.push(...checkIncident(o, o.incident, byEvent, fired, linkedAt, rows, mailCounts, smsCounts));

  // ---- status updates to requesters ------------------------------------------------------------
  const u = checkUpdates(o, byEvent, mailCounts, smsCounts);
  invariants.push(...u.invariants);

  // ---- audit ------------------------------------------------------------------------------------
  const auditIds = new Set(o.audit.eventIds);
  const missingEvents = [...byEvent.keys()].filter((id) => !auditIds.has(id));
  const extraRows = o.audit.eventIds.filter((id) => !byEvent.has(id));
  const auditDupes = o.audit.eventIds.length - auditIds.size;
  inv(
    'the audit chain verifies over every row',
    o.audit.verify.ok && o.audit.verify.rowsChecked === o.audit.eventIds.length,
    `ok=${o.audit.verify.ok}, ${o.audit.verify.rowsChecked} of ${o.audit.eventIds.length} rows checked${o.audit.verify.reason ? `: ${o.audit.verify.reason}` : ''}`,
  );
  inv('the audit log holds every event in JetStream', missingEvents.length === 0, `${missingEvents.length} missing${sample(missingEvents)}`);
  inv('the audit log holds nothing JetStream does not, and each event once', extraRows.length === 0 && auditDupes === 0, `${extraRows.length} extra, ${auditDupes} twice`);

  const report: Report = {
    tickets: { opened: o.opened.length, present: o.tickets.length, lost: lostTickets.length + unanswered.length, duplicates: duplicateKeys.length, withoutWorkflow: withoutWorkflow.length },
    workflows: { running: o.workflows.length - notRunning.length, notRunning: notRunning.length, levelMismatch: levelMismatch.length },
    escalations: { expected: expectedCount, fired: [...fired.keys()].filter((k) => expectedKeys.has(k)).length, lost: lostEscalations.length, duplicates: duplicateEscalations.length, unexpected: unexpected.length, redundantCopies },
    updates: u.counts,
    notifications: { expected: expectedPages, sent: sentPages, notSent: notSent.length, missingRows: missingRows.length, duplicates, missingAtProvider: missingAtProvider.length, alerts },
    audit: {
      rows: o.audit.eventIds.length,
      verified: o.audit.verify.ok,
      rowsChecked: o.audit.verify.rowsChecked,
      missingEvents: missingEvents.length,
      extraRows: extraRows.length,
      ...(o.audit.verify.reason ? { reason: o.audit.verify.reason } : {}),
    },
    outages: perOutage.map((p) => {
      const base = { component: p.out.component, ...(p.out.busy ? { busy: p.out.busy } : {}), downMs: p.out.upAt - p.out.downAt, onEscalationPath: ESCALATION_PATH.has(p.out.component), escalationsDue: p.due, maxLatenessMs: p.max };
      if (p.out.component !== 'notification') return base;
      const held = pages.filter((d) => {
        const at = firedAtByKey.get(d.idempotencyKey);
        return at !== undefined && at >= p.out.downAt && at <= p.out.upAt;
      });
      const after = held.filter((d) => d.sentAt !== null).map((d) => Math.max(0, d.sentAt! - p.out.upAt));
      return { ...base, pagesHeld: held.length, pagesMaxAfterRecoveryMs: after.length ? Math.max(...after) : null };
    }),
    maxLatenessMs: maxLateness,
    invariants,
    ok: invariants.every((i) => i.ok),
  };
  return report;
}

/**
 * The major incident: each child linked exactly once (its row, its workflow and one
 * ticket.incident_linked event all name the parent); no child escalated on its own after its link
 * event; the parent paged each recipient once per channel for each (level, repeat) it fired.
 */
export function checkIncident(
  o: Observed,
  incident: NonNullable<Observed['incident']>,
  byEvent: Map<string, { type: string; ticketId: string | null; storedAt: number }>,
  fired: Map<string, { ids: string[]; storedAt: number }>,
  linkedAt: Map<string, number>,
  rows: Map<string, Observed['deliveries'][number]>,
  mailCounts: Map<string, number>,
  smsCounts: Map<string, number>,
): Invariant[] {
  const invariants: Invariant[] = [];
  const inv = (name: string, ok: boolean, detail: string) => invariants.push({ name, ok, detail });
  const { parentTicketId: parent, childIds } = incident;
  const ticketById = new Map(o.tickets.map((t) => [t.id, t]));
  const workflowById = new Map(o.workflows.map((w) => [w.ticketId, w]));
  const linkEvents = count([...byEvent.values()].filter((e) => e.type === 'ticket.incident_linked' && e.ticketId).map((e) => e.ticketId!));
  const notOnce: string[] = [];
  for (const id of childIds) {
    const row = ticketById.get(id)?.incidentParentId ?? null;
    const wf = workflowById.get(id)?.incidentParentId ?? null;
    const n = linkEvents.get(id) ?? 0;
    if (row !== parent || wf !== parent || n !== 1) notOnce.push(`${id}: read model ${row === parent ? 'ok' : row}, workflow ${wf === parent ? 'ok' : wf}, ${n} link events`);
  }
  const strays = [...linkEvents.keys()].filter((id) => !childIds.includes(id));
  inv(
    `every child of the major incident linked exactly once (read model, workflow, events): ${childIds.length} children`,
    notOnce.length === 0 && strays.length === 0 && childIds.length > 0,
    `${notOnce.length} not once, ${strays.length} linked that were not asked${sample([...notOnce, ...strays])}`,
  );

  const afterLink: string[] = [];
  let beforeLink = 0;
  for (const id of childIds) {
    const at = linkedAt.get(id) ?? Infinity;
    for (const [k, f] of fired) {
      if (!k.startsWith(`${id}/`)) continue;
      if (f.storedAt < at) beforeLink += 1;
      else afterLink.push(`${k} ${((f.storedAt - at) / 1000).toFixed(1)} s after its link`);
    }
  }
  inv('no child escalated or paged on its own after its link event', afterLink.length === 0, `${afterLink.length} after the link (${beforeLink} before it, allowed)${sample(afterLink)}`);

  const spec = o.levels[ticketById.get(parent)?.priority ?? ''] ?? [];
  const parentWf = workflowById.get(parent);
  const notOncePaged: string[] = [];
  let parentPages = 0;
  for (const e of parentWf?.escalations ?? []) {
    const level = spec.find((l) => l.level === e.level);
    if (!fired.has(`${parent}/${e.level}/${e.repeat}`) || (fired.get(`${parent}/${e.level}/${e.repeat}`)?.ids.length ?? 0) !== 1) notOncePaged.push(`${e.idempotencyKey}: fired ${fired.get(`${parent}/${e.level}/${e.repeat}`)?.ids.length ?? 0} times`);
    for (const r of level?.recipients ?? []) {
      for (const c of level?.channels ?? []) {
        const d = rows.get(`${e.idempotencyKey}|${r}|${c}`);
        const n = !d || !SENT.has(d.status) ? 0 : c === 'email' ? (mailCounts.get(mailMessageId(sendKey(d))) ?? 0) : c === 'sms' ? (smsCounts.get(smsToken(sendKey(d))) ?? 0) : 1;
        parentPages += n;
        if (n !== 1) notOncePaged.push(`${e.idempotencyKey} ${r} ${c} ×${n}`);
      }
    }
  }
  inv(
    "the major incident's levels paged once per person, channel and level",
    notOncePaged.length === 0 && (parentWf?.escalations.length ?? 0) > 0,
    `${parentWf?.escalations.length ?? 0} levels fired, ${parentPages} pages at the providers; ${notOncePaged.length} not once${sample(notOncePaged)}`,
  );
  return invariants;
}

/**
 * The requester updates: every event a requester is told of (by someone else, on a followed
 * ticket) joined a burst for her; every burst ended in a sent or failed delivery; every sent one
 * is at the provider exactly once; no word of an internal note is in anything she received.
 */
export function checkUpdates(
  o: Observed,
  byEvent: Map<string, { type: string; ticketId: string | null; visibility?: string | null; actorId?: string | null }>,
  mailCounts: Map<string, number>,
  smsCounts: Map<string, number>,
): { invariants: Invariant[]; counts: Report['updates'] } {
  const invariants: Invariant[] = [];
  const inv = (name: string, ok: boolean, detail: string) => invariants.push({ name, ok, detail });
  const { followed, bursts, changes, messages, internalWords } = o.updates;
  const requesterOf = new Map(followed.map((f) => [f.ticketId, f.requesterId]));
  const joined = new Set(changes.map((c) => `${c.eventId}|${c.recipientId}`));
  let events = 0;
  const notJoined: string[] = [];
  for (const [id, e] of byEvent) {
    const requester = e.ticketId ? requesterOf.get(e.ticketId) : undefined;
    if (!requester || !UPDATE_TYPES.has(e.type)) continue;
    if (e.type === 'ticket.commented' && e.visibility !== 'public') continue;
    if (e.actorId === requester) continue;
    events += 1;
    if (!joined.has(`${id}|${requester}`)) notJoined.push(`${e.type} ${id}`);
  }
  const rowsByKey = new Map<string, (typeof o.deliveries)[number][]>();
  for (const d of o.deliveries.filter((x) => x.kind === 'update')) rowsByKey.set(d.idempotencyKey, [...(rowsByKey.get(d.idempotencyKey) ?? []), d]);
  const unfinished: string[] = [];
  for (const b of bursts) {
    const rows = (rowsByKey.get(updateKey(b.id)) ?? []).filter((d) => d.recipientId === b.recipientId);
    const ended = rows.length > 0 && rows.every((d) => SENT.has(d.status) || d.status === 'failed');
    if (!['dispatched', 'failed'].includes(b.state) || (b.state === 'dispatched' && !ended)) {
      unfinished.push(`${b.id} ${b.state}, deliveries ${rows.map((d) => `${d.channel}:${d.status}`).join(' ') || 'none'}`);
    }
  }
  const updateRows = o.deliveries.filter((d) => d.kind === 'update');
  const sentRows = updateRows.filter((d) => SENT.has(d.status));
  const notOnce: string[] = [];
  let duplicates = 0;
  for (const d of sentRows) {
    const key = sendKey(d);
    const n = d.channel === 'email' ? (mailCounts.get(mailMessageId(key)) ?? 0) : d.channel === 'sms' ? (smsCounts.get(smsToken(key)) ?? 0) : 1;
    if (n !== 1) notOnce.push(`${key} ${d.channel} ×${n}`);
    duplicates += Math.max(0, n - 1);
  }
  const leaks = messages.filter((m) => internalWords.some((w) => m.text.includes(w)));
  inv('every requester update joined a burst for the requester', notJoined.length === 0, `${notJoined.length} of ${events} not${sample(notJoined)}`);
  inv('every update burst ended in a sent or failed delivery', unfinished.length === 0, `${unfinished.length} of ${bursts.length} did not${sample(unfinished)}`);
  inv('every sent update is at the SMTP server or the SMS stand-in exactly once', notOnce.length === 0, `${notOnce.length} of ${sentRows.length} not once${sample(notOnce)}`);
  inv(
    'no internal-note words in any update',
    leaks.length === 0 && internalWords.length > 0 && (sentRows.length === 0 || messages.length > 0),
    `${leaks.length} of ${messages.length} messages read carry them (${internalWords.length} words looked for)${sample(leaks.map((m) => `${m.channel}: ${m.text.slice(0, 60)}`))}`,
  );
  return {
    invariants,
    counts: {
      events,
      bursts: bursts.length,
      sent: sentRows.length,
      failed: updateRows.filter((d) => d.status === 'failed').length,
      lost: notJoined.length + unfinished.length,
      duplicates,
      messagesRead: messages.length,
      leaks: leaks.length,
    },
  };
}

const s = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);

/** The report as Markdown: counts first, then each invariant with its verdict. */
export function renderMarkdown(r: Report, meta: { startedAt: string; finishedAt: string; machine: string }): string {
  const lines = [
    '# Chaos run',
    '',
    `${meta.startedAt} → ${meta.finishedAt} on ${meta.machine}. Verdict: **${r.ok ? 'PASS' : 'FAIL'}**.`,
    '',
    '| what | count |',
    '|---|---|',
    `| tickets opened / present / lost / duplicated | ${r.tickets.opened} / ${r.tickets.present} / ${r.tickets.lost} / ${r.tickets.duplicates} |`,
    `| workflows running / not running / level differs | ${r.workflows.running} / ${r.workflows.notRunning} / ${r.workflows.levelMismatch} |`,
    `| escalations expected / fired / lost / fired twice / unexpected | ${r.escalations.expected} / ${r.escalations.fired} / ${r.escalations.lost} / ${r.escalations.duplicates} / ${r.escalations.unexpected} |`,
    `| JetStream copies of an event beyond the first (deduplicated by id) | ${r.escalations.redundantCopies} |`,
    `| notifications expected / sent / not sent / no row / duplicates / not at provider | ${r.notifications.expected} / ${r.notifications.sent} / ${r.notifications.notSent} / ${r.notifications.missingRows} / ${r.notifications.duplicates} / ${r.notifications.missingAtProvider} |`,
    `| failure alerts sent | ${r.notifications.alerts} |`,
    `| requester updates: events / bursts / sent / failed / lost / duplicates | ${r.updates.events} / ${r.updates.bursts} / ${r.updates.sent} / ${r.updates.failed} / ${r.updates.lost} / ${r.updates.duplicates} |`,
    `| requester messages read / carrying internal-note words | ${r.updates.messagesRead} / ${r.updates.leaks} |`,
    `| audit rows / checked / verifies / events missing / extra rows | ${r.audit.rows} / ${r.audit.rowsChecked} / ${r.audit.verified ? 'yes' : 'NO'} / ${r.audit.missingEvents} / ${r.audit.extraRows} |`,
    `| max escalation lateness (after deadline or recovery) | ${s(r.maxLatenessMs)} |`,
    '',
    '| killed (SIGKILL) | while | down for | escalations due while down | latest of them | measured from |',
    '|---|---|---|---|---|---|',
    ...r.outages.map(
      (l) =>
        `| ${l.component} | ${l.busy ?? ''} | ${s(l.downMs)} | ${l.escalationsDue} | ${s(l.maxLatenessMs)} | ${l.onEscalationPath ? 'its recovery' : 'their deadlines'} |`,
    ),
    ...r.outages
      .filter((l) => l.pagesHeld !== undefined)
      .map((l) => `\n${l.pagesHeld} pages were due from escalations fired while the notification service was down; the last of them was sent ${s(l.pagesMaxAfterRecoveryMs ?? null)} after its recovery.`),
    '',
    '| invariant | | |',
    '|---|---|---|',
    ...r.invariants.map((i) => `| ${i.name} | ${i.ok ? 'ok' : '**FAIL**'} | ${i.detail.replace(/\|/g, '\\|')} |`),
    '',
  ];
  return lines.join('\n');
}
