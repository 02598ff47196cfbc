/**
 * Mail in, end to end on real components: real SMTP to the listener, the notification database,
 * the identity directory synced from the real Keycloak, the ticket service with the ticket
 * workflow on the real Temporal, NATS, and Mailpit for what Tierline answers.
 */
import '@tierline/testing/quiet-temporal';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@tierline/platform';
import { DEMO_PASSWORD, loginAs } from '@tierline/testing';
import { escalationCommand, eventually, mailpitBody, mailpitSearch, notificationTest, type Notification } from '../test/harness.js';
import { startInbound } from './index.js';
import { replyAddressFor } from './reply-address.js';
import { deliver, rawMail } from './test/smtp.js';

const test = notificationTest('inbound', { directory: { workflows: true } });
const logger = createLogger('nt-inbound', process.env.LOG_LEVEL ?? 'silent');
const NORA = 'nora.nurse@north.clinic.test';
const SAM = 'sam.staff@south.clinic.test';
const HELP = 'help@clinic.example';

let svc: Notification;
let inbound: Awaited<ReturnType<typeof startInbound>>;
let noraId: string;
const emailEvents: { type: string; ticketId?: string; data: Record<string, unknown> }[] = [];

const inboundEnv = () => ({ ...svc.env, INBOUND_SMTP_PORT: 0, POLL_INTERVAL_MS: 300, INBOUND_RETRY_MS: [300, 600] });

test.beforeAll(async ({ notification }) => {
  svc = notification;
  noraId = await svc.directory.userId('nora.nurse');
  const sub = svc.nc.subscribe('tierline.events.ticket.email_received', {
    callback: (_e, m) => {
      emailEvents.push(m.json());
    },
  });
  inbound = await startInbound({ env: inboundEnv(), sql: svc.sql, logger });
  return async () => {
    sub.unsubscribe();
    await inbound?.stop();
  };
});

const rowOf = (messageId: string) =>
  svc.sql<{ status: string; outcome: string | null; ticket_number: string | null; attachment_count: number }[]>`
    select status, outcome, ticket_number, attachment_count from inbound_messages where message_id = ${messageId}`.then((r) => r[0]);
const processed = (messageId: string) => eventually(`mail ${messageId} processed`, async () => {
  const r = await rowOf(messageId);
  return r && r.status !== 'received' ? r : undefined;
});
const ticketsTitled = (title: string) =>
  svc.directory.ticketSql<{ id: string; number: string; site_id: string; requester_id: string; description: string; category: string; status: string }[]>`
    select id, number, site_id, requester_id, description, category, status from tickets where title = ${title}`;
const commentsOf = (ticketId: string) =>
  svc.directory.ticketSql<{ author_id: string; visibility: string; body: string }[]>`select author_id, visibility, body from ticket_comments where ticket_id = ${ticketId} order by created_at`;

async function send(m: Parameters<typeof rawMail>[0], envelope?: { from?: string; to?: string[] }) {
  const { raw, messageId } = rawMail(m);
  const answer = await deliver(inbound.port, { from: envelope?.from ?? /<([^>]+)>/.exec(m.from)?.[1] ?? m.from, to: envelope?.to ?? [m.to] }, raw);
  return { raw, messageId, answer };
}

/** Opens a ticket as Nora by mail and waits for it. */
async function noraOpens(title: string, body = 'The label printer on ward 4 prints blank labels.') {
  const sent = await send({ from: `Nora Nurse <${NORA}>`, to: HELP, subject: title, body });
  const row = await processed(sent.messageId);
  expect(row.status, row.outcome ?? '').toBe('done');
  const [t] = await ticketsTitled(title);
  expect(t, `no ticket titled ${title}`).toBeDefined();
  return { ...sent, ticket: t! };
}

