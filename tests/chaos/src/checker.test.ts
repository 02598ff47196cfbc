import { describe, expect, it } from 'vitest';
import { check, expectedEscalations, firingReference, mailMessageId, MIN_MS, sendKey, smsToken, type LevelSpec, type Observed } from './checker.js';

const T0 = Date.parse('2026-11-27T10:00:00Z');
const LEAD = 'user-lead';
const VENDOR = 'user-vendor';
const LEVELS: LevelSpec[] = [
  { level: 0, afterMinutes: 1, repeatEveryMinutes: 1, maxRepeats: 2, recipients: [LEAD], channels: ['email', 'sms'] },
  { level: 1, afterMinutes: 2, repeatEveryMinutes: null, maxRepeats: 0, recipients: [VENDOR], channels: ['email'] },
];

/** A consistent world: two tickets, every escalation fired on time, paged once, audited. */
function world(): Observed {
  const o: Observed = {
    checkedAt: T0 + 10 * MIN_MS,
    levels: { P1: LEVELS },
    outages: [],
    opened: [],
    tickets: [],
    timelineEventIds: [],
    workflows: [],
    streamEvents: [],
    audit: { eventIds: [], verify: { ok: true, rowsChecked: 0 } },
    commands: [],
    deliveries: [],
    mails: [],
    sms: [],
    updates: { followed: [], bursts: [], changes: [], messages: [], internalWords: ['chaosinternalword'] },
  };
  for (const [n, id] of ['t1', 't2'].entries()) {
    const createdAt = T0 + n * 1000;
    o.opened.push({ idempotencyKey: `key-${id}`, ticketId: id });
    const created = { id: `${id}-created`, type: 'ticket.created', ticketId: id, level: null, repeat: null, storedAt: createdAt + 50 };
    o.streamEvents.push(created);
    const escalations = expectedEscalations(LEVELS, createdAt, o.checkedAt).map((x, i) => ({ ...x, idempotencyKey: `${id}:escalation:${i}` }));
    o.tickets.push({ id, idempotencyKey: `key-${id}`, createdAt, escalationLevel: escalations.length, status: 'waiting_on_vendor', priority: 'P1' });
    o.workflows.push({ ticketId: id, status: 'RUNNING', escalations });
    for (const e of escalations) {
      o.streamEvents.push({ id: `${e.idempotencyKey}-event`, type: e.repeat === 0 ? 'ticket.escalated' : 'ticket.escalation_repeated', ticketId: id, level: e.level, repeat: e.repeat, storedAt: e.dueAt + 200 });
      o.timelineEventIds.push(`${e.idempotencyKey}-event`);
      o.commands.push(e.idempotencyKey);
      const spec = LEVELS[e.level]!;
      for (const r of spec.recipients) {
        for (const c of spec.channels) {
          const d = { idempotencyKey: e.idempotencyKey, recipientId: r, channel: c, status: 'sent', kind: 'page', bundleId: null, sentAt: e.dueAt + 1_000 };
          o.deliveries.push(d);
          if (c === 'email') o.mails.push(mailMessageId(sendKey(d)));
          else o.sms.push(smsToken(sendKey(d)));
        }
      }
    }
  }
  o.audit.eventIds = o.streamEvents.map((e) => e.id);
  o.audit.verify.rowsChecked = o.audit.eventIds.length;
  return o;
}

const NURSE = 'user-nurse';

/**
 * The consistent world plus a ticket the nurse follows: IT picks it up, notes something internal,
 * replies in public and resolves it; she replies herself. Two bursts, each sent by email and SMS.
 */
