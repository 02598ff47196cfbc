/**
 * Files that come by mail, end to end on real components: real SMTP to the listener, the identity
 * directory synced from the real Keycloak, the ticket service storing into the real object store
 * (versitygw), the ticket workflow on the real Temporal. Also: a sender whose account address
 * Keycloak does not hold as verified is nobody to mail-in.
 */
import '@tierline/testing/quiet-temporal';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@tierline/platform';
import { keycloakAdmin, testUsers } from '@tierline/testing';
import { demoTokens } from '@tierline/test-fixtures';
import { eventually, mailpitBody, mailpitSearch, notificationTest, type Notification } from '../test/harness.js';
import { startInbound } from './index.js';
import { replyAddressFor } from './reply-address.js';
import { deliver, rawMail } from './test/smtp.js';

const test = notificationTest('inattach', { directory: { workflows: true } });
const logger = createLogger('nt-inattach', process.env.LOG_LEVEL ?? 'silent');
const NORA = 'nora.nurse@north.clinic.test';
const HELP = 'help@clinic.example';
const people = testUsers();

let svc: Notification;
let inbound: Awaited<ReturnType<typeof startInbound>>;
let noraId: string;
let tokens: Record<'nora' | 'alex' | 'val', string>;
const emailEvents: { type: string; ticketId?: string; data: Record<string, unknown> }[] = [];
const addedEvents: { ticketId?: string; data: Record<string, unknown> }[] = [];

test.beforeAll(async ({ notification }) => {
  svc = notification;
  noraId = await svc.directory.userId('nora.nurse');
  tokens = await demoTokens({ nora: 'nora.nurse', alex: 'alex.agent', val: 'val.vendor' });
  const subs = [
    svc.nc.subscribe('tierline.events.ticket.email_received', { callback: (_e, m) => void emailEvents.push(m.json()) }),
    svc.nc.subscribe('tierline.events.ticket.attachment_added', { callback: (_e, m) => void addedEvents.push(m.json()) }),
  ];
  inbound = await startInbound({ env: { ...svc.env, INBOUND_SMTP_PORT: 0, POLL_INTERVAL_MS: 300, INBOUND_RETRY_MS: [300, 600] }, sql: svc.sql, logger });
  return async () => {
    for (const s of subs) s.unsubscribe();
    await inbound?.stop();
    await people.removeAll();
  };
});

/** A phone photo taken on a ward: camera make and model, and where it was taken. */
const phonePhoto = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'WardPhoneCo', Model: 'Ward Cam 3' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 1234/100', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 3900/100' },
    })
    .toBuffer();
const screenshot = () => sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 120, b: 200 } } }).png().toBuffer();
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
/** The start of a Windows program (MZ header): what a ".png" that is really an executable looks like. */
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62, 0), Buffer.from('This program cannot be run in DOS mode.'), Buffer.alloc(200, 0x90)]);

async function send(m: Parameters<typeof rawMail>[0], to = [m.to]) {
  const { raw, messageId } = rawMail(m);
  const answer = await deliver(inbound.port, { from: /<([^>]+)>/.exec(m.from)?.[1] ?? m.from, to }, raw);
  return { raw, messageId, answer };
}
const rowOf = (messageId: string) =>
  svc.sql<{ status: string; outcome: string | null; ticket_number: string | null; ticket_id: string | null }[]>`
    select status, outcome, ticket_number, ticket_id from inbound_messages where message_id = ${messageId}`.then((r) => r[0]);
const processed = (messageId: string) =>
  eventually(`mail ${messageId} processed`, async () => {
    const r = await rowOf(messageId);
    return r && r.status !== 'received' ? r : undefined;
  });
const ticketsTitled = (title: string) => svc.directory.ticketSql<{ id: string; number: string }[]>`select id, number from tickets where title = ${title}`;
const attachmentRows = (ticketId: string) =>
  svc.directory.ticketSql<{ id: string; file_name: string; content_type: string; uploaded_by: string; vendor_visible: boolean; state: string }[]>`
    select id, file_name, content_type, uploaded_by, vendor_visible, state from ticket_attachments where ticket_id = ${ticketId} order by content_type, file_name`;