describe('a mail to the help desk', () => {
  it('from a directory user opens a ticket for them, on their site, with the quoted history stripped, and records the email channel', async () => {
    const title = `Label printer blank ${randomUUID().slice(0, 8)}`;
    const sent = await send({
      from: `Nora Nurse <${NORA}>`,
      to: HELP,
      subject: `Fwd: ${title}`,
      body: 'The label printer prints blank labels.\n\nOn Mon, 1 Dec 2026, Ward Clerk <clerk@north.clinic.test> wrote:\n> patient labels for bed 7 are blank',
      attachment: { name: 'screen.txt', content: 'error 42' },
    });
    expect(sent.answer.response).toMatch(/^250 .*stored as/);
    const row = await processed(sent.messageId);
    expect(row).toMatchObject({ status: 'done', attachment_count: 1 });
    const [t, ...more] = await ticketsTitled(title);
    expect(more).toHaveLength(0);
    expect(t).toMatchObject({ site_id: 'north', requester_id: noraId, description: 'The label printer prints blank labels.', category: 'other' });
    expect(row.ticket_number).toBe(t!.number);
    await eventually('the email channel event', async () => emailEvents.find((e) => e.ticketId === t!.id));
    expect(emailEvents.find((e) => e.ticketId === t!.id)?.data).toEqual({ number: t!.number, channel: 'email', action: 'opened', attachments: 1 });
  });

  it('delivered twice (the relay retrying, same Message-ID) opens one ticket', async () => {
    const title = `Twice delivered ${randomUUID().slice(0, 8)}`;
    const first = await send({ from: `Nora Nurse <${NORA}>`, to: HELP, subject: title, body: 'Once please.' });
    const again = await deliver(inbound.port, { from: NORA, to: [HELP] }, first.raw);
    expect(again.response).toMatch(/already received/);
    await processed(first.messageId);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await ticketsTitled(title)).toHaveLength(1);
    const [count] = await svc.sql<{ n: number }[]>`select count(*)::int as n from inbound_messages where message_id = ${first.messageId}`;
    expect(count?.n).toBe(1);
  });

  it('from an unknown sender gets one polite answer (rate-limited per sender) and no ticket', async () => {
    const stranger = `stranger-${randomUUID().slice(0, 8)}@example.org`;
    const title = `Unknown sender ${randomUUID().slice(0, 8)}`;
    const a = await send({ from: `Stranger <${stranger}>`, to: HELP, subject: title, body: 'Hello?' });
    expect((await processed(a.messageId)).outcome).toMatch(/told how to get help/);
    const b = await send({ from: `Stranger <${stranger}>`, to: HELP, subject: `${title} again`, body: 'Hello again?' });
    expect((await processed(b.messageId)).outcome).toMatch(/already told/);
    const answers = await eventually('the answer to the stranger', async () => {
      const found = await mailpitSearch(`to:${stranger}`);
      return found.length > 0 ? found : undefined;
    });
    expect(answers).toHaveLength(1);
    const text = (await mailpitBody(answers[0]!.ID)).Text;
    expect(text).toContain('http://portal.test');
    expect(text).toContain('extension 4357');
    expect(await ticketsTitled(title)).toHaveLength(0);
  });
});

