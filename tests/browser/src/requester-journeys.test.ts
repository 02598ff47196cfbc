/**
 * Issue 13's requester journeys in a real Chromium against the real stack (the notifier with
 * status updates, mail in over SMTP, Mailpit, the Twilio stand-in, the object store):
 * 1. the nurse reports with a photo; IT asks her a question; the question reaches her by email
 *    (read back from Mailpit); she answers by replying to that email over real SMTP, and the
 *    ticket's clock resumes: her portal page shows it being worked on and her reply as a comment;
 * 2. IT resolves; the resolved email carries "Fixed" / "Not fixed"; she opens "Not fixed", which
 *    changes nothing until she presses the button with her reason; the ticket is reopened;
 * 3. she chooses SMS and quiet hours around now on her profile page; IT's next reply is held
 *    while they last (no SMS, no email), then reaches her by SMS only once they end.
 */
import { randomUUID } from 'node:crypto';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD, loginAs, testEnv } from '@tierline/testing';
import { axeCheck, launchBrowser, newPage, screenshot, signIn, TABLET } from './browser.js';
import { PORTAL_ORIGIN, startStack, type Stack } from './stack.js';

/** Her account email in Keycloak: what the notifier mails her at and what mail in knows her by. */
const NORA_EMAIL = 'nora.nurse@north.clinic.test';
const NORA_MOBILE = '+447700900123';
const QUESTION = 'Which room is the label printer in, and is its green light on?';
const ANSWER = 'It is in treatment room 3. The green light blinks slowly.';
const RESOLUTION = 'Replaced the print head of the label printer.';
const NOT_FIXED = 'It prints again but every second label is blank.';
const IT_REPLY = 'A new label roll is on its way to treatment room 3.';

let stack: Stack;
let browser: Browser;
let nurse: Awaited<ReturnType<typeof newPage>>;
let agentToken = '';
let ticket: { id: string; number: string };

interface MailpitSummary {
  ID: string;
  Subject: string;
  To: { Address: string }[];
}
interface MailpitMessage {
  ID: string;
  MessageID: string;
  Subject: string;
  Text: string;
  ReplyTo: { Address: string }[];
  To: { Address: string }[];
}

/**
 * The emails to nora about this run's ticket, oldest first. Other runs share Mailpit and number
 * their tickets the same way: the ticket page's link (with this ticket's id) tells them apart.
 */
async function mailsToNora(): Promise<MailpitMessage[]> {
  const { mailpitUrl } = testEnv();
  const res = await fetch(`${mailpitUrl}/api/v1/search?${new URLSearchParams({ query: `to:"${NORA_EMAIL}" subject:"${ticket.number}"`, limit: '100' }).toString()}`);
  if (!res.ok) throw new Error(`mailpit search answered ${res.status}`);
  const { messages } = (await res.json()) as { messages: MailpitSummary[] };
  const mine: MailpitMessage[] = [];
  for (const m of messages) {
    if (!m.To.some((t) => t.Address === NORA_EMAIL)) continue;
    const full = (await (await fetch(`${mailpitUrl}/api/v1/message/${m.ID}`)).json()) as MailpitMessage;
    if (full.Text.includes(`/tickets/${ticket.id}`)) mine.push(full);
  }
  return mine.reverse();
}

interface RecordedSms {
  receivedAt: string;
  body: { To?: string; Body?: string };
}
async function smsToNora(): Promise<RecordedSms[]> {
  const res = await fetch(`${stack.stubsUrl}/_stub/requests?provider=twilio`);
  const { requests } = (await res.json()) as { requests: RecordedSms[] };
  return requests.filter((r) => r.body.To === NORA_MOBILE);
}