function withUpdates(): Observed {
  const o = world();
  const at = T0 + 2 * MIN_MS;
  const ev = (id: string, type: string, extra: { visibility?: string; actorId?: string } = {}) =>
    o.streamEvents.push({ id, type, ticketId: 'u1', level: null, repeat: null, storedAt: at, visibility: extra.visibility ?? null, actorId: extra.actorId ?? LEAD });
  ev('u1-ack', 'ticket.acknowledged');
  ev('u1-note', 'ticket.commented', { visibility: 'internal' });
  ev('u1-reply', 'ticket.commented', { visibility: 'public' });
  ev('u1-own', 'ticket.commented', { visibility: 'public', actorId: NURSE });
  ev('u1-resolved', 'ticket.resolved');
  o.updates.followed.push({ ticketId: 'u1', requesterId: NURSE });
  for (const [burst, events] of [['b1', ['u1-ack', 'u1-reply']], ['b2', ['u1-resolved']]] as const) {
    o.updates.bursts.push({ id: burst, ticketId: 'u1', recipientId: NURSE, state: 'dispatched' });
    for (const eventId of events) o.updates.changes.push({ eventId, recipientId: NURSE, burstId: burst });
    for (const channel of ['email', 'sms']) {
      const d = { idempotencyKey: `update:${burst}`, recipientId: NURSE, channel, status: 'sent', kind: 'update', bundleId: null, sentAt: at + MIN_MS };
      o.deliveries.push(d);
      if (channel === 'email') o.mails.push(mailMessageId(sendKey(d)));
      else o.sms.push(smsToken(sendKey(d)));
      o.updates.messages.push({ channel, text: `Ticket IT-1 was updated (${burst}): we are looking at it.` });
    }
  }
  o.audit.eventIds = o.streamEvents.map((e) => e.id);
  o.audit.verify.rowsChecked = o.audit.eventIds.length;
  return o;
}

const failed = (o: Observed) => check(o).invariants.filter((i) => !i.ok).map((i) => i.name);

describe('expectedEscalations', () => {
  it('lists each level and its repeats at their due instants, up to the given time', () => {
    expect(expectedEscalations(LEVELS, T0, T0 + 2 * MIN_MS)).toEqual([
      { level: 0, repeat: 0, dueAt: T0 + MIN_MS },
      { level: 0, repeat: 1, dueAt: T0 + 2 * MIN_MS },
      { level: 1, repeat: 0, dueAt: T0 + 2 * MIN_MS },
    ]);
  });
});

describe('firingReference', () => {
  const outage = { component: 'nats', downAt: T0, upAt: T0 + 30_000 };
  it('moves a deadline that fell inside an outage to the recovery', () => {
    expect(firingReference(T0 + 10_000, T0 + 40_000, [outage])).toEqual({ refAt: T0 + 30_000, outage });
  });
  it('moves a deadline that passed before the outage, when the escalation was still unpublished at the kill', () => {
    expect(firingReference(T0 - 5_000, T0 + 35_000, [outage]).refAt).toBe(T0 + 30_000);
  });
  it('leaves alone an escalation published before the kill or due after the recovery', () => {
    expect(firingReference(T0 - 5_000, T0 - 4_000, [outage])).toEqual({ refAt: T0 - 5_000, outage: null });
    expect(firingReference(T0 + 60_000, T0 + 60_100, [outage])).toEqual({ refAt: T0 + 60_000, outage: null });
  });
});

