import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, forgeFrom, loginAs } from '@tierline/testing';
import { LookupFailed } from './recipients.js';
import { VendorLinkFailed } from './vendor-links.js';
import { escalationCommand, eventually, insertTicket, mailpitBody, mailpitSearch, notificationTest, type Notification } from './test/harness.js';

let svc: Notification;
/** Ticket ids whose recipient lookups fail, with how many more times (Infinity: always). */
const failLookups = new Map<string, number>();
/** Ticket ids whose vendor links cannot be minted, likewise. */
const failMints = new Map<string, number>();
const take = (m: Map<string, number>, key: string) => {
  const n = m.get(key) ?? 0;
  if (n > 0) m.set(key, n - 1);
  return n > 0;
};
const ids: Record<string, string> = {};

// The real resolver and minter, made to fail on demand for chosen tickets.
const test = notificationTest('delivery', {
    resolver: (real) => ({
      resolve: async (targets, ctx) => {
        if (take(failLookups, ctx.ticketId)) throw new LookupFailed('identity directory: HTTP 503');
        return real.resolve(targets, ctx);
      },
      teamLeads: (teamIds) => real.teamLeads!(teamIds),
    }),
    mintVendorLink: (real) => async (req) => {
      if (take(failMints, req.ticketId)) throw new VendorLinkFailed(`vendor link for ${req.ticketNumber} refused: HTTP 503`);
      return real(req);
    },
  });

test.beforeAll(async ({ notification }) => {
  svc = notification;
  for (const u of ['lee.lead', 'alex.agent', 'otto.oncall', 'val.vendor']) ids[u] = await svc.directory.userId(u);
});

const SECRET = 'SECRET-DESCRIPTION-patient-Jane-Doe';

interface Row {
  recipient_id: string;
  channel: string;
  status: string;
  attempts: number;
  kind: string;
}
const rowsOf = (ticketId: string) => svc.sql<Row[]>`select recipient_id, channel, status, attempts, kind from deliveries where ticket_id = ${ticketId} order by recipient_id, channel`;
/** Rows of the demo people only: another test may have added an IT lead to the shared Keycloak realm meanwhile. */
const demoRows = async (ticketId: string) => {
  const name = new Map(Object.entries(ids).map(([u, id]) => [id, u]));
  return (await rowsOf(ticketId)).filter((r) => name.has(r.recipient_id)).map((r) => ({ ...r, who: name.get(r.recipient_id)! }));
};
const deadLetters = () => {
  const dead: { reason: string | undefined; data: string }[] = [];
  const sub = svc.nc.subscribe('tierline.dead_letters.notify', {
    callback: (_err, m) => {
      dead.push({ reason: m.headers?.get('Tierline-Reason'), data: m.string() });
    },
  });
  return { dead, stop: () => sub.unsubscribe() };
};