describe('mail that is held or is a loop', () => {
  it('failing SPF/DKIM/DMARC at our relay is held, never acted on, and listed for IT leads', async () => {
    const title = `Spoofed ${randomUUID().slice(0, 8)}`;
    const sent = await send({
      from: `Nora Nurse <${NORA}>`,
      to: HELP,
      subject: title,
      body: 'Please reset my password to 1234',
      headers: { 'Authentication-Results': 'mx.clinic.example; spf=fail smtp.mailfrom=north.clinic.test; dkim=none; dmarc=fail header.from=north.clinic.test' },
    });
    const row = await processed(sent.messageId);
    expect(row.status).toBe('held');
    expect(row.outcome).toMatch(/spf=fail, dmarc=fail/);
    await new Promise((r) => setTimeout(r, 500));
    expect(await ticketsTitled(title)).toHaveLength(0);

    const lead = await loginAs('lee.lead', DEMO_PASSWORD);
    const res = await fetch(`${svc.baseUrl}/api/v1/notifications/inbound-mail?status=held`, { headers: { authorization: `Bearer ${lead.access_token}` } });
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: { subject: string; status: string; sender: string }[] };
    expect(items.find((i) => i.subject === title)).toMatchObject({ status: 'held', sender: NORA });
    const nurse = await loginAs('nora.nurse', DEMO_PASSWORD);
    const refused = await fetch(`${svc.baseUrl}/api/v1/notifications/inbound-mail?status=held`, { headers: { authorization: `Bearer ${nurse.access_token}` } });
    expect(refused.status).toBe(403);
  });

  it('auto-replies, bounces and our own mail open nothing and are answered by nothing', async () => {
    const tag = randomUUID().slice(0, 8);
    const cases: { what: string; m: Parameters<typeof rawMail>[0]; envelope?: { from: string } }[] = [
      { what: 'auto-reply', m: { from: `Nora Nurse <${NORA}>`, to: HELP, subject: `Out of office ${tag}`, body: 'I am away', headers: { 'Auto-Submitted': 'auto-replied' } } },
      { what: 'bounce', m: { from: `Mail Delivery System <mailer-daemon@north.clinic.test>`, to: HELP, subject: `Undeliverable ${tag}`, body: 'failed' }, envelope: { from: '' } },
      { what: 'own mail', m: { from: 'Tierline <tierline@tierline.test>', to: HELP, subject: `Own mail ${tag}`, body: 'loop' } },
      { what: 'Outlook auto-response', m: { from: `Nora Nurse <${NORA}>`, to: HELP, subject: `Automatic ${tag}`, body: 'x', headers: { 'X-Auto-Response-Suppress': 'All' } } },
    ];
    for (const c of cases) {
      const sent = await send(c.m, c.envelope);
      const row = await processed(sent.messageId);
      expect(row.status, c.what).toBe('ignored');
      expect(await ticketsTitled(c.m.subject), c.what).toHaveLength(0);
    }
    expect(await mailpitSearch(`to:mailer-daemon@north.clinic.test`)).toHaveLength(0);
  });

  it('refuses clients that are not the relay, recipients that are not the help desk, and messages over the size limit', async () => {
    await expect(deliver(inbound.port, { from: NORA, to: ['someone@elsewhere.example'] }, rawMail({ from: NORA, to: 'someone@elsewhere.example', subject: 'relay?', body: 'x' }).raw)).rejects.toThrow(/550/);
    const small = await startInbound({ env: { ...inboundEnv(), INBOUND_MAX_BYTES: 2048 }, sql: svc.sql, logger, process: false });
    try {
      await expect(deliver(small.port, { from: NORA, to: [HELP] }, rawMail({ from: NORA, to: HELP, subject: 'too big', body: 'x'.repeat(4096) }).raw)).rejects.toThrow(/552/);
    } finally {
      await small.stop();
    }
    const closed = await startInbound({ env: { ...inboundEnv(), INBOUND_ALLOWED_CLIENTS: ['10.9.9.9'] }, sql: svc.sql, logger, process: false });
    try {
      await expect(deliver(closed.port, { from: NORA, to: [HELP] }, rawMail({ from: NORA, to: HELP, subject: 'from outside', body: 'x' }).raw)).rejects.toThrow(/554|relay/);
    } finally {
      await closed.stop();
    }
  });
});