describe('check', () => {
  it('passes a consistent world and counts it', () => {
    const r = check(world());
    expect(r.invariants.filter((i) => !i.ok), JSON.stringify(r.invariants)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.tickets).toEqual({ opened: 2, present: 2, lost: 0, duplicates: 0, withoutWorkflow: 0 });
    expect(r.escalations).toMatchObject({ expected: 8, fired: 8, lost: 0, duplicates: 0 });
    // Per ticket: 3 tier-2 pages × 2 channels + 1 vendor page × 1 channel.
    expect(r.notifications).toMatchObject({ expected: 14, sent: 14, duplicates: 0, missingAtProvider: 0 });
    // Two ticket.created and eight escalations.
    expect(r.audit).toMatchObject({ rows: 10, verified: true, missingEvents: 0 });
  });

  it("predicts each ticket's escalations from its own priority's rule", () => {
    const o = world();
    // t2 as a P2, whose rule has only the vendor level: its tier-2 pages were not expected.
    o.levels.P2 = [LEVELS[1]!];
    o.tickets[1]!.priority = 'P2';
    const r = check(o);
    expect(r.escalations).toMatchObject({ expected: 5, unexpected: 3 });
    expect(failed(o)).toContain('no escalation fired that the policy did not make due');
  });

  it('finds a ticket the API accepted that is not in PostgreSQL, and a request that never got one', () => {
    const o = world();
    o.tickets = o.tickets.filter((t) => t.id !== 't2');
    o.opened.push({ idempotencyKey: 'key-t3', ticketId: null });
    const r = check(o);
    expect(r.tickets.lost).toBe(2);
    expect(failed(o)).toEqual(expect.arrayContaining(['every ticket the API accepted is in PostgreSQL', 'every ticket request got its ticket (retried with its Idempotency-Key)']));
  });

  it('finds two tickets made from one Idempotency-Key, one nobody asked for, and a ticket without a workflow', () => {
    const o = world();
    o.tickets.push({ id: 't3', idempotencyKey: 'key-t1', createdAt: T0 + 9 * MIN_MS + 30_000, escalationLevel: 0, status: 'new', priority: 'P1' });
    expect(failed(o)).toEqual(['no Idempotency-Key made two tickets', 'no ticket exists that no request asked for', 'every ticket has its workflow']);
  });

  it("finds an escalation missing from its ticket's timeline", () => {
    const o = world();
    o.timelineEventIds.pop();
    expect(failed(o)).toEqual(["every escalation is on its ticket's timeline in PostgreSQL"]);
  });

  it('finds an escalation missing from JetStream', () => {
    const o = world();
    o.streamEvents = o.streamEvents.filter((e) => e.id !== 't1:escalation:1-event');
    o.audit.eventIds = o.streamEvents.map((e) => e.id);
    o.audit.verify.rowsChecked = o.audit.eventIds.length;
    const r = check(o);
    expect(r.escalations.lost).toBe(1);
    expect(failed(o)).toEqual(['no escalation lost (each due one is in JetStream)']);
  });

  it('tells a second escalation (new event id) from a redelivered copy of the same event', () => {
    const copy = world();
    copy.streamEvents.push({ ...copy.streamEvents[1]! });
    expect(check(copy).escalations.redundantCopies).toBe(1);
    expect(failed(copy)).toEqual([]);

    const twice = world();
    twice.streamEvents.push({ ...twice.streamEvents[1]!, id: 'another-id' });
    twice.audit.eventIds.push('another-id');
    twice.audit.verify.rowsChecked += 1;
    twice.timelineEventIds.push('another-id');
    expect(check(twice).escalations.duplicates).toBe(1);
    expect(failed(twice)).toEqual(['no escalation fired twice (one event id per ticket, level and repeat)']);
  });

  it('judges lateness from the recovery that held an escalation up, and fails past 60 s', () => {
    const o = world();
    const e = o.streamEvents.find((x) => x.id === 't1:escalation:0-event')!;
    const due = T0 + MIN_MS;
    // Down across t1's and t2's first deadline (one second apart): both were held up by it.
    o.outages = [{ component: 'postgres', downAt: due - 5_000, upAt: due + 40_000 }];
    e.storedAt = due + 40_000 + 20_000;
    let r = check(o);
    expect(r.outages).toEqual([{ component: 'postgres', downMs: 45_000, onEscalationPath: true, escalationsDue: 2, maxLatenessMs: 20_000 }]);
    expect(r.ok).toBe(true);
    e.storedAt = due + 40_000 + 61_000;
    r = check(o);
    expect(r.maxLatenessMs).toBe(61_000);
    expect(failed(o)).toEqual(['every escalation fired within 60 s of its deadline or of the recovery that freed it']);
  });

  it('measures escalations due while a part off the escalation path was down from their own deadlines', () => {
    const o = world();
    const due = T0 + MIN_MS;
    o.outages = [{ component: 'audit', downAt: due - 5_000, upAt: due + 40_000 }];
    o.streamEvents.find((x) => x.id === 't1:escalation:0-event')!.storedAt = due + 30_000;
    expect(check(o).outages).toEqual([{ component: 'audit', downMs: 45_000, onEscalationPath: false, escalationsDue: 2, maxLatenessMs: 30_000 }]);
    // 61 s after its deadline, though only 21 s after the audit service came back: too late.
    o.streamEvents.find((x) => x.id === 't1:escalation:0-event')!.storedAt = due + 61_000;
    expect(failed(o)).toEqual(['every escalation fired within 60 s of its deadline or of the recovery that freed it']);
  });

  it('reports how long after its recovery the notification service sent the pages it missed', () => {
    const o = world();
    const due = T0 + MIN_MS;
    const upAt = due + 40_000;
    o.outages = [{ component: 'notification', downAt: due - 5_000, upAt }];
    for (const d of o.deliveries.filter((x) => x.idempotencyKey.endsWith(':escalation:0'))) d.sentAt = upAt + 7_000;
    // t1's and t2's first escalation, each paged to the lead by email and SMS.
    expect(check(o).outages[0]).toMatchObject({ component: 'notification', onEscalationPath: false, pagesHeld: 4, pagesMaxAfterRecoveryMs: 7_000 });
  });

  it('fails an escalation more than 60 s late with no outage to explain it', () => {
    const o = world();
    o.streamEvents.find((x) => x.id === 't2:escalation:2-event')!.storedAt += 70_000;
    expect(failed(o)).toEqual(['every escalation fired within 60 s of its deadline or of the recovery that freed it']);
  });

  it('finds a workflow behind the policy, and one that is no longer running', () => {
    const o = world();
    o.workflows[0]!.status = 'FAILED';
    o.tickets[1]!.escalationLevel = 2;
    expect(failed(o)).toEqual(['workflow state and read model reached the level the policy predicts', 'every workflow is still running (none failed or was terminated)']);
  });

  it('finds a command that never reached the notification service and a page never sent', () => {
    const o = world();
    o.commands = o.commands.filter((c) => c !== 't1:escalation:0');
    const vendorPage = o.deliveries.find((d) => d.idempotencyKey === 't2:escalation:3')!;
    vendorPage.status = 'failed';
    o.mails = o.mails.filter((m) => m !== mailMessageId(sendKey(vendorPage)));
    const r = check(o);
    expect(r.notifications.notSent).toBe(1);
    expect(failed(o)).toEqual(['every escalation reached the notification service', 'every page was sent']);
  });

  it('counts a mail received twice, and a mail no delivery explains, as duplicates', () => {
    const o = world();
    o.mails.push(o.mails[0]!, mailMessageId('nobody|knows|email'));
    expect(check(o).notifications.duplicates).toBe(2);
    expect(failed(o)).toEqual(['no duplicate notification (one mail per Message-ID, one SMS per token, no unrecorded mail)']);
  });

  it('finds a page marked sent that never reached the SMS stand-in', () => {
    const o = world();
    o.sms.pop();
    expect(failed(o)).toEqual(['the SMTP server and the SMS stand-in received every sent page']);
  });

  it('matches a digest by its bundle key', () => {
    const o = world();
    const rows = o.deliveries.filter((d) => d.channel === 'email' && d.recipientId === LEAD);
    o.mails = o.mails.filter((m) => !rows.some((d) => mailMessageId(sendKey(d)) === m));
    for (const d of rows) d.bundleId = 'b1';
    o.mails.push(mailMessageId('bundle:b1'));
    expect(failed(o)).toEqual([]);
  });

  it('fails an audit chain that does not verify, misses an event or holds one twice', () => {
    const broken = world();
    broken.audit.verify = { ok: false, rowsChecked: 3, reason: 'hash mismatch' };
    expect(failed(broken)).toEqual(['the audit chain verifies over every row']);

    const missing = world();
    missing.audit.eventIds.pop();
    missing.audit.verify.rowsChecked -= 1;
    expect(failed(missing)).toEqual(['the audit log holds every event in JetStream']);

    const twice = world();
    twice.audit.eventIds.push(twice.audit.eventIds[0]!);
    twice.audit.verify.rowsChecked += 1;
    expect(failed(twice)).toEqual(['the audit log holds nothing JetStream does not, and each event once']);
  });
});