describe('an escalation command', () => {
  it('reaches the IT lead and the vendor through the identity directory, on every channel they have, without any description text', async () => {
    // The workflow never sends a description; one is smuggled in here to prove it cannot leak.
    const cmd = { ...escalationCommand({ targets: [{ kind: 'it_lead' }, { kind: 'vendor', vendorOrgId: 'acme-it' }] }), description: SECRET };
    await svc.publish(cmd);

    const rows = await eventually('the demo people\'s deliveries sent', async () => {
      const r = await demoRows(cmd.ticketId);
      return r.length === 6 && r.every((x) => x.status === 'sent') ? r : undefined;
    });
    // Lee has all four contacts; the vendor has email and SMS only.
    expect(rows.map((r) => `${r.who}/${r.channel}`).sort()).toEqual([
      'lee.lead/email',
      'lee.lead/slack',
      'lee.lead/sms',
      'lee.lead/teams',
      'val.vendor/email',
      'val.vendor/sms',
    ]);

    const leadMail = await eventually('mail to lee.lead', async () => (await mailpitSearch(`to:lee.lead@it.tierline.test subject:"${cmd.ticketNumber}"`))[0]);
    expect(leadMail.Subject).toBe(`[P1] ${cmd.ticketNumber} escalated to tier 2 — north-clinic`);
    const leadBody = await mailpitBody(leadMail.ID);
    expect(leadBody.Text).toContain(`http://portal.test/tickets/${cmd.ticketId}`);
    expect(leadBody.HTML).toContain(`href="http://portal.test/tickets/${cmd.ticketId}"`);
    expect(leadBody.Text).toContain('response target 2026-11-27 18:00:00 UTC');

    const vendorMail = await eventually('mail to the vendor', async () => (await mailpitSearch(`to:val.vendor@acme-it.test subject:"${cmd.ticketNumber}"`))[0]);
    const vendorBody = await mailpitBody(vendorMail.ID);
    const link = vendorBody.Text.match(/https?:\/\/\S+\/v\/[\w-]+\.[\w-]+\.[\w-]+/)?.[0];
    expect(link, `vendor mail without a signed link:\n${vendorBody.Text}`).toBeDefined();
    expect(link!.startsWith(`${svc.directory.identityUrl}/v/`)).toBe(true);
    expect(vendorBody.Text, 'a vendor gets no portal link').not.toContain('portal.test');
    for (const b of [leadBody, vendorBody]) {
      expect(b.Text + b.HTML + b.Subject, 'an email carried the description').not.toContain(SECRET);
    }

    const sms = (await svc.requests('twilio')).filter((r) => String(r.body.Body).includes(cmd.ticketNumber));
    expect(sms.map((r) => r.body.To).sort()).toEqual(['+15550100001', '+15550100004']);
    expect(sms[0]!.body.From).toBe('+15550109999');
    expect(sms[0]!.idempotencyKey, 'SMS sent without I-Twilio-Idempotency-Token').toBeTruthy();
    // The vendor's SMS carries the same link as the vendor's mail (one link per command and recipient).
    expect(String(sms.find((r) => r.body.To === '+15550100004')!.body.Body)).toContain(link);
    const slack = (await svc.requests('slack')).filter((r) => JSON.stringify(r.body).includes(cmd.ticketNumber));
    expect(slack.map((r) => r.body.channel)).toEqual(['U0LEE00001']);
    const teams = (await svc.requests('teams')).filter((r) => JSON.stringify(r.body).includes(cmd.ticketNumber));
    expect(teams).toHaveLength(1);
    expect(JSON.stringify(teams[0]!.body)).toContain('application/vnd.microsoft.card.adaptive');
    for (const r of [...sms, ...slack, ...teams]) {
      expect(JSON.stringify(r.body), `${r.provider} payload carried the description`).not.toContain(SECRET);
      expect(JSON.stringify(r.body)).toContain('north-clinic');
    }

    const sent = await eventually('notification.sent events', async () => {
      const e = svc.events.filter((x) => x.type === 'notification.sent' && x.ticketId === cmd.ticketId);
      return e.length >= 6 ? e : undefined;
    });
    expect(JSON.stringify(sent)).not.toContain(SECRET);
    expect(JSON.stringify(sent), 'the signed link (a credential) is not in events').not.toContain('/v/');
  });

  it('reaches a team\'s members and whoever is on call through the ticket service\'s teams and rota', async () => {
    // Otto joins the help desk and is on call for it right now.
    await svc.directory.ticketSql`
      insert into team_members (team_id, username, display_name, updated_by) values ('it-tier1', 'otto.oncall', 'Otto Oncall', 'test')
      on conflict do nothing`;
    await svc.directory.ticketSql`
      insert into on_call_shifts (id, team_id, username, starts_at, ends_at, created_by)
      values (${randomUUID()}, 'it-tier1', 'otto.oncall', now() - interval '1 hour', now() + interval '1 hour', 'test')`;
    try {
      const team = escalationCommand({ targets: [{ kind: 'team', teamId: 'it-tier1' }], channels: ['email'] });
      const onCall = escalationCommand({ targets: [{ kind: 'on_call', teamId: 'it-tier1' }], channels: ['sms'] });
      await svc.publish(team);
      await svc.publish(onCall);
      const teamRows = await eventually('the team page', async () => {
        const r = await demoRows(team.ticketId);
        return r.length === 2 && r.every((x) => x.status === 'sent') ? r : undefined;
      });
      expect(teamRows.map((r) => r.who).sort()).toEqual(['alex.agent', 'otto.oncall']);
      const onCallRows = await eventually('the on-call page', async () => {
        const r = await rowsOf(onCall.ticketId);
        return r.length > 0 && r.every((x) => x.status === 'sent') ? r : undefined;
      });
      expect(onCallRows.map((r) => r.recipient_id)).toEqual([ids['otto.oncall']]);
      for (const who of ['alex.agent', 'otto.oncall']) {
        expect(await mailpitSearch(`to:${who}@it.tierline.test subject:"${team.ticketNumber}"`), `mail to ${who}`).toHaveLength(1);
      }
    } finally {
      await svc.directory.ticketSql`delete from on_call_shifts where username = 'otto.oncall'`;
      await svc.directory.ticketSql`delete from team_members where username = 'otto.oncall'`;
    }
  });

  it('delivered twice (a redelivery, or a republish past the dedupe window) sends one message per recipient and channel', async () => {
    const cmd = escalationCommand({ targets: [{ kind: 'team', teamId: 'it-tier1' }], channels: ['email', 'sms'] });
    await svc.publish(cmd);
    await svc.publish(cmd, `${cmd.idempotencyKey}:again`);
    await eventually('both copies handled', async () => {
      const pending = await svc.sql`select 1 from deliveries where ticket_id = ${cmd.ticketId} and status <> 'sent'`;
      const all = await rowsOf(cmd.ticketId);
      return all.length === 2 && pending.length === 0 ? true : undefined;
    });
    // And once more straight into the pipeline, as a redelivery after a lost ack would.
    await svc.worker.pipeline.handleCommand(cmd, { isLast: false });
    await new Promise((r) => setTimeout(r, 1000));
    const mails = await mailpitSearch(`to:alex.agent@it.tierline.test subject:"${cmd.ticketNumber}"`);
    expect(mails, `mails: ${JSON.stringify(mails.map((m) => m.Subject))}`).toHaveLength(1);
    const sms = (await svc.requests('twilio')).filter((r) => String(r.body.Body).includes(cmd.ticketNumber));
    expect(sms).toHaveLength(1);
    expect((await rowsOf(cmd.ticketId)).map((r) => r.attempts)).toEqual([1, 1]);
  });

  it('pages the targets that name someone and announces the one that names nobody', async () => {
    const cmd = escalationCommand({ targets: [{ kind: 'team', teamId: 'no-such-team' }, { kind: 'user', userId: ids['alex.agent']! }], channels: ['email'] });
    await svc.publish(cmd);
    await eventually('the page to alex', async () => ((await rowsOf(cmd.ticketId))[0]?.status === 'sent' ? true : undefined));
    const event = await eventually('the announcement', async () => svc.events.find((e) => e.type === 'notification.delivery_failed' && e.ticketId === cmd.ticketId));
    expect(event.data).toMatchObject({ target: 'team no-such-team', reason: 'team no-such-team does not exist' });
  });
});

