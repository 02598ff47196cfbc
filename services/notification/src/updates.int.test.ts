/**
 * Issue #13: status updates to the requester and watchers, on real components: ticket events on
 * a JetStream stream of this file, the notification database, the identity service's directory
 * (synced from the real Keycloak), Mailpit (real SMTP) and the SMS stand-in.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { DEMO_CONTACTS } from '@tierline/testing';
import { escalationCommand, eventually, insertTicket, realCollaborators, mailpitBody, mailpitSearch, notificationTest, type Notification } from './test/harness.js';

const test = notificationTest('updates');

const NORA = 'nora.nurse@clinic.tierline.test';
const SAM = 'sam.staff@clinic.tierline.test';
const ALEX = 'alex.agent@it.tierline.test';
const QUESTION_ID = randomUUID();

interface People {
  nora: string;
  sam: string;
  alex: string;
}

async function people(svc: Notification): Promise<People> {
  await svc.directory.setContacts('nora.nurse', { email: NORA });
  await svc.directory.setContacts('sam.staff', { email: SAM, mobile: '+15550100077' });
  return { nora: await svc.directory.userId('nora.nurse'), sam: await svc.directory.userId('sam.staff'), alex: await svc.directory.userId('alex.agent') };
}

/** A ticket nora reported, which sam and alex watch. */
async function reported(svc: Notification, p: People) {
  const ticket = { id: randomUUID(), number: `IT-U${Math.floor(Math.random() * 1e8)}` };
  const byNora = { kind: 'user' as const, id: p.nora, role: 'clinic_staff' as const };
  await svc.publishTicketEvent({ type: 'ticket.created', ticketId: ticket.id, actor: byNora, data: { number: ticket.number, requesterId: p.nora, status: 'new', siteId: 'north' } });
  await svc.publishTicketEvent({ type: 'ticket.watcher_added', ticketId: ticket.id, actor: byNora, data: { number: ticket.number, watcherId: p.sam } });
  await svc.publishTicketEvent({ type: 'ticket.watcher_added', ticketId: ticket.id, actor: byNora, data: { number: ticket.number, watcherId: p.alex } });
  return ticket;
}