describe('a reply to a ticket’s reply address', () => {
  let opened: Awaited<ReturnType<typeof noraOpens>>;
  let replyTo: string;
  beforeAll(async () => {
    opened = await noraOpens(`Scanner jammed ${randomUUID().slice(0, 8)}`);
    // Tierline's mail about the ticket carries its reply address (here a page to the IT lead).
    const cmd = escalationCommand({ ticketId: opened.ticket.id, ticketNumber: opened.ticket.number, siteId: 'north', targets: [{ kind: 'it_lead' }], channels: ['email'] });
    await svc.publish(cmd);
    const mail = await eventually('the page with its Reply-To', async () => {
      const found = await mailpitSearch(`subject:"${opened.ticket.number}" to:lee.lead@it.tierline.test`);
      return found[0];
    });
    const headers = (await (await fetch(`${process.env.MAILPIT_URL ?? 'http://127.0.0.1:8025'}/api/v1/message/${mail.ID}/headers`)).json()) as Record<string, string[]>;
    replyTo = headers['Reply-To']![0]!;
    expect(headers['Auto-Submitted']).toEqual(['auto-generated']);
    expect(replyTo).toBe(replyAddressFor(opened.ticket.number, { helpdeskAddress: HELP, keys: svc.env.REPLY_TOKEN_KEYS }));
  });

  it("from the requester becomes a public comment, quote stripped, and resumes the ticket waiting on her", async () => {
    const alex = await loginAs('alex.agent', DEMO_PASSWORD);
    const waited = await fetch(`${svc.directory.ticketUrl}/api/v1/tickets/${opened.ticket.id}/wait-on-requester`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alex.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'Which tray?' }),
    });
    expect(waited.status).toBe(200);
    await eventually('the ticket waiting on the requester', async () => {
      const [t] = await svc.directory.ticketSql<{ status: string }[]>`select status from tickets where id = ${opened.ticket.id}`;
      return t?.status === 'waiting_on_requester' ? t : undefined;
    });

    const sent = await send(
      { from: `Nora Nurse <${NORA}>`, to: replyTo, subject: `Re: ${opened.ticket.number}`, body: 'The left tray.\n\nOn Tue, 2 Dec 2026, Tierline <tierline@tierline.test> wrote:\n> Which tray?' },
      { to: [replyTo] },
    );
    const row = await processed(sent.messageId);
    expect(row.status, row.outcome ?? '').toBe('done');
    const comment = await eventually('the comment', async () => (await commentsOf(opened.ticket.id)).find((c) => c.author_id === noraId));
    expect(comment).toEqual({ author_id: noraId, visibility: 'public', body: 'The left tray.' });
    await eventually('the ticket resumed', async () => {
      const [t] = await svc.directory.ticketSql<{ status: string }[]>`select status from tickets where id = ${opened.ticket.id}`;
      return t?.status !== 'waiting_on_requester' ? t : undefined;
    });
    // Delivered again: still one comment.
    await deliver(inbound.port, { from: NORA, to: [replyTo] }, sent.raw);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await commentsOf(opened.ticket.id)).filter((c) => c.author_id === noraId)).toHaveLength(1);
  });

  it('with a forged token, or the token of another ticket, lands nowhere', async () => {
    const other = await noraOpens(`Other ticket ${randomUUID().slice(0, 8)}`);
    const before = (await commentsOf(other.ticket.id)).length;
    // The token of `opened` under the number of `other`.
    const token = replyTo.split('@')[0]!.split('.').pop()!;
    const stolen = `help+${other.ticket.number.toLowerCase()}.${token}@clinic.example`;
    const forged = `help+${other.ticket.number.toLowerCase()}.${'0'.repeat(24)}@clinic.example`;
    for (const to of [stolen, forged]) {
      const sent = await send({ from: `Nora Nurse <${NORA}>`, to, subject: 'Re: hijack', body: 'Injected text' }, { to: [to] });
      const row = await processed(sent.messageId);
      expect(row.status).toBe('held');
      expect(row.outcome).toMatch(/token does not match/);
    }
    expect(await commentsOf(other.ticket.id)).toHaveLength(before);
    expect((await commentsOf(opened.ticket.id)).some((c) => c.body === 'Injected text')).toBe(false);
  });

  it('from someone who is neither requester, watcher nor IT lands nowhere', async () => {
    const sent = await send({ from: `Sam Staff <${SAM}>`, to: replyTo, subject: `Re: ${opened.ticket.number}`, body: 'Not my ticket' }, { to: [replyTo] });
    const row = await processed(sent.messageId);
    expect(row.status).toBe('ignored');
    expect(row.outcome).toMatch(/not the requester, a watcher or IT/);
    expect((await commentsOf(opened.ticket.id)).some((c) => c.body === 'Not my ticket')).toBe(false);
  });
});