describe('a recipient lookup that fails', () => {
  it('is retried by redelivery and the page still goes out', async () => {
    const cmd = escalationCommand({ targets: [{ kind: 'user', userId: 'alex.agent' }], channels: ['email'] });
    failLookups.set(cmd.ticketId, 2);
    await svc.publish(cmd);
    await eventually('the page after two failed lookups', async () => (await mailpitSearch(`to:alex.agent@it.tierline.test subject:"${cmd.ticketNumber}"`))[0]);
    expect(failLookups.get(cmd.ticketId)).toBe(0);
  });

  it('that never recovers is dead-lettered and announced, not dropped', async () => {
    const letters = deadLetters();
    try {
      const cmd = escalationCommand({ targets: [{ kind: 'it_lead' }], channels: ['email'] });
      failLookups.set(cmd.ticketId, Infinity);
      await svc.publish(cmd);
      const letter = await eventually('the dead letter', async () => letters.dead.find((d) => d.data.includes(cmd.idempotencyKey)), 30_000);
      expect(letter.reason).toContain('identity directory: HTTP 503');
      const event = await eventually('the delivery_failed event', async () =>
        svc.events.find((e) => e.type === 'notification.delivery_failed' && e.ticketId === cmd.ticketId),
      );
      expect(String(event.data.reason)).toContain('HTTP 503');
      expect(await rowsOf(cmd.ticketId)).toEqual([]);
    } finally {
      letters.stop();
    }
  });
});