/** An IT agent acting through the ticket service's API. */
async function asAgent(action: string, body: Record<string, unknown>) {
  const res = await fetch(`${stack.ticketUrl}/api/v1/tickets/${ticket.id}/${action}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, `${action}: ${await res.clone().text()}`).toBe(200);
}

async function status(): Promise<string | undefined> {
  const [row] = await stack.ticketSql<{ status: string }[]>`select status from tickets where id = ${ticket.id}`;
  return row?.status;
}

/** Delivers a raw message over real SMTP, as the clinic's relay would; resolves with the server's answer. */
async function deliver(envelope: { from: string; to: string[] }, raw: string): Promise<string> {
  const conn = new SMTPConnection({ host: '127.0.0.1', port: stack.inboundSmtpPort!, ignoreTLS: true, secure: false, connectionTimeout: 5_000 });
  await new Promise<void>((resolve, reject) => {
    conn.once('error', reject);
    conn.connect(() => resolve());
  });
  try {
    return await new Promise((resolve, reject) => conn.send(envelope, raw, (err, info) => (err ? reject(err) : resolve(info.response))));
  } finally {
    conn.quit();
  }
}

const plainStatus = (page: Page) => page.getByTestId('plain-status').textContent();

/** HH:MM of `at` on the wall clock of `timeZone`. */
const wallClock = (at: Date, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);

beforeAll(async () => {
  // Updates coalesce for 300 ms instead of a minute, so each arrives within a second or two.
  stack = await startStack('requester-journeys', { vendorEmail: true, updateCoalesceMs: 300 });
  browser = await launchBrowser(stack.proxyUrl);
  nurse = await newPage(browser, TABLET);
  agentToken = (await loginAs('alex.agent', DEMO_PASSWORD)).access_token;
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the requester’s journeys in Chromium', () => {
  it('she reports with a photo; IT’s question reaches her by email; her emailed reply resumes the ticket', async () => {
    const page = nurse.page;
    await signIn(page, 'nora.nurse');
    await page.getByRole('heading', { level: 1, name: 'Report a problem' }).waitFor();
    await page.getByLabel('Short summary').fill('Label printer prints smudged labels');
    await page.getByLabel('Kind of problem').selectOption('printer_scanner');
    await page.getByLabel('Just me (one person)').check();
    await page.getByLabel('Medium – slowing work down').check();
    // A real JPEG, as a tablet's camera makes one (with the camera's metadata, which the server strips).
    const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 180, g: 40, b: 40 } } })
      .jpeg()
      .withExif({ IFD0: { Make: 'ClinicTab', Model: 'T-8' } })
      .toBuffer();
    await page.getByLabel('Photos, screenshots or files').setInputFiles({ name: 'IMG_2041.jpg', mimeType: 'image/jpeg', buffer: photo });
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.getByText('your report was received as').waitFor();
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const number = (await page.locator('.ticket-number').first().textContent())!.trim();
    ticket = { id, number };
    expect(number).toMatch(/^[A-Z]+-\d+/);
    await expect.poll(() => page.getByTestId('attachment').count()).toBe(1);
    expect(await page.getByTestId('attachment').first().textContent()).toMatch(/IMG_2041\.jpg\s*JPEG photo, \d+ bytes, added/);

    // IT picks it up and asks her a question (through the API, as the workspace does).
    await asAgent('acknowledge', {});
    await asAgent('wait-on-requester', { reason: QUESTION });
    await expect.poll(() => plainStatus(page), { timeout: 15_000 }).toBe('Waiting for you');

    // The question reaches her mailbox with IT's words and the ticket's reply address.
    let asked: MailpitMessage | undefined;
    await expect
      .poll(async () => (asked = (await mailsToNora()).find((m) => m.Text.includes(QUESTION))), { timeout: 30_000, interval: 500 })
      .toBeDefined();
    expect(asked!.Subject).toContain(number);
    expect(asked!.Text).toContain('To answer, reply to this email');
    const replyTo = asked!.ReplyTo[0]?.Address ?? '';
    expect(replyTo).toMatch(new RegExp(`^help\\+${number.toLowerCase()}\\.[0-9a-f]{24}@clinic\\.example$`, 'i'));

    // She answers from her mail client: a reply to that email, the question quoted below.
    const messageId = `${randomUUID()}@mail.north.clinic.test`;
    const raw = [
      `From: Nora Nurse <${NORA_EMAIL}>`,
      `To: ${replyTo}`,
      `Subject: Re: ${asked!.Subject}`,
      `Message-ID: <${messageId}>`,
      `In-Reply-To: <${asked!.MessageID}>`,
      `References: <${asked!.MessageID}>`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      ANSWER,
      '',
      `On ${new Date().toUTCString()}, Tierline IT <help@clinic.example> wrote:`,
      ...asked!.Text.split('\n').map((l) => `> ${l}`),
      '',
    ].join('\r\n');
    expect(await deliver({ from: NORA_EMAIL, to: [replyTo] }, raw)).toMatch(/^250/);

    // The clock resumes: her page shows the ticket being worked on and her reply, without the quote.
    await expect.poll(() => plainStatus(page), { timeout: 30_000 }).toBe('Being worked on');
    const comments = page.locator('.comments .comment');
    await expect.poll(() => comments.allTextContents(), { timeout: 10_000 }).toContainEqual(expect.stringContaining(ANSWER));
    const mine = (await comments.allTextContents()).find((t) => t.includes(ANSWER))!;
    expect(mine).toMatch(/^You/);
    expect(mine).not.toContain(QUESTION);
    expect(await status()).toBe('in_progress');
    const rows = await stack.ticketSql<{ visibility: string; body: string }[]>`select visibility, body from ticket_comments where ticket_id = ${ticket.id} and body like ${`%${ANSWER}%`}`;
    expect(rows).toEqual([{ visibility: 'public', body: ANSWER }]);
    expect(await axeCheck(page), 'her ticket page after her emailed reply').toEqual([]);
  });

  it('the resolved email’s "Not fixed" changes nothing until she presses the button with her reason; the ticket reopens', async () => {
    const page = nurse.page;
    await asAgent('resolve', { resolution: RESOLUTION });
    await expect.poll(() => plainStatus(page), { timeout: 15_000 }).toBe('Fixed – please confirm');

    let resolved: MailpitMessage | undefined;
    await expect.poll(async () => (resolved = (await mailsToNora()).find((m) => m.Text.includes('Not fixed:'))), { timeout: 30_000, interval: 500 }).toBeDefined();
    expect(resolved!.Text).toContain(RESOLUTION);
    const notFixed = /Not fixed: (\S+)/.exec(resolved!.Text)![1]!;
    expect(notFixed.startsWith(`${stack.identityUrl}/r/`)).toBe(true);
    expect(resolved!.Text).toMatch(new RegExp(`Fixed: ${stack.identityUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/r/\\S+`));

    // Opening the link (as a mail scanner would, too) changes nothing.
    const linkPage = (await newPage(browser, TABLET)).page;
    const opened = await linkPage.goto(notFixed);
    expect(opened?.status()).toBe(200);
    await linkPage.getByRole('heading', { level: 1, name: `Ticket ${ticket.number} is not fixed?` }).waitFor();
    expect(await status()).toBe('resolved');
    await linkPage.reload();
    await linkPage.getByRole('heading', { level: 1, name: `Ticket ${ticket.number} is not fixed?` }).waitFor();
    expect(await status(), 'a second look changes nothing either').toBe('resolved');
    expect(await axeCheck(linkPage), 'the "Not fixed" page').toEqual([]);
    await screenshot(linkPage, 'requester-not-fixed');

    await linkPage.getByLabel('What is still wrong? (required)').fill(NOT_FIXED);
    await linkPage.getByRole('button', { name: 'Reopen the ticket' }).click();
    await linkPage.locator('h1[role="status"]', { hasText: `Ticket ${ticket.number} is reopened` }).waitFor();
    expect(await axeCheck(linkPage), 'the reopened page').toEqual([]);
    await linkPage.context().close();

    // Her portal page shows the ticket back with IT, her reason on it.
    await expect.poll(() => plainStatus(page), { timeout: 15_000 }).toBe('Being worked on');
    await expect.poll(() => page.locator('.comments .comment').allTextContents(), { timeout: 10_000 }).toContainEqual(expect.stringMatching(new RegExp(`Reason for reopening.*${NOT_FIXED}`, 's')));
    expect(await status()).toBe('in_progress');
    const reasons = await stack.ticketSql<{ kind: string; visibility: string; body: string }[]>`
      select kind, visibility, body from ticket_comments where ticket_id = ${ticket.id} and kind = 'reopen_reason'`;
    expect(reasons).toEqual([{ kind: 'reopen_reason', visibility: 'public', body: NOT_FIXED }]);
    expect(nurse.problems).toEqual([]);
  });

  it('her quiet hours hold IT’s next reply; it reaches her by SMS only once they end, and no email goes', async () => {
    const page = nurse.page;
    // Quiet hours around now, in a time zone half an hour off the hour (Newfoundland's), ending at a minute's turn
    // 40 to 100 seconds away (quiet hours are set to the minute).
    const zone = 'America/St_Johns';
    const quietEnd = new Date(Math.ceil((Date.now() + 40_000) / 60_000) * 60_000);
    const quietStart = new Date(quietEnd.getTime() - 10 * 60_000);
    await page.getByRole('link', { name: 'Your profile' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your profile' }).waitFor();
    await page.getByLabel('Mobile number').fill(NORA_MOBILE);
    await page.getByLabel('SMS (text message)').check();
    await page.getByLabel('Do not send me SMS or chat messages during quiet hours').check();
    await page.getByLabel('Quiet from').fill(wallClock(quietStart, zone));
    await page.getByLabel('Quiet until').fill(wallClock(quietEnd, zone));
    await page.getByLabel('Time zone').selectOption(zone);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved. The next update about your tickets follows these settings.').waitFor();

    const mailsBefore = (await mailsToNora()).length;
    expect(await smsToNora()).toEqual([]);
    await asAgent('comments', { body: IT_REPLY, visibility: 'public' });

    // While her quiet hours last, nothing reaches her on any channel.
    while (Date.now() < quietEnd.getTime() - 3_000) {
      expect(await smsToNora(), 'no SMS during her quiet hours').toEqual([]);
      expect((await mailsToNora()).length, 'no email either: she chose SMS').toBe(mailsBefore);
      await new Promise((r) => setTimeout(r, 2_000));
    }

    // Once they end, one SMS: the ticket's number and its link, never IT's words.
    let sms: RecordedSms[] = [];
    await expect.poll(async () => (sms = await smsToNora()).length, { timeout: 40_000, interval: 500 }).toBe(1);
    expect(Date.parse(sms[0]!.receivedAt)).toBeGreaterThanOrEqual(quietEnd.getTime());
    expect(sms[0]!.body.Body).toContain(ticket.number);
    expect(sms[0]!.body.Body).toContain(`${PORTAL_ORIGIN}/tickets/${ticket.id}`);
    expect(sms[0]!.body.Body).not.toContain(IT_REPLY);
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await mailsToNora()).length, 'and no email').toBe(mailsBefore);
    expect(await smsToNora(), 'sent once').toHaveLength(1);
    expect(nurse.problems).toEqual([]);
  });
});