describe('check: requester updates', () => {
  const JOINED = 'every requester update joined a burst for the requester';
  const ENDED = 'every update burst ended in a sent or failed delivery';
  const ONCE = 'every sent update is at the SMTP server or the SMS stand-in exactly once';
  const CLEAN = 'no internal-note words in any update';

  it('passes updates that all joined a burst, were sent once and carry no internal words, and counts them', () => {
    const r = check(withUpdates());
    expect(r.invariants.filter((i) => !i.ok), JSON.stringify(r.invariants)).toEqual([]);
    // The internal note and the nurse's own reply are no updates for her.
    expect(r.updates).toEqual({ events: 3, bursts: 2, sent: 4, failed: 0, lost: 0, duplicates: 0, messagesRead: 4, leaks: 0 });
  });

  it('finds an update event that joined no burst, but expects none for an internal note or her own reply', () => {
    const o = withUpdates();
    o.updates.changes = o.updates.changes.filter((c) => c.eventId !== 'u1-reply');
    expect(failed(o)).toEqual([JOINED]);
    expect(check(o).invariants.find((i) => i.name === JOINED)!.detail).toContain('u1-reply');
    expect(check(o).updates.lost).toBe(1);
  });

  it('finds a burst left pending, one without deliveries and one whose delivery is still queued; accepts one that failed loudly', () => {
    const o = withUpdates();
    o.updates.bursts.push({ id: 'b3', ticketId: 'u1', recipientId: NURSE, state: 'closed' }, { id: 'b4', ticketId: 'u1', recipientId: NURSE, state: 'dispatched' });
    o.deliveries.find((d) => d.idempotencyKey === 'update:b2' && d.channel === 'sms')!.status = 'queued';
    const r = check(o);
    expect(failed(o)).toEqual([ENDED]);
    expect(r.invariants.find((i) => i.name === ENDED)!.detail).toMatch(/^3 of 4 did not/);

    const loud = withUpdates();
    loud.deliveries.find((d) => d.idempotencyKey === 'update:b2' && d.channel === 'sms')!.status = 'failed';
    loud.sms.pop();
    expect(failed(loud)).toEqual([]);
    expect(check(loud).updates.failed).toBe(1);
  });

  it('finds an update mail received twice and an update SMS never received', () => {
    const o = withUpdates();
    const mail = o.mails.at(-1)!;
    o.mails.push(mail);
    o.sms.pop();
    expect(failed(o)).toContain(ONCE);
    const r = check(o);
    expect(r.updates.duplicates).toBe(1);
    expect(r.invariants.find((i) => i.name === ONCE)!.detail).toMatch(/^2 of 4 not once/);
  });

  it('finds an internal-note word in an SMS, and refuses to vouch for updates whose messages were not read', () => {
    const o = withUpdates();
    o.updates.messages[1]!.text += ' chaosinternalword';
    expect(failed(o)).toEqual([CLEAN]);
    expect(check(o).updates.leaks).toBe(1);

    const unread = withUpdates();
    unread.updates.messages = [];
    expect(failed(unread)).toEqual([CLEAN]);
  });
});