describe("a vendor's signed link", () => {
  it('that cannot be minted at first is retried; the page goes out with the link, never without it', async () => {
    const cmd = escalationCommand({ targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }], channels: ['email'] });
    failMints.set(cmd.ticketId, 2);
    await svc.publish(cmd);
    const mail = await eventually('the vendor mail', async () => (await mailpitSearch(`to:val.vendor@acme-it.test subject:"${cmd.ticketNumber}"`))[0]);
    expect((await mailpitBody(mail.ID)).Text).toMatch(/\/v\/[\w-]+\.[\w-]+\.[\w-]+/);
    const row = (await demoRows(cmd.ticketId)).find((r) => r.who === 'val.vendor');
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
  });

  it('that can never be minted fails the delivery and alerts the IT lead; the vendor gets nothing', async () => {
    // By SMS, so the alert to the lead goes by email (another channel than the one that failed).
    const cmd = escalationCommand({ priority: 'P2', targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }], channels: ['sms'] });
    failMints.set(cmd.ticketId, Infinity);
    await svc.publish(cmd);
    const failed = await eventually('the vendor delivery to fail', async () => (await demoRows(cmd.ticketId)).find((r) => r.who === 'val.vendor' && r.status === 'failed'), 30_000);
    expect(failed.attempts).toBe(4);
    const alert = await eventually('the alert to the IT lead', async () =>
      (await mailpitSearch(`to:lee.lead@it.tierline.test subject:"${cmd.ticketNumber}"`)).find((m) => m.Subject.includes('could not be delivered')),
    );
    expect(alert.Subject).toBe(`[P2] ${cmd.ticketNumber}: a sms page to Val Vendor could not be delivered`);
    const sms = (await svc.requests('twilio')).filter((r) => String(r.body.Body).includes(cmd.ticketNumber));
    expect(sms, 'an SMS reached the vendor without its link').toEqual([]);
  });
});

describe('a channel that keeps failing', () => {
  it('is given up after its retries, alerts the IT lead on another channel and publishes notification.delivery_failed', async () => {
    await fetch(`${svc.stubs.url}/_stub/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'slack', count: 1000 }) });
    try {
      const cmd = escalationCommand({ priority: 'P2', targets: [{ kind: 'user', userId: ids['alex.agent']! }], channels: ['slack'] });
      await svc.publish(cmd);
      const failed = await eventually(
        'the slack delivery to fail',
        async () => (await rowsOf(cmd.ticketId)).find((r) => r.kind === 'page' && r.status === 'failed'),
        30_000,
      );
      expect(failed.attempts).toBe(4);
      const alert = await eventually('the alert mail to the IT lead', async () =>
        (await mailpitSearch(`to:lee.lead@it.tierline.test subject:"${cmd.ticketNumber}"`)).find((m) => m.Subject.includes('could not be delivered')),
      );
      expect(alert.Subject).toBe(`[P2] ${cmd.ticketNumber}: a slack page to Alex Agent could not be delivered`);
      const event = await eventually('the delivery_failed event', async () =>
        svc.events.find((e) => e.type === 'notification.delivery_failed' && e.ticketId === cmd.ticketId && e.data.kind === 'page'),
      );
      expect(event.data).toMatchObject({ channel: 'slack', recipientId: ids['alex.agent'], attempts: 4, alertedVia: { userId: ids['lee.lead'], channel: 'email' } });
      const rows = await rowsOf(cmd.ticketId);
      expect(rows.find((r) => r.kind === 'alert' && r.recipient_id === ids['lee.lead'])).toMatchObject({ channel: 'email', status: 'sent' });
      const scraped = await svc.metrics.registry.metrics();
      expect(scraped).toMatch(/tierline_notification_deliveries_total\{channel="slack",kind="page",outcome="failed",service="notification"\} [1-9]/);
      expect(scraped).toMatch(/tierline_notification_deliveries_total\{channel="email",kind="alert",outcome="sent",service="notification"\} [1-9]/);
      expect(scraped).toMatch(/tierline_consumer_pending_messages\{stream="[^"]+",consumer="[^"]+",service="notification"\} \d+/);
    } finally {
      await fetch(`${svc.stubs.url}/_stub/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'slack', count: 0 }) });
    }
  });

  it("alerts the lead of the team the page was for, not every IT lead, when that lead can be reached", async () => {
    // Team biomed (ticket migration 005): otto.oncall is its only member and its lead. His SMS
    // keeps failing, so he hears about it on another channel as the team's lead; lee.lead does not.
    await fetch(`${svc.stubs.url}/_stub/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'twilio', count: 1000 }) });
    try {
      const cmd = escalationCommand({ priority: 'P2', targets: [{ kind: 'team', teamId: 'biomed' }], channels: ['sms'] });
      await svc.publish(cmd);
      const event = await eventually(
        'the delivery_failed event',
        async () => svc.events.find((e) => e.type === 'notification.delivery_failed' && e.ticketId === cmd.ticketId && e.data.kind === 'page'),
        30_000,
      );
      expect(event.data).toMatchObject({ channel: 'sms', recipientId: ids['otto.oncall'], alertedVia: { userId: ids['otto.oncall'] } });
      const rows = await rowsOf(cmd.ticketId);
      const alerts = rows.filter((r) => r.kind === 'alert');
      expect(alerts.map((r) => r.recipient_id), JSON.stringify(alerts)).toEqual([ids['otto.oncall']]);
      expect(alerts[0]!.channel).not.toBe('sms');
    } finally {
      await fetch(`${svc.stubs.url}/_stub/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'twilio', count: 0 }) });
    }
  });
});