const byAlex = (p: People) => ({ kind: 'user' as const, id: p.alex, role: 'it_agent' as const });
const mailsTo = (to: string, number: string) => mailpitSearch(`to:${to} subject:"${number}"`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Until the event has been taken into account by the consumer. */
const seen = (svc: Notification, eventId: string) =>
  eventually(`event ${eventId} to be consumed`, async () => ((await svc.sql`select 1 from seen_ticket_events where event_id = ${eventId}`).length > 0 ? true : undefined));

/** Until every burst of the ticket has been dispatched and its deliveries settled. */
const settled = (svc: Notification, ticketId: string) =>
  eventually(`updates of ${ticketId} to settle`, async () => {
    const [r] = await svc.sql<{ open: number; queued: number }[]>`
      select (select count(*)::int from update_bursts where ticket_id = ${ticketId} and state in ('open', 'closed')) as open,
             (select count(*)::int from deliveries where ticket_id = ${ticketId} and status = 'queued' and kind = 'update') as queued`;
    return r!.open === 0 && r!.queued === 0 ? true : undefined;
  });

describe('status updates to the requester and watchers', () => {
  test('each kind of update reaches the requester and the watchers by email, and not the person who caused it', async ({ notification: svc }) => {
    const p = await people(svc);
    const cases = [
      { type: 'ticket.acknowledged', data: { tier: 1 }, words: 'IT picked up your ticket' },
      { type: 'ticket.acknowledged', data: { tier: 1, afterReopen: true }, words: 'picked up your reopened ticket again' },
      { type: 'ticket.waiting_on_requester', data: { questionId: QUESTION_ID }, words: 'IT asked you a question' },
      { type: 'ticket.commented', data: { commentId: randomUUID(), visibility: 'public', resumed: false }, words: 'A reply was posted' },
      { type: 'ticket.closed', data: {}, words: 'The ticket was closed' },
    ];
    const tickets = await Promise.all(
      cases.map(async (c) => {
        const t = await reported(svc, p);
        await svc.publishTicketEvent({ type: c.type, ticketId: t.id, actor: byAlex(p), data: { number: t.number, ...c.data } });
        return { ...c, ...t };
      }),
    );
    for (const t of tickets) {
      const toNora = await eventually(`${t.type} to nora`, async () => (await mailsTo(NORA, t.number))[0]);
      await eventually(`${t.type} to sam`, async () => (await mailsTo(SAM, t.number))[0]);
      expect((await mailpitBody(toNora.ID)).Text, t.type).toContain(t.words);
      expect((await mailpitBody(toNora.ID)).Text).toContain(`http://portal.test/tickets/${t.id}`);
      await settled(svc, t.id);
      expect(await mailsTo(ALEX, t.number), `alex caused ${t.type}`).toHaveLength(0);
      expect(await mailsTo(NORA, t.number)).toHaveLength(1);
      expect(await mailsTo(SAM, t.number)).toHaveLength(1);
    }
    // The delivery rows and the events are the pipeline's own: kind `update`, sent, announced.
    const rows = await svc.sql<{ kind: string; status: string; template: string }[]>`select kind, status, template from deliveries where ticket_id = ${tickets[0]!.id}`;
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.kind === 'update' && r.status === 'sent' && r.template === 'ticket_update')).toBe(true);
    await eventually('notification.sent events of the update', async () =>
      svc.events.filter((e) => e.ticketId === tickets[0]!.id && e.type === 'notification.sent' && e.data['kind'] === 'update').length === 2 ? true : undefined,
    );
  });

  test('a requester is not told of her own public reply; the system closing a ticket tells everyone', async ({ notification: svc }) => {
    const p = await people(svc);
    const t = await reported(svc, p);
    await svc.publishTicketEvent({
      type: 'ticket.commented',
      ticketId: t.id,
      actor: { kind: 'user', id: p.nora, role: 'clinic_staff' },
      data: { number: t.number, commentId: randomUUID(), visibility: 'public', resumed: true },
    });
    await eventually('the reply to sam', async () => (await mailsTo(SAM, t.number))[0]);
    await eventually('the reply to alex', async () => (await mailsTo(ALEX, t.number))[0]);
    await settled(svc, t.id);
    expect(await mailsTo(NORA, t.number)).toHaveLength(0);

    const t2 = await reported(svc, p);
    await svc.publishTicketEvent({ type: 'ticket.closed', ticketId: t2.id, actor: { kind: 'system', id: 'workflow' }, data: { number: t2.number, auto: true } });
    const mail = await eventually('the automatic close to nora', async () => (await mailsTo(NORA, t2.number))[0]);
    expect((await mailpitBody(mail.ID)).Text).toContain('closed automatically');
    await eventually('the automatic close to alex', async () => (await mailsTo(ALEX, t2.number))[0]);
  });

  test('an internal note reaches nobody', async ({ notification: svc }) => {
    const p = await people(svc);
    const t = await reported(svc, p);
    const note = await svc.publishTicketEvent({ type: 'ticket.commented', ticketId: t.id, actor: byAlex(p), data: { number: t.number, commentId: randomUUID(), visibility: 'internal', resumed: false } });
    await seen(svc, note.id);
    expect(await svc.sql`select 1 from update_changes where event_id = ${note.id}`).toHaveLength(0);
    expect(await svc.sql`select 1 from update_bursts where ticket_id = ${t.id}`).toHaveLength(0);
    await sleep(2_500);
    for (const who of [NORA, SAM, ALEX]) expect(await mailsTo(who, t.number), who).toHaveLength(0);
  });

  test('a removed watcher is no longer told', async ({ notification: svc }) => {
    const p = await people(svc);
    const t = await reported(svc, p);
    await svc.publishTicketEvent({ type: 'ticket.watcher_removed', ticketId: t.id, actor: byAlex(p), data: { number: t.number, watcherId: p.sam } });
    await svc.publishTicketEvent({ type: 'ticket.acknowledged', ticketId: t.id, actor: byAlex(p), data: { number: t.number, tier: 1 } });
    await eventually('the update to nora', async () => (await mailsTo(NORA, t.number))[0]);
    await settled(svc, t.id);
    expect(await mailsTo(SAM, t.number)).toHaveLength(0);
  });

  test('preferredChannels: a person who chose SMS gets an SMS through Twilio and no email', async ({ notification: svc }) => {
    const p = await people(svc);
    await svc.directory.setContacts('sam.staff', { email: SAM, mobile: '+15550100077', preferredChannels: ['sms'] });
    try {
      const t = await reported(svc, p);
      await svc.publishTicketEvent({ type: 'ticket.waiting_on_requester', ticketId: t.id, actor: byAlex(p), data: { number: t.number, questionId: QUESTION_ID } });
      const sms = await eventually('the SMS to sam', async () => (await svc.requests('twilio')).find((r) => String(r.body['Body']).includes(t.number)));
      expect(sms.body['To']).toBe('+15550100077');
      expect(String(sms.body['Body'])).toContain('waiting for your answer');
      expect(String(sms.body['Body'])).toContain(`http://portal.test/tickets/${t.id}`);
      await eventually('the email to nora, who chose nothing', async () => (await mailsTo(NORA, t.number))[0]);
      await settled(svc, t.id);
      expect(await mailsTo(SAM, t.number)).toHaveLength(0);
      expect((await svc.requests('twilio')).filter((r) => String(r.body['Body']).includes(t.number))).toHaveLength(1);
    } finally {
      await svc.directory.setContacts('sam.staff', { email: SAM, mobile: '+15550100077' });
    }
  });

  test("IT's question and a public reply are readable in the email, never in the SMS; an internal note's words nowhere", async ({ notification: svc }) => {
    const p = await people(svc);
    await svc.directory.setContacts('sam.staff', { email: SAM, mobile: '+15550100077', preferredChannels: ['sms', 'email'] });
    try {
      const t = await reported(svc, p);
      // The ticket and its notes as the workflow stores them in the ticket service's database.
      await insertTicket(svc.directory.ticketSql, { ...t, siteId: 'north' });
      const question = { id: randomUUID(), body: 'Which printer is it: the one by the ward desk or the one in room 4?' };
      const reply = { id: randomUUID(), body: 'We are sending a replacement toner today.' };
      const internal = { id: randomUUID(), body: 'INTERNAL: vendor contract lapsed, do not tell the ward' };
      const note = (n: { id: string; body: string }, visibility: string, kind: string) =>
        svc.directory.ticketSql`insert into ticket_comments (id, ticket_id, author_id, author_role, visibility, body, created_at, kind)
          values (${n.id}, ${t.id}, ${p.alex}, 'it_agent', ${visibility}, ${n.body}, now(), ${kind})`;
      await note(question, 'public', 'question');
      await note(reply, 'public', 'comment');
      await note(internal, 'internal', 'comment');
      await svc.publishTicketEvent({ type: 'ticket.waiting_on_requester', ticketId: t.id, actor: byAlex(p), data: { number: t.number, questionId: question.id } });
      await svc.publishTicketEvent({ type: 'ticket.commented', ticketId: t.id, actor: byAlex(p), data: { number: t.number, commentId: internal.id, visibility: 'internal', resumed: false } });
      await svc.publishTicketEvent({ type: 'ticket.commented', ticketId: t.id, actor: byAlex(p), data: { number: t.number, commentId: reply.id, visibility: 'public', resumed: false } });
      const mail = await eventually('the update to nora', async () => (await mailsTo(NORA, t.number))[0]);
      const body = await mailpitBody(mail.ID);
      expect(body.Text).toContain(question.body);
      expect(body.Text).toContain(reply.body);
      expect(body.Text).toContain('To answer, reply to this email');
      expect(body.HTML).toContain('replacement toner');
      const samMail = await eventually('the email to sam', async () => (await mailsTo(SAM, t.number))[0]);
      expect((await mailpitBody(samMail.ID)).Text).toContain(question.body);
      const sms = await eventually('the SMS to sam', async () => (await svc.requests('twilio')).find((r) => String(r.body['Body']).includes(t.number)));
      expect(String(sms.body['Body'])).not.toContain('printer');
      expect(String(sms.body['Body'])).not.toContain('toner');
      await settled(svc, t.id);
      for (const m of [mail, samMail]) expect(JSON.stringify(await mailpitBody(m.ID))).not.toContain('INTERNAL');
      expect(JSON.stringify(await svc.requests('twilio'))).not.toContain('INTERNAL');
    } finally {
      await svc.directory.setContacts('sam.staff', { email: SAM, mobile: '+15550100077' });
    }
  });

  test('the resolved email carries the "Fixed" and "Not fixed" links minted by the identity service; the SMS does not', async ({ notification: svc }) => {
    const p = await people(svc);
    await svc.directory.setContacts('sam.staff', { email: SAM, mobile: '+15550100077', preferredChannels: ['sms'] });
    try {
      const t = await reported(svc, p);
      const resolved = await svc.publishTicketEvent({ type: 'ticket.resolved', ticketId: t.id, actor: byAlex(p), data: { number: t.number, tier: 1 } });
      const mail = await eventually('the resolved email to nora', async () => (await mailsTo(NORA, t.number))[0]);
      const body = await mailpitBody(mail.ID);
      const base = svc.directory.identityUrl;
      const fixed = new RegExp(`Fixed: (${base}/r/\\S+)`).exec(body.Text)?.[1];
      const notFixed = new RegExp(`Not fixed: (${base}/r/\\S+)`).exec(body.Text)?.[1];
      expect(fixed, body.Text).toBeDefined();
      expect(notFixed).toBeDefined();
      expect(fixed).not.toBe(notFixed);
      expect(body.HTML).toContain(`href="${fixed!}"`);
      // The pair was issued for nora and this resolution: a resend asks again and gets the same pair.
      const again = await (await realCollaborators(svc.env)).mintRequesterLinks({ ticketId: t.id, ticketNumber: t.number, recipientId: p.nora, idempotencyKey: `resolved:${resolved.id}` });
      expect(again.fixedUrl).toBe(fixed);
      expect(again.notFixedUrl).toBe(notFixed);
      const sms = await eventually('the SMS to sam', async () => (await svc.requests('twilio')).find((r) => String(r.body['Body']).includes(t.number)));
      expect(String(sms.body['Body'])).toContain('is now resolved');
      expect(String(sms.body['Body'])).not.toContain('/r/');
      await settled(svc, t.id);
      expect(await mailsTo(ALEX, t.number)).toHaveLength(0);
    } finally {
      await svc.directory.setContacts('sam.staff', { email: SAM, mobile: '+15550100077' });
    }
  });

  test('quiet hours hold an update until they end', async ({ notification: svc }) => {
    const p = await people(svc);
    const hh = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    const now = Date.now();
    const quietHours = { start: hh(new Date(now - 60 * 60_000)), end: hh(new Date(now + 60 * 60_000)), timeZone: 'UTC' };
    await svc.directory.setContacts('sam.staff', { email: SAM, mobile: '+15550100077', quietHours });
    try {
      const t = await reported(svc, p);
      await svc.publishTicketEvent({ type: 'ticket.acknowledged', ticketId: t.id, actor: byAlex(p), data: { number: t.number, tier: 1 } });
      await eventually('the update to nora', async () => (await mailsTo(NORA, t.number))[0]);
      const held = await eventually('sam’s update to be held', async () => {
        const [row] = await svc.sql<{ scheduled_at: Date; status: string; last_error: string }[]>`
          select scheduled_at, status, last_error from deliveries where ticket_id = ${t.id} and recipient->>'username' = 'sam.staff'`;
        return row;
      });
      expect(held.status).toBe('queued');
      expect(held.last_error).toBe('quiet hours');
      expect(held.scheduled_at.getTime()).toBeGreaterThan(now + 55 * 60_000);
      await sleep(1_000);
      expect(await mailsTo(SAM, t.number)).toHaveLength(0);
      // When the quiet hours are over (the clock moved to their end), the poller sends it.
      await svc.sql`update deliveries set scheduled_at = now() where ticket_id = ${t.id} and recipient->>'username' = 'sam.staff'`;
      await eventually('sam’s update after the quiet hours', async () => (await mailsTo(SAM, t.number))[0]);
    } finally {
      await svc.directory.setContacts('sam.staff', { email: SAM, mobile: '+15550100077' });
    }
  });

  test('a burst of five changes within the window goes to each person as one update with the latest state', async ({ notification: svc }) => {
    const p = await people(svc);
    const t = await reported(svc, p);
    const burst = [
      { type: 'ticket.acknowledged', data: { tier: 1 } },
      { type: 'ticket.waiting_on_requester', data: { questionId: QUESTION_ID } },
      { type: 'ticket.commented', data: { commentId: randomUUID(), visibility: 'public', resumed: false } },
      { type: 'ticket.commented', data: { commentId: randomUUID(), visibility: 'public', resumed: false } },
      { type: 'ticket.closed', data: {} },
    ];
    for (const e of burst) await svc.publishTicketEvent({ type: e.type, ticketId: t.id, actor: byAlex(p), data: { number: t.number, ...e.data } });
    const mail = await eventually('the update to nora', async () => (await mailsTo(NORA, t.number))[0]);
    await eventually('the update to sam', async () => (await mailsTo(SAM, t.number))[0]);
    await settled(svc, t.id);
    await sleep(2_000);
    expect(await mailsTo(NORA, t.number)).toHaveLength(1);
    expect(await mailsTo(SAM, t.number)).toHaveLength(1);
    const body = await mailpitBody(mail.ID);
    expect(body.Subject).toContain('5 changes');
    expect(body.Text).toContain(`Your ticket ${t.number} is now closed.`);
    for (const words of ['IT picked up your ticket', 'IT asked you a question', 'A reply was posted', 'The ticket was closed']) expect(body.Text).toContain(words);
  });

  test('a duplicated event (same id, published again past the server’s dedupe) sends once', async ({ notification: svc }) => {
    const p = await people(svc);
    const t = await reported(svc, p);
    const e = await svc.publishTicketEvent({ type: 'ticket.acknowledged', ticketId: t.id, actor: byAlex(p), data: { number: t.number, tier: 1 } });
    await svc.publishTicketEvent({ ...e, ticketId: t.id }, `again-${e.id}`);
    await eventually('the update to nora', async () => (await mailsTo(NORA, t.number))[0]);
    await settled(svc, t.id);
    await sleep(2_000);
    expect(await mailsTo(NORA, t.number)).toHaveLength(1);
    expect(await svc.sql`select 1 from update_changes where event_id = ${e.id}`).toHaveLength(2);
  });

  test('an update whose sender crashed after the mail server took it, before the row said so, is not mailed twice', async ({ notification: svc }) => {
    const p = await people(svc);
    const t = await reported(svc, p);
    await svc.publishTicketEvent({ type: 'ticket.acknowledged', ticketId: t.id, actor: byAlex(p), data: { number: t.number, tier: 1 } });
    await eventually('the update to nora', async () => (await mailsTo(NORA, t.number))[0]);
    await settled(svc, t.id);
    // What the crash leaves: the row still queued, its attempt counted, its lease run out.
    const [row] = await svc.sql<{ id: string }[]>`
      update deliveries set status = 'queued', sent_at = null, provider_message_id = null, claimed_until = now() - interval '1 second', scheduled_at = now()
      where ticket_id = ${t.id} and recipient->>'username' = 'nora.nurse' returning id`;
    await eventually('the row to be settled again', async () => {
      const [r] = await svc.sql<{ status: string; attempts: number }[]>`select status, attempts from deliveries where id = ${row!.id}`;
      return r!.status === 'sent' && r!.attempts === 2 ? true : undefined;
    });
    expect(await mailsTo(NORA, t.number)).toHaveLength(1);
  });

  test('a burst left closed by a poller that crashed before dispatching it is sent once', async ({ notification: svc }) => {
    const p = await people(svc);
    const t = await reported(svc, p);
    // Let the consumer take the ticket in, then leave what a crash after closing the burst leaves.
    await eventually('the followers', async () => ((await svc.sql`select 1 from ticket_followers where ticket_id = ${t.id}`).length === 3 ? true : undefined));
    const burstId = randomUUID();
    const eventId = randomUUID();
    await svc.sql.begin(async (tx) => {
      await tx`insert into update_bursts (id, ticket_id, recipient_id, state, due_at, attempts) values (${burstId}, ${t.id}, ${p.nora}, 'closed', now() - interval '1 second', 1)`;
      await tx`insert into update_changes (event_id, recipient_id, burst_id, type, occurred_at, data) values (${eventId}, ${p.nora}, ${burstId}, 'acknowledged', now(), '{}')`;
    });
    await eventually('the update to nora', async () => (await mailsTo(NORA, t.number))[0]);
    await settled(svc, t.id);
    await sleep(1_500);
    expect(await mailsTo(NORA, t.number)).toHaveLength(1);
    const [b] = await svc.sql<{ state: string }[]>`select state from update_bursts where id = ${burstId}`;
    expect(b!.state).toBe('dispatched');
  });
});

