/**
 * Issue #5, notification side, end to end on real components: the identity service (directory
 * synced from the real Keycloak, contacts, vendor signed links) and the ticket service (teams,
 * ticket access, the timeline consumer) run in this process; NATS, PostgreSQL, Keycloak and
 * Mailpit (real SMTP) are the shared servers; SMS, Slack and Teams are the local stand-ins.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM } from '@tierline/contracts';
import { createLogger } from '@tierline/platform';
import { DEMO_PASSWORD, loginAs } from '@tierline/testing';
import { startNotificationTimeline } from '@tierline/ticket';
import { escalationCommand, eventually, insertTicket, mailpitBody, mailpitSearch, notificationTest, type Notification } from './test/harness.js';

let svc: Notification;
let timeline: { stop: () => Promise<void> };
const timelineDurable = `nt-e2e-timeline-${randomUUID().slice(0, 8)}`;
const SECRET = 'SECRET-DESCRIPTION-Bed-4-patient-chart';
const ticket = { id: randomUUID(), number: `IT-E${Math.floor(Math.random() * 1e8)}` };

const test = notificationTest('e2e');

test.beforeAll(async ({ notification }) => {
  svc = notification;
  await insertTicket(svc.directory.ticketSql, { ...ticket, siteId: 'north', tier: 3, vendorOrgId: 'acme-it' });
  // The ticket service's consumer of notification events, on the ticket database of this test.
  timeline = await startNotificationTimeline({
    nc: svc.nc,
    sql: svc.directory.ticketSql,
    logger: createLogger('nt-e2e-timeline', process.env.LOG_LEVEL ?? 'silent'),
    durable: timelineDurable,
    deliverNew: true,
    backoffMs: [200, 400],
  });
});
afterAll(async () => {
  await timeline?.stop();
  if (svc) {
    const jsm = await jetstreamManager(svc.nc);
    await jsm.consumers.delete(EVENTS_STREAM, timelineDurable).catch(() => undefined);
  }
});

const timelineOf = () =>
  svc.directory.ticketSql<{ type: string; data: Record<string, unknown> }[]>`select type, data from ticket_timeline where ticket_id = ${ticket.id} order by occurred_at, event_id`;

describe('an escalation to a team and a vendor', () => {
  const cmd = {
    ...escalationCommand({
      ticketId: ticket.id,
      ticketNumber: ticket.number,
      siteId: 'north',
      tier: 3,
      level: 2,
      targets: [{ kind: 'team', teamId: 'it-tier1' }, { kind: 'vendor', vendorOrgId: 'acme-it' }],
      channels: ['email', 'sms', 'slack', 'teams'],
      deadlineKind: 'vendor response',
    }),
    description: SECRET,
  };

  beforeAll(async () => {
    await svc.publish(cmd);
  });

  it("arrives at the local SMTP server for each person, with the right recipient and subject, and the vendor's link opens its acknowledge page", async () => {
    const subject = `[P1] ${ticket.number} escalated to tier 3 — north`;
    const alex = await eventually('the mail to the team member', async () => (await mailpitSearch(`to:alex.agent@it.tierline.test subject:"${ticket.number}"`))[0]);
    expect(alex.To.map((t) => t.Address)).toEqual(['alex.agent@it.tierline.test']);
    expect(alex.Subject).toBe(subject);
    const val = await eventually('the mail to the vendor', async () => (await mailpitSearch(`to:val.vendor@acme-it.test subject:"${ticket.number}"`))[0]);
    expect(val.To.map((t) => t.Address)).toEqual(['val.vendor@acme-it.test']);
    expect(val.Subject).toBe(subject);

    const alexBody = await mailpitBody(alex.ID);
    expect(alexBody.Text).toContain(`http://portal.test/tickets/${ticket.id}`);
    const valBody = await mailpitBody(val.ID);
    const link = valBody.Text.match(/(https?:\/\/[^\s/]+)\/v\/([\w-]+\.[\w-]+\.[\w-]+)/);
    expect(link, `no <base>/v/<jws> link in the vendor's mail:\n${valBody.Text}`).not.toBeNull();
    expect(link![1]).toBe(svc.directory.identityUrl);
    expect(valBody.HTML).toContain(`href="${link![0]}"`);
    for (const b of [alexBody, valBody]) expect(b.Text + b.HTML, 'a mail carried the description').not.toContain(SECRET);

    const page = await fetch(link![0]);
    const html = await page.text();
    expect(page.status, html.slice(0, 500)).toBe(200);
    expect(html).toContain(`Ticket ${ticket.number} is escalated to you`);
    expect(html).toContain('>Acknowledge</button>');
    expect(html).not.toContain(SECRET);
  });

  it('reaches SMS, Slack and Teams without the description', async () => {
    const mine = async (provider: string) => (await svc.requests(provider)).filter((r) => JSON.stringify(r.body).includes(ticket.number));
    const sms = await eventually('both SMS', async () => {
      const r = await mine('twilio');
      return r.length === 2 ? r : undefined;
    });
    expect(sms.map((r) => r.body.To).sort()).toEqual(['+15550100002', '+15550100004']);
    const slack = await eventually('the Slack message', async () => ((await mine('slack')).length === 1 ? mine('slack') : undefined));
    const teams = await eventually('the Teams card', async () => ((await mine('teams')).length === 1 ? mine('teams') : undefined));
    for (const r of [...sms, ...slack, ...teams]) {
      const body = JSON.stringify(r.body);
      expect(body, `${r.provider} payload carried the description`).not.toContain(SECRET);
      for (const field of [ticket.number, 'P1', 'north', 'vendor response']) expect(body, `${r.provider} payload lacks ${field}`).toContain(field);
    }
  });

  it("puts one line per person on the ticket's timeline and lets the requester's site see the deliveries", async () => {
    const lines = await eventually('the timeline entries', async () => {
      const t = (await timelineOf()).filter((x) => x.type === 'notification.sent');
      return t.length === 2 && t.every((x) => (x.data['channels'] as string[]).length === (x.data['recipientUsername'] === 'alex.agent' ? 4 : 2)) ? t : undefined;
    });
    expect(lines.map((l) => l.data['recipientUsername']).sort()).toEqual(['alex.agent', 'val.vendor']);
    expect(JSON.stringify(lines)).not.toMatch(/@|\+1555|\/v\//);

    const nora = (await loginAs('nora.nurse', DEMO_PASSWORD)).access_token;
    const res = await fetch(`${svc.baseUrl}/api/v1/notifications?ticketId=${ticket.id}`, { headers: { authorization: `Bearer ${nora}` } });
    const body = (await res.json()) as { deliveries: { recipientUsername: string; channel: string; status: string; attempts: number }[] };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.deliveries).toHaveLength(6);
    expect(body.deliveries.every((d) => d.status === 'sent' && d.attempts === 1)).toBe(true);
  });
});

describe('a channel that keeps failing', () => {
  it('produces an alert to the IT lead on another channel and a timeline entry', async () => {
    await fetch(`${svc.stubs.url}/_stub/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'teams', count: 1000 }) });
    try {
      const cmd = escalationCommand({ ticketId: ticket.id, ticketNumber: ticket.number, siteId: 'north', priority: 'P2', targets: [{ kind: 'team', teamId: 'it-tier1' }], channels: ['teams'] });
      await svc.publish(cmd);
      const alert = await eventually(
        'the alert mail',
        async () => (await mailpitSearch(`to:lee.lead@it.tierline.test subject:"${ticket.number}"`)).find((m) => m.Subject.includes('could not be delivered')),
        30_000,
      );
      expect(alert.Subject).toBe(`[P2] ${ticket.number}: a teams page to Alex Agent could not be delivered`);
      const lee = await svc.directory.userId('lee.lead');
      const failure = await eventually('the failure on the timeline', async () =>
        (await timelineOf()).find((x) => x.type === 'notification.delivery_failed' && x.data['channel'] === 'teams'),
      );
      expect(failure.data).toMatchObject({ kind: 'page', recipientUsername: 'alex.agent', attempts: 4, alertedVia: { userId: lee, channel: 'email' } });
      const alertLine = await eventually('the alert on the timeline', async () =>
        (await timelineOf()).find((x) => x.type === 'notification.sent' && x.data['kind'] === 'alert'),
      );
      expect(alertLine.data).toMatchObject({ recipientUsername: 'lee.lead', channel: 'email' });
    } finally {
      await fetch(`${svc.stubs.url}/_stub/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'teams', count: 0 }) });
    }
  });
});