describe('quiet hours', () => {
  it('from the identity service hold a P3 page until they end but let a P1 through', async () => {
    // Otto's quiet hours cover the whole day except the hour before now, so "now" is inside.
    const now = new Date();
    const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    const end = new Date(now.getTime() + 23 * 60 * 60_000);
    await svc.directory.setContacts('otto.oncall', { email: 'otto.oncall@it.tierline.test', quietHours: { start: hhmm(now), end: hhmm(end), timeZone: 'UTC' } });
    try {
      const p3 = escalationCommand({ priority: 'P3', targets: [{ kind: 'user', userId: 'otto.oncall' }], channels: ['email'] });
      const p1 = escalationCommand({ priority: 'P1', targets: [{ kind: 'user', userId: 'otto.oncall' }], channels: ['email'] });
      await svc.publish(p3);
      await svc.publish(p1);
      await eventually('the P1 mail', async () => (await mailpitSearch(`to:otto.oncall@it.tierline.test subject:"${p1.ticketNumber}"`))[0]);
      const held = await eventually('the P3 delivery row', async () => {
        const [r] = await svc.sql<{ status: string; scheduled_at: Date | null }[]>`select status, scheduled_at from deliveries where ticket_id = ${p3.ticketId}`;
        return r;
      });
      expect(held.status).toBe('queued');
      expect(held.scheduled_at?.getTime()).toBeGreaterThan(Date.now() + 22 * 60 * 60_000);
      expect(await mailpitSearch(`to:otto.oncall@it.tierline.test subject:"${p3.ticketNumber}"`)).toHaveLength(0);
    } finally {
      await svc.directory.setContacts('otto.oncall', { email: 'otto.oncall@it.tierline.test', mobile: '+15550100003', slackHandle: 'U0OTTO0003', teamsHandle: 'otto.oncall@it.tierline.test' });
    }
  });
});