describe('preferredChannels and pages', () => {
  test("a page reaches every channel of the policy, and also the channels the person chose", async ({ notification: svc }) => {
    const alex = DEMO_CONTACTS['alex.agent']!;
    await svc.directory.setContacts('alex.agent', { ...alex, preferredChannels: ['sms'] });
    try {
      const cmd = escalationCommand({ targets: [{ kind: 'user', userId: 'alex.agent' }], channels: ['email'] });
      await svc.publish(cmd);
      await eventually('the page by email', async () => (await mailsTo(alex.email!, cmd.ticketNumber))[0]);
      const sms = await eventually('the page by SMS, chosen by alex', async () => (await svc.requests('twilio')).find((r) => String(r.body['Body']).includes(cmd.ticketNumber)));
      expect(sms.body['To']).toBe(alex.mobile);
      const rows = await svc.sql<{ channel: string }[]>`select channel from deliveries where idempotency_key = ${cmd.idempotencyKey} order by channel`;
      expect(rows.map((r) => r.channel)).toEqual(['email', 'sms']);
      // Slack and Teams: alex has addresses there, but neither the policy nor alex chose them.
      expect((await svc.requests('slack')).filter((r) => JSON.stringify(r.body).includes(cmd.ticketNumber))).toHaveLength(0);
    } finally {
      await svc.directory.setContacts('alex.agent', alex);
    }
  });
});