describe('a reply to a closed ticket', () => {
  it('adds nothing and gets a polite answer', async () => {
    const t = await noraOpens(`Closed soon ${randomUUID().slice(0, 8)}`);
    const alex = await loginAs('alex.agent', DEMO_PASSWORD);
    for (const [action, body] of [['resolve', { resolution: 'Printer replaced' }], ['close', {}]] as const) {
      const res = await fetch(`${svc.directory.ticketUrl}/api/v1/tickets/${t.ticket.id}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alex.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, action).toBe(200);
    }
    await eventually('the ticket closed', async () => {
      const [row] = await svc.directory.ticketSql<{ status: string }[]>`select status from tickets where id = ${t.ticket.id}`;
      return row?.status === 'closed' ? row : undefined;
    });
    const to = replyAddressFor(t.ticket.number, { helpdeskAddress: HELP, keys: svc.env.REPLY_TOKEN_KEYS });
    const sent = await send({ from: `Nora Nurse <${NORA}>`, to, subject: `Re: ${t.ticket.number}`, body: 'Still broken' }, { to: [to] });
    const row = await processed(sent.messageId);
    expect(row.outcome).toMatch(/closed/);
    expect((await commentsOf(t.ticket.id)).some((c) => c.body === 'Still broken')).toBe(false);
    const answer = await eventually('the closed-ticket answer', async () => (await mailpitSearch(`to:${NORA} subject:"${t.ticket.number} is closed"`))[0]);
    expect((await mailpitBody(answer.ID)).Text).toContain('http://portal.test');
  });
});

describe('a crash or a failure between accepting and processing', () => {
  it('loses nothing: the next process works through what the dead one stored', async () => {
    await inbound.stop();
    const dying = await startInbound({ env: inboundEnv(), sql: svc.sql, logger, process: false });
    const title = `After the crash ${randomUUID().slice(0, 8)}`;
    const { raw, messageId } = rawMail({ from: `Nora Nurse <${NORA}>`, to: HELP, subject: title, body: 'Stored before the crash.' });
    expect((await deliver(dying.port, { from: NORA, to: [HELP] }, raw)).response).toMatch(/^250/);
    await dying.stop();
    expect((await rowOf(messageId))?.status).toBe('received');
    expect(await ticketsTitled(title)).toHaveLength(0);

    inbound = await startInbound({ env: inboundEnv(), sql: svc.sql, logger });
    expect((await processed(messageId)).status).toBe('done');
    expect(await ticketsTitled(title)).toHaveLength(1);
  });

  it('retries a message whose processing failed (the ticket service unreachable), and opens its ticket once', async () => {
    await inbound.stop();
    const cut = await startInbound({ env: { ...inboundEnv(), TICKET_SERVICE_URL: 'http://127.0.0.1:9', INBOUND_RETRY_MS: [60_000] }, sql: svc.sql, logger });
    const title = `While the ticket service was down ${randomUUID().slice(0, 8)}`;
    const { raw, messageId } = rawMail({ from: `Nora Nurse <${NORA}>`, to: HELP, subject: title, body: 'Retry me.' });
    await deliver(cut.port, { from: NORA, to: [HELP] }, raw);
    const failed = await eventually('the failed attempt', async () => {
      const [r] = await svc.sql<{ status: string; attempts: number; last_error: string | null }[]>`select status, attempts, last_error from inbound_messages where message_id = ${messageId}`;
      return r?.last_error ? r : undefined;
    });
    expect(failed).toMatchObject({ status: 'received', attempts: 1 });
    expect(failed.last_error).toMatch(/unreachable/);
    await cut.stop();
    // Due at once (as if its delay had passed), on a process that reaches the ticket service.
    await svc.sql`update inbound_messages set next_attempt_at = now() where message_id = ${messageId}`;
    inbound = await startInbound({ env: inboundEnv(), sql: svc.sql, logger });
    expect((await processed(messageId)).status).toBe('done');
    expect(await ticketsTitled(title)).toHaveLength(1);
    const [r] = await svc.sql<{ attempts: number }[]>`select attempts from inbound_messages where message_id = ${messageId}`;
    expect(r?.attempts).toBe(2);
  });
});