/**
 * The consistent world with t1 as a major incident (decision 40): c1 linked 30 s after it opened,
 * before anything fell due, silent since; c2 linked late, after its first page, which it may keep.
 */
function withIncident(): Observed {
  const o = world();
  o.incident = { parentTicketId: 't1', childIds: ['c1', 'c2'] };
  for (const id of ['c1', 'c2']) {
    const createdAt = T0 + 2_000;
    const linkAt = id === 'c1' ? T0 + 30_000 : T0 + MIN_MS + 10_000;
    o.opened.push({ idempotencyKey: `key-${id}`, ticketId: id });
    o.streamEvents.push({ id: `${id}-created`, type: 'ticket.created', ticketId: id, level: null, repeat: null, storedAt: createdAt + 50 });
    o.streamEvents.push({ id: `${id}-linked`, type: 'ticket.incident_linked', ticketId: id, level: null, repeat: null, storedAt: linkAt });
    const escalations = id === 'c2' ? [{ level: 0, repeat: 0, idempotencyKey: `${id}:escalation:0` }] : [];
    for (const e of escalations) {
      o.streamEvents.push({ id: `${e.idempotencyKey}-event`, type: 'ticket.escalated', ticketId: id, level: 0, repeat: 0, storedAt: createdAt + MIN_MS + 200 });
      o.timelineEventIds.push(`${e.idempotencyKey}-event`);
      o.commands.push(e.idempotencyKey);
      for (const c of LEVELS[0]!.channels) {
        const d = { idempotencyKey: e.idempotencyKey, recipientId: LEAD, channel: c, status: 'sent', kind: 'page', bundleId: null, sentAt: createdAt + MIN_MS + 1_000 };
        o.deliveries.push(d);
        if (c === 'email') o.mails.push(mailMessageId(sendKey(d)));
        else o.sms.push(smsToken(sendKey(d)));
      }
    }
    o.tickets.push({ id, idempotencyKey: `key-${id}`, createdAt, escalationLevel: escalations.length, status: 'new', priority: 'P1', incidentParentId: 't1' });
    o.workflows.push({ ticketId: id, status: 'RUNNING', escalations, incidentParentId: 't1' });
  }
  o.audit.eventIds = o.streamEvents.map((e) => e.id);
  o.audit.verify.rowsChecked = o.audit.eventIds.length;
  return o;
}