const ticketApi = (token: string, path: string) => fetch(`${svc.directory.ticketUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
async function download(token: string, ticketId: string, attachmentId: string) {
  const res = await ticketApi(token, `/api/v1/tickets/${ticketId}/attachments/${attachmentId}`);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Nora mails the help desk with these files; resolves once processed, with the ticket. */
async function noraMails(files: Parameters<typeof rawMail>[0]['attachments']) {
  const title = `Mail with files ${randomUUID().slice(0, 8)}`;
  const sent = await send({ from: `Nora Nurse <${NORA}>`, to: HELP, subject: title, body: 'See the attached.', attachments: files });
  const row = await processed(sent.messageId);
  expect(row.status, row.outcome ?? '').toBe('done');
  const [t] = await ticketsTitled(title);
  expect(t, `no ticket titled ${title}`).toBeDefined();
  return { ...sent, row, ticket: t! };
}

describe('files in a mail that opens a ticket', () => {
  it('a photo and a PDF are stored as the sender, the photo without its GPS position, for the requester and IT and not the vendor', async () => {
    const photo = await phonePhoto();
    const photoName = `IMG_${randomUUID().slice(0, 8)}.JPG`;
    // The test's photo does carry them, or this test proves nothing.
    expect(photo.toString('latin1')).toContain('WardPhoneCo');
    expect(photo.indexOf(Buffer.from('Exif\0\0'))).toBeGreaterThan(-1);
    const { ticket, row } = await noraMails([
      { name: photoName, content: photo, type: 'image/jpeg' },
      { name: 'error-report.pdf', content: PDF, type: 'application/pdf' },
    ]);
    expect(row.outcome).toContain('2 of 2 file(s) attached');

    const rows = await attachmentRows(ticket.id);
    expect(rows.map((r) => [r.file_name, r.content_type, r.uploaded_by, r.vendor_visible, r.state])).toEqual([
      ['error-report.pdf', 'application/pdf', noraId, false, 'stored'],
      [photoName, 'image/jpeg', noraId, false, 'stored'],
    ]);
    const pdfId = rows[0]!.id;
    const photoId = rows[1]!.id;

    // The requester and IT download both; the photo as stored has no EXIF (no GPS, no camera).
    for (const who of [tokens.nora, tokens.alex]) {
      const p = await download(who, ticket.id, photoId);
      expect(p.status).toBe(200);
      expect(p.bytes.indexOf(Buffer.from('Exif\0\0'))).toBe(-1);
      expect(p.bytes.toString('latin1')).not.toContain('WardPhoneCo');
      const meta = await sharp(p.bytes).metadata();
      expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['jpeg', 64, 48, undefined]);
      const d = await download(who, ticket.id, pdfId);
      expect(d.status).toBe(200);
      expect(d.bytes.equals(PDF)).toBe(true);
    }

    // The vendor working the ticket sees neither: a mail's files wait for IT's decision.
    await svc.directory.ticketSql`update tickets set tier = 3, vendor_org_id = 'acme-it' where id = ${ticket.id}`;
    const vendorTicket = await ticketApi(tokens.val, `/api/v1/tickets/${ticket.id}`);
    expect(vendorTicket.status, 'the vendor may read the ticket itself').toBe(200);
    const vendorList = await ticketApi(tokens.val, `/api/v1/tickets/${ticket.id}/attachments`);
    expect(vendorList.status).toBe(200);
    expect(((await vendorList.json()) as { items: unknown[] }).items).toEqual([]);
    expect((await download(tokens.val, ticket.id, photoId)).status).toBe(404);
    expect((await download(tokens.val, ticket.id, pdfId)).status).toBe(404);

    // File names travel in no event and no notification.
    const added = await eventually('both attachment events', async () => {
      const mine = addedEvents.filter((e) => e.ticketId === ticket.id);
      return mine.length === 2 ? mine : undefined;
    });
    const email = await eventually('the email channel event', async () => emailEvents.find((e) => e.ticketId === ticket.id));
    for (const e of [...added, email]) expect(JSON.stringify(e)).not.toMatch(new RegExp(`${photoName}|error-report`));
    expect(await mailpitSearch(photoName)).toEqual([]);
  });

  it('an executable named .png is refused, the sender told which and why; the ticket and the other file stand', async () => {
    const exeName = `printer-settings-${randomUUID().slice(0, 8)}.png`;
    const { ticket, row, messageId } = await noraMails([
      { name: exeName, content: EXE, type: 'image/png' },
      { name: 'log.txt', content: 'E42 paper jam tray 2\n', type: 'text/plain' },
    ]);
    expect(row.outcome).toMatch(/^opened IT-/);
    expect(row.outcome).toContain('1 of 2 file(s) attached');
    expect(row.outcome).toContain(`refused: ${exeName}`);
    expect(row.outcome).toContain('(sender told)');
    expect((await attachmentRows(ticket.id)).map((r) => [r.file_name, r.content_type])).toEqual([['log.txt', 'text/plain']]);

    // One answer to Nora, in the thread of her mail, naming the file and why it was not added.
    const answer = await eventually('the answer about the refused file', async () => (await mailpitSearch(`to:${NORA} subject:"Files not added to ${ticket.number}" ${exeName}`))[0]);
    const body = await mailpitBody(answer.ID);
    expect(body.Text).toContain(`Your message is on ${ticket.number}`);
    expect(body.Text).toMatch(new RegExp(`- ${exeName.replace('.', '\\.')}.*(not|accept)`));
    expect(body.Text).not.toContain('log.txt');

    // Processed again (a crash before its outcome was recorded): no second answer, no second file.
    await svc.sql`update inbound_messages set status = 'received', next_attempt_at = now(), claimed_until = null where message_id = ${messageId}`;
    expect((await processed(messageId)).outcome).not.toContain('(sender told)');
    await new Promise((r) => setTimeout(r, 500));
    expect(await mailpitSearch(`to:${NORA} subject:"Files not added to ${ticket.number}" ${exeName}`)).toHaveLength(1);
    expect(await attachmentRows(ticket.id)).toHaveLength(1);
  });

  it('the same mail delivered and processed twice stores each file once', async () => {
    const photo = await phonePhoto();
    const first = await noraMails([
      { name: 'IMG_1.JPG', content: photo, type: 'image/jpeg' },
      { name: 'scan.pdf', content: PDF, type: 'application/pdf' },
    ]);
    const before = await attachmentRows(first.ticket.id);
    expect(before).toHaveLength(2);
    // The relay retries (one row, never processed again), and a worker that died before recording
    // its outcome processes the message again: the ticket routes and each file are idempotent.
    expect((await deliver(inbound.port, { from: NORA, to: [HELP] }, first.raw)).response).toMatch(/already received/);
    await svc.sql`update inbound_messages set status = 'received', next_attempt_at = now(), claimed_until = null where message_id = ${first.messageId}`;
    const again = await processed(first.messageId);
    expect(again.outcome).toMatch(/already opened by this mail\); 2 of 2 file\(s\) attached/);
    expect(await ticketsTitled((await svc.directory.ticketSql<{ title: string }[]>`select title from tickets where id = ${first.ticket.id}`)[0]!.title)).toHaveLength(1);
    const after = await attachmentRows(first.ticket.id);
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
  });
});

describe('files in a reply', () => {
  it('a screenshot pasted inline in a reply is added to the ticket, and a reply of only a file becomes a comment saying so', async () => {
    const { ticket } = await noraMails([]);
    const replyTo = replyAddressFor(ticket.number, { helpdeskAddress: HELP, keys: svc.env.REPLY_TOKEN_KEYS });
    const shot = await screenshot();
    const reply = await send(
      { from: `Nora Nurse <${NORA}>`, to: replyTo, subject: `Re: ${ticket.number}`, body: 'Here is the error.', attachments: [{ name: 'image001.png', content: shot, type: 'image/png', contentId: 'image001.png@01DC' }] },
      [replyTo],
    );
    const row = await processed(reply.messageId);
    expect(row.status, row.outcome ?? '').toBe('done');
    expect(row.outcome).toContain('public comment on');
    expect(row.outcome).toContain('1 of 1 file(s) attached');
    const rows = await attachmentRows(ticket.id);
    expect(rows.map((r) => [r.file_name, r.content_type, r.uploaded_by, r.vendor_visible])).toEqual([['image001.png', 'image/png', noraId, false]]);
    const d = await download(tokens.alex, ticket.id, rows[0]!.id);
    expect(d.status).toBe(200);
    expect((await sharp(d.bytes).metadata()).width).toBe(40);

    // No words, only a file (no name either): still a comment, and the file stored. The S/MIME
    // signature of a signed mail is no file of the sender's: neither stored nor refused.
    const bare = await send(
      {
        from: `Nora Nurse <${NORA}>`,
        to: replyTo,
        subject: `Re: ${ticket.number}`,
        body: '',
        attachments: [
          { content: PDF, type: 'application/pdf' },
          { name: 'smime.p7s', content: Buffer.from([0x30, 0x82, 0x01, 0x00]), type: 'application/pkcs7-signature' },
        ],
      },
      [replyTo],
    );
    const bareRow = await processed(bare.messageId);
    expect(bareRow.status).toBe('done');
    expect(bareRow.outcome).toContain('1 of 1 file(s) attached');
    expect(bareRow.outcome).not.toContain('refused');
    const comments = await svc.directory.ticketSql<{ body: string }[]>`select body from ticket_comments where ticket_id = ${ticket.id} and author_id = ${noraId} order by created_at`;
    expect(comments.map((c) => c.body)).toEqual(['Here is the error.', 'Sent 1 file(s) by email.']);
    expect((await attachmentRows(ticket.id)).map((r) => r.file_name)).toEqual(['attachment-1', 'image001.png']);
  });
});

describe('the sender’s address', () => {
  it('an account whose email Keycloak does not hold as verified is treated as an unknown sender: a polite answer, no ticket', async () => {
    const person = await people.create({ prefix: 'mail.unverified', roles: ['clinic_staff'], groups: ['/sites/north'] });
    expect((await keycloakAdmin('PUT', `/users/${person.id}`, { emailVerified: false })).status).toBe(204);
    await svc.directory.resync();
    const [mirrored] = await svc.directory.idSql<{ email_verified: boolean }[]>`select email_verified from users where id = ${person.id}`;
    expect(mirrored, 'the directory mirrors Keycloak’s emailVerified').toEqual({ email_verified: false });

    const title = `Unverified sender ${randomUUID().slice(0, 8)}`;
    const sent = await send({ from: `Test Person <${person.email}>`, to: HELP, subject: title, body: 'Printer down.', attachments: [{ name: 'a.pdf', content: PDF }] });
    expect((await processed(sent.messageId)).outcome).toMatch(/unknown sender: told how to get help/);
    expect(await ticketsTitled(title)).toEqual([]);
    await eventually('the polite answer', async () => (await mailpitSearch(`to:${person.email} subject:"Your message to the IT help desk"`))[0]);

    // Once Keycloak holds it as verified, the same person's mail opens a ticket.
    expect((await keycloakAdmin('PUT', `/users/${person.id}`, { emailVerified: true })).status).toBe(204);
    await svc.directory.resync();
    const title2 = `Verified sender ${randomUUID().slice(0, 8)}`;
    const ok = await send({ from: `Test Person <${person.email}>`, to: HELP, subject: title2, body: 'Printer down.' });
    expect((await processed(ok.messageId)).outcome).toMatch(/^opened IT-/);
    expect(await ticketsTitled(title2)).toHaveLength(1);
  });
});
