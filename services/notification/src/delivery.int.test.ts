import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escalationCommand, eventually, mailpitBody, mailpitSearch, startNotification } from './test/harness.js';

type Started = Awaited<ReturnType<typeof startNotification>>;
let svc: Started;

beforeAll(async () => {
  svc = await startNotification('delivery');
});
afterAll(async () => {
  await svc?.stop();
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

describe('an escalation command', () => {
  it('is delivered by email to Mailpit and to the SMS, Slack and Teams stand-ins, without any description text', async () => {
    // The workflow never sends a description; one is smuggled in here to prove it cannot leak.
    const cmd = { ...escalationCommand({ targets: [{ kind: 'it_lead' }, { kind: 'vendor', vendorOrgId: 'acme-it' }] }), description: SECRET };
    await svc.publish(cmd);

    const rows = await eventually('all deliveries sent', async () => {
      const r = await rowsOf(cmd.ticketId);
      return r.length === 6 && r.every((x) => x.status === 'sent') ? r : undefined;
    });
    // Lee has all four contacts; the vendor has email and SMS only.
    expect(rows.map((r) => `${r.recipient_id}/${r.channel}`)).toEqual([
      'demo-lee-lead/email',
      'demo-lee-lead/slack',
      'demo-lee-lead/sms',
      'demo-lee-lead/teams',
      'demo-val-vendor/email',
      'demo-val-vendor/sms',
    ]);

    const leadMail = await eventually('mail to lee.lead', async () => (await mailpitSearch(`to:lee.lead@tierline.test subject:"${cmd.ticketNumber}"`))[0]);
    expect(leadMail.Subject).toBe(`[P1] ${cmd.ticketNumber} escalated to tier 2 — north-clinic`);
    const leadBody = await mailpitBody(leadMail.ID);
    expect(leadBody.Text).toContain(`http://portal.test/tickets/${cmd.ticketId}`);
    expect(leadBody.HTML).toContain(`href="http://portal.test/tickets/${cmd.ticketId}"`);
    expect(leadBody.Text).toContain('response target 2026-11-27 18:00:00 UTC');

    const vendorMail = await eventually('mail to the vendor', async () => (await mailpitSearch(`to:val.vendor@acme-it.test subject:"${cmd.ticketNumber}"`))[0]);
    const vendorBody = await mailpitBody(vendorMail.ID);
    expect(vendorBody.Text).toContain(`http://portal.test/vendor/tickets/${cmd.ticketId}`);
    for (const b of [leadBody, vendorBody]) {
      expect(b.Text + b.HTML + b.Subject, 'an email carried the description').not.toContain(SECRET);
    }

    const sms = (await svc.requests('twilio')).filter((r) => String(r.body.Body).includes(cmd.ticketNumber));
    expect(sms.map((r) => r.body.To).sort()).toEqual(['+15550100001', '+15550100004']);
    expect(sms[0]!.body.From).toBe('+15550109999');
    expect(sms[0]!.idempotencyKey, 'SMS sent without I-Twilio-Idempotency-Token').toBeTruthy();
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
    const mails = await mailpitSearch(`to:alex.agent@tierline.test subject:"${cmd.ticketNumber}"`);
    expect(mails, `mails: ${JSON.stringify(mails.map((m) => m.Subject))}`).toHaveLength(1);
    const sms = (await svc.requests('twilio')).filter((r) => String(r.body.Body).includes(cmd.ticketNumber));
    expect(sms).toHaveLength(1);
    expect((await rowsOf(cmd.ticketId)).map((r) => r.attempts)).toEqual([1, 1]);
  });
});

describe('a channel that keeps failing', () => {
  it('is given up after its retries, alerts the IT lead on another channel and publishes notification.delivery_failed', async () => {
    await fetch(`${svc.stubs.url}/_stub/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'slack', count: 1000 }) });
    try {
      const cmd = escalationCommand({ priority: 'P2', targets: [{ kind: 'user', userId: 'alex.agent' }], channels: ['slack'] });
      await svc.publish(cmd);
      const failed = await eventually(
        'the slack delivery to fail',
        async () => (await rowsOf(cmd.ticketId)).find((r) => r.kind === 'page' && r.status === 'failed'),
        30_000,
      );
      expect(failed.attempts).toBe(4);
      const alert = await eventually('the alert mail to the IT lead', async () =>
        (await mailpitSearch(`to:lee.lead@tierline.test subject:"${cmd.ticketNumber}"`)).find((m) => m.Subject.includes('could not be delivered')),
      );
      expect(alert.Subject).toBe(`[P2] ${cmd.ticketNumber}: a slack page to Alex Agent could not be delivered`);
      const event = await eventually('the delivery_failed event', async () =>
        svc.events.find((e) => e.type === 'notification.delivery_failed' && e.ticketId === cmd.ticketId),
      );
      expect(event.data).toMatchObject({ channel: 'slack', recipientId: 'demo-alex-agent', attempts: 4, alertedVia: { userId: 'demo-lee-lead', channel: 'email' } });
      const rows = await rowsOf(cmd.ticketId);
      expect(rows.find((r) => r.kind === 'alert')).toMatchObject({ channel: 'email', status: 'sent', recipient_id: 'demo-lee-lead' });
    } finally {
      await fetch(`${svc.stubs.url}/_stub/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'slack', count: 0 }) });
    }
  });
});