describe('check, with a major incident and its children', () => {
  const ONCE_LINKED = 'every child of the major incident linked exactly once (read model, workflow, events): 2 children';
  const QUIET = 'no child escalated or paged on its own after its link event';
  const PARENT_ONCE = "the major incident's levels paged once per person, channel and level";

  it('passes: children expect only what fired before their link, and the parent paged once per person and level', () => {
    const o = withIncident();
    expect(failed(o)).toEqual([]);
    const r = check(o);
    expect(r.invariants.find((i) => i.name === QUIET)!.detail).toMatch(/^0 after the link \(1 before it, allowed\)/);
    expect(r.invariants.find((i) => i.name === PARENT_ONCE)!.detail).toMatch(/^4 levels fired, 7 pages at the providers/);
  });

  it('finds a child linked twice, one whose row lost its parent, and one its workflow does not know', () => {
    const twice = withIncident();
    twice.streamEvents.push({ id: 'c1-linked-again', type: 'ticket.incident_linked', ticketId: 'c1', level: null, repeat: null, storedAt: T0 + 40_000 });
    twice.audit.eventIds.push('c1-linked-again');
    twice.audit.verify.rowsChecked += 1;
    expect(failed(twice)).toEqual([ONCE_LINKED]);
    const row = withIncident();
    row.tickets.find((t) => t.id === 'c2')!.incidentParentId = null;
    expect(failed(row)).toEqual([ONCE_LINKED]);
    const wf = withIncident();
    wf.workflows.find((w) => w.ticketId === 'c1')!.incidentParentId = null;
    expect(check(wf).invariants.find((i) => i.name === ONCE_LINKED)!.detail).toMatch(/c1: read model ok, workflow null, 1 link events/);
  });

  it('finds a child that escalated after its link', () => {
    const o = withIncident();
    o.streamEvents.push({ id: 'c1-late', type: 'ticket.escalated', ticketId: 'c1', level: 0, repeat: 0, storedAt: T0 + MIN_MS + 2_200 });
    o.audit.eventIds.push('c1-late');
    o.audit.verify.rowsChecked += 1;
    o.timelineEventIds.push('c1-late');
    expect(failed(o)).toContain(QUIET);
    expect(failed(o)).toContain('no escalation fired that the policy did not make due');
  });

  it('finds a parent page sent twice', () => {
    const o = withIncident();
    const mail = o.mails.find((m) => o.deliveries.some((d) => d.idempotencyKey.startsWith('t1:') && d.channel === 'email' && mailMessageId(sendKey(d)) === m))!;
    o.mails.push(mail);
    expect(failed(o)).toContain(PARENT_ONCE);
  });
});