describe('the children of a major incident (docs/decisions/0041)', () => {
  test("each child's requester gets the incident's updates in her own ticket's update, and one \"resolved\" when the resolve cascades", async ({ notification: svc }) => {
    const p = await people(svc);
    const n = Math.floor(Math.random() * 1e8);
    const incident = { id: randomUUID(), number: `IT-M${n}` };
    const child = (who: string, suffix: string) => ({ id: randomUUID(), number: `IT-C${n}${suffix}`, requester: who });
    const noras = child(p.nora, 'a');
    const sams = child(p.sam, 'b');
    const byAgent = byAlex(p);
    const system = { kind: 'system' as const, id: 'workflow' };
    await svc.publishTicketEvent({ type: 'ticket.created', ticketId: incident.id, actor: byAgent, data: { number: incident.number, requesterId: p.alex, status: 'new', siteId: 'north' } });
    for (const c of [noras, sams]) {
      await svc.publishTicketEvent({ type: 'ticket.created', ticketId: c.id, actor: { kind: 'user', id: c.requester, role: 'clinic_staff' }, data: { number: c.number, requesterId: c.requester, status: 'new', siteId: 'north' } });
      await svc.publishTicketEvent({ type: 'ticket.incident_linked', ticketId: c.id, actor: byAgent, data: { number: c.number, parentTicketId: incident.id, auto: false } });
    }
    const next = new Date(Date.now() + 3_600_000).toISOString();
    await svc.publishTicketEvent({ type: 'ticket.incident_status_posted', ticketId: incident.id, actor: byAgent, data: { number: incident.number, statusId: randomUUID(), nextUpdateAt: next } });
    // Sam's ticket is resolved by the cascade before the incident's own event is taken in; nora's after.
    await svc.publishTicketEvent({ type: 'ticket.resolved', ticketId: sams.id, actor: system, data: { number: sams.number, tier: 1 } });
    await svc.publishTicketEvent({ type: 'ticket.resolved', ticketId: incident.id, actor: byAgent, data: { number: incident.number, tier: 1 } });
    await svc.publishTicketEvent({ type: 'ticket.resolved', ticketId: noras.id, actor: system, data: { number: noras.number, tier: 1 } });

    const toNora = await eventually('the update to nora', async () => (await mailsTo(NORA, noras.number))[0]);
    const text = (await mailpitBody(toNora.ID)).Text;
    expect(text).toContain(`IT posted an update on the outage; read it on the portal (${incident.number}, which your ticket is part of); next update by ${next.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC')}`);
    expect(text).toContain(`IT resolved the outage, and your ticket with it (${incident.number}`);
    expect(text.match(/resolved the/g), 'resolved once, not once for the incident and once for her ticket').toHaveLength(1);
    expect(text, 'her own ticket, with her own links').toContain(`http://portal.test/tickets/${noras.id}`);
    expect(text).toMatch(/Not fixed: /);
    const toSam = await eventually('the update to sam', async () => (await mailsTo(SAM, sams.number))[0]);
    expect((await mailpitBody(toSam.ID)).Text.match(/resolved the/g), 'the cascade came first; the resolve of the incident is not told again').toHaveLength(1);
    await settled(svc, noras.id);
    await settled(svc, sams.id);
    expect(await mailsTo(NORA, noras.number), 'one message in the window').toHaveLength(1);
    expect(await mailsTo(NORA, incident.number), 'nothing of the incident ticket itself').toHaveLength(0);
    const samChanges = await svc.sql<{ type: string }[]>`select type from update_changes where recipient_id = ${p.sam} and burst_id in (select id from update_bursts where ticket_id = ${sams.id})`;
    expect(samChanges.map((c) => c.type).sort()).toEqual(['incident_status', 'resolved']);

    // Unlinked ("not fixed"), her ticket hears no more of the incident.
    const unlinked = await svc.publishTicketEvent({ type: 'ticket.incident_unlinked', ticketId: sams.id, actor: { kind: 'user', id: p.sam, role: 'clinic_staff' }, data: { number: sams.number, parentTicketId: incident.id, reason: 'not_fixed' } });
    await seen(svc, unlinked.id);
    const later = await svc.publishTicketEvent({ type: 'ticket.incident_status_posted', ticketId: incident.id, actor: byAgent, data: { number: incident.number, statusId: randomUUID(), nextUpdateAt: null } });
    await seen(svc, later.id);
    expect(await svc.sql`select 1 from update_changes where event_id = ${later.id} and recipient_id = ${p.sam}`).toHaveLength(0);
    expect(await svc.sql`select 1 from update_changes where event_id = ${later.id} and recipient_id = ${p.nora}`).toHaveLength(1);
  });
});