describe('quiet hours', () => {
  it('hold a P3 page until they end but let a P1 through', async () => {
    // Sam's quiet hours cover the whole day except the minute before now, so "now" is inside.
    const tz = 'UTC';
    const now = new Date();
    const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    const end = new Date(now.getTime() + 23 * 60 * 60_000);
    await svc.sql`update recipients set quiet_start = ${hhmm(now)}, quiet_end = ${hhmm(end)}, quiet_time_zone = ${tz} where user_id = 'demo-sam-specialist'`;
    try {
      const p3 = escalationCommand({ priority: 'P3', targets: [{ kind: 'user', userId: 'sam.specialist' }], channels: ['email'] });
      const p1 = escalationCommand({ priority: 'P1', targets: [{ kind: 'user', userId: 'sam.specialist' }], channels: ['email'] });
      await svc.publish(p3);
      await svc.publish(p1);
      await eventually('the P1 mail', async () => (await mailpitSearch(`to:sam.specialist@tierline.test subject:"${p1.ticketNumber}"`))[0]);
      const [held] = await svc.sql<{ status: string; scheduled_at: Date | null }[]>`select status, scheduled_at from deliveries where ticket_id = ${p3.ticketId}`;
      expect(held?.status).toBe('queued');
      expect(held?.scheduled_at?.getTime()).toBeGreaterThan(Date.now() + 22 * 60 * 60_000);
      expect(await mailpitSearch(`to:sam.specialist@tierline.test subject:"${p3.ticketNumber}"`)).toHaveLength(0);
    } finally {
      await svc.sql`update recipients set quiet_start = null, quiet_end = null, quiet_time_zone = null where user_id = 'demo-sam-specialist'`;
    }
  });
});

describe('the delivery status API', () => {
  it('lists a ticket\'s deliveries to IT staff and refuses others', async () => {
    const cmd = escalationCommand({ targets: [{ kind: 'user', userId: 'lee.lead' }], channels: ['email'] });
    await svc.publish(cmd);
    await eventually('the delivery', async () => ((await rowsOf(cmd.ticketId))[0]?.status === 'sent' ? true : undefined));
    const get = async (token?: string) =>
      fetch(`${svc.baseUrl}/api/v1/notifications?ticketId=${cmd.ticketId}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const ok = await get(await svc.tokens.sign(['it_agent']));
    const body = (await ok.json()) as { deliveries: { channel: string; status: string; attempts: number; recipientUsername: string }[] };
    expect(ok.status, JSON.stringify(body)).toBe(200);
    expect(body.deliveries).toMatchObject([{ channel: 'email', status: 'sent', attempts: 1, recipientUsername: 'lee.lead' }]);
    expect(JSON.stringify(body)).not.toContain('@tierline.test');
    expect((await get()).status).toBe(401);
    expect((await get(await svc.tokens.sign(['it_agent'], 'tierline-ticket'))).status).toBe(401);
    expect((await get(await svc.tokens.sign(['clinic_staff']))).status).toBe(403);
    expect((await get(await svc.tokens.sign(['vendor']))).status).toBe(403);
    const bad = await fetch(`${svc.baseUrl}/api/v1/notifications?ticketId=nope`, { headers: { authorization: `Bearer ${await svc.tokens.sign(['it_lead'])}` } });
    expect(bad.status).toBe(400);
  });
});

describe('a command that cannot be handled', () => {
  it('is copied to the dead-letter stream and announced, not dropped silently', async () => {
    const dead: { reason: string | undefined; data: string }[] = [];
    const sub = svc.nc.subscribe('tierline.dead_letters.notify', {
      callback: (_err, m) => {
        dead.push({ reason: m.headers?.get('Tierline-Reason'), data: m.string() });
      },
    });
    try {
      const marker = `not-a-command-${Date.now()}`;
      await svc.publish({ idempotencyKey: marker, template: 'nope' } as never);
      const letter = await eventually('the dead letter', async () => dead.find((d) => d.data.includes(marker)));
      expect(letter.reason).toBe('invalid command');
      await eventually('the delivery_failed event', async () =>
        svc.events.find((e) => e.type === 'notification.delivery_failed' && e.data.reason === 'invalid command'),
      );
    } finally {
      sub.unsubscribe();
    }
  });
});