describe('the delivery status API', () => {
  const tokens: Record<string, string> = {};
  const north = { id: randomUUID(), number: `IT-S${Math.floor(Math.random() * 1e8)}` };
  const vendorTicket = { id: randomUUID(), number: `IT-V${Math.floor(Math.random() * 1e8)}` };

  beforeAll(async () => {
    for (const u of ['alex.agent', 'nora.nurse', 'sam.staff', 'val.vendor']) tokens[u] = (await loginAs(u, DEMO_PASSWORD)).access_token;
    await insertTicket(svc.directory.ticketSql, { ...north, siteId: 'north' });
    await insertTicket(svc.directory.ticketSql, { ...vendorTicket, siteId: 'north', tier: 3, vendorOrgId: 'acme-it' });
    await fetch(`${svc.stubs.url}/_stub/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'twilio', count: 1 }) });
    // One page to the IT lead by email and SMS (its first SMS attempt fails), one to the vendor and the lead.
    await svc.publish(escalationCommand({ ticketId: north.id, ticketNumber: north.number, siteId: 'north', targets: [{ kind: 'user', userId: 'lee.lead' }], channels: ['email', 'sms'] }));
    await svc.publish(
      escalationCommand({ ticketId: vendorTicket.id, ticketNumber: vendorTicket.number, siteId: 'north', tier: 3, targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }, { kind: 'user', userId: 'lee.lead' }], channels: ['email'] }),
    );
    await eventually('the deliveries', async () => {
      const r = await svc.sql<{ status: string }[]>`select status from deliveries where ticket_id in ${svc.sql([north.id, vendorTicket.id])}`;
      return r.length >= 4 && r.every((x) => x.status === 'sent') ? true : undefined;
    });
  });

  const get = async (ticketId: string, token?: string) => {
    const res = await fetch(`${svc.baseUrl}/api/v1/notifications?ticketId=${ticketId}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: (await res.json()) as { deliveries: { channel: string; status: string; attempts: number; recipientUsername: string; lastError: string | null; kind: string }[] } };
  };

  it('shows IT every delivery of a ticket with status, attempts, channel, recipient and the provider error, never a contact', async () => {
    const r = await get(north.id, tokens['alex.agent']);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const byChannel = Object.fromEntries(r.body.deliveries.map((d) => [d.channel, d]));
    expect(byChannel['email']).toMatchObject({ status: 'sent', attempts: 1, recipientUsername: 'lee.lead', lastError: null });
    expect(byChannel['sms']).toMatchObject({ status: 'sent', attempts: 2, recipientUsername: 'lee.lead' });
    expect(JSON.stringify(r.body)).not.toMatch(/@it\.tierline\.test|\+1555/);
  });

  it('shows clinic staff of the ticket\'s site the pages without provider errors, and hides the ticket from another site', async () => {
    const nora = await get(north.id, tokens['nora.nurse']);
    expect(nora.status, JSON.stringify(nora.body)).toBe(200);
    expect(nora.body.deliveries).toHaveLength(2);
    expect(nora.body.deliveries.every((d) => d.lastError === null && d.kind === 'page')).toBe(true);
    const sam = await get(north.id, tokens['sam.staff']);
    expect(sam.status, JSON.stringify(sam.body)).toBe(404);
  });

  it('shows a vendor only its own organisation\'s deliveries, and only on a ticket escalated to it', async () => {
    const mine = await get(vendorTicket.id, tokens['val.vendor']);
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    expect(mine.body.deliveries.map((d) => d.recipientUsername)).toEqual(['val.vendor']);
    expect((await get(north.id, tokens['val.vendor'])).status).toBe(404);
  });

  // Admins and auditors read a ticket only through an audited read (docs/decisions/0010); the
  // authorization matrix (tests/integration/src/authz-matrix*.ts) covers them on this route.
  it('refuses whoever may not read the ticket, a missing or forged token, and a bad ticket id', async () => {
    expect((await get(north.id, tokens['sam.staff'])).status).toBe(404);
    expect((await get(north.id)).status).toBe(401);
    expect((await get(north.id, await forgeFrom(tokens['alex.agent']!, 'other-key'))).status).toBe(401);
    const bad = await fetch(`${svc.baseUrl}/api/v1/notifications?ticketId=nope`, { headers: { authorization: `Bearer ${tokens['alex.agent']}` } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('ticketId');
  });
});

describe('a command that cannot be handled', () => {
  it('is copied to the dead-letter stream and announced, not dropped silently', async () => {
    const letters = deadLetters();
    try {
      const marker = `not-a-command-${Date.now()}`;
      await svc.publish({ idempotencyKey: marker, template: 'nope' } as never);
      const letter = await eventually('the dead letter', async () => letters.dead.find((d) => d.data.includes(marker)));
      expect(letter.reason).toBe('invalid command');
      await eventually('the delivery_failed event', async () =>
        svc.events.find((e) => e.type === 'notification.delivery_failed' && e.data.reason === 'invalid command'),
      );
    } finally {
      letters.stop();
    }
  });
});
