/**
 * Attachments against the real PostgreSQL, NATS JetStream, Keycloak and the S3-compatible object
 * store (versitygw, infra/stack.mjs): upload, list and download over HTTP as the portal does
 * them; the limits (size, count, type by content); photos stored without their GPS and camera
 * metadata (read back from the store itself); who may read what, the vendor's view included;
 * every download recorded; and a crash between putting the object and committing its row.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { JetStreamClient, Sql } from '@tierline/platform';
import { testEnv } from '@tierline/testing';
import { demoTokens, subjectOf, until, type CollectedEvents } from '@tierline/test-fixtures';
import { attachmentOutbox, insertPendingAttachment } from '@tierline/ticket-store';
import { createLogger } from '@tierline/platform';
import { insertTicketRow, ticketAppTest } from '../test/fixtures.js';
import { createObjectStore } from '../attachments/object-store.js';
import { storeAttachment, sweepAbandonedAttachments } from '../attachments/store.js';
import { contentDisposition } from './v1_tickets_attachments.js';

const MAX_BYTES = 256 * 1024;
const MAX_PER_TICKET = 3;
const test = ticketAppTest({
  label: 'attachments',
  categories: ['printer_scanner'],
  events: ['tierline.events.ticket.attachment_read', 'tierline.events.ticket.attachment_added', 'tierline.events.ticket.attachment_visibility_changed'],
  deps: () => ({ attachmentLimits: { maxBytes: MAX_BYTES, maxPerTicket: MAX_PER_TICKET } }),
});

const store = testEnv().objectStore;
const s3 = new S3Client({ endpoint: store.endpoint, region: store.region, forcePathStyle: true, credentials: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey } });
const objectBytes = async (key: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }))).Body!.transformToByteArray());
const objectExists = (key: string) =>
  s3.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key })).then(
    () => true,
    (err: { name?: string }) => {
      if (err.name === 'NotFound' || err.name === 'NoSuchKey') return false;
      throw err;
    },
  );

let sql: Sql;
let js: JetStreamClient;
let base = '';
let events: CollectedEvents;
let tokens: Record<'nora' | 'sam' | 'alex' | 'val' | 'ada', string>;

/** A multipart upload of one file, as the browser's FormData sends it. */
async function upload(token: string, ticketId: string, name: string, bytes: Uint8Array, type = 'application/octet-stream') {
  const form = new FormData();
  form.append('file', new File([bytes], name, { type }));
  const res = await fetch(`${base}/api/v1/tickets/${ticketId}/attachments`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- asserted on below
  return { status: res.status, body: (await res.json()) as any };
}

/**
 * The status of an upload far over the limit. The service answers 413 as soon as the declared
 * length is too much and closes the connection without reading the rest, so the answer is read
 * while the body is still being written (fetch gives up on the closed socket instead).
 */
function statusOfHugeUpload(token: string, ticketId: string, size: number): Promise<number> {
  const boundary = 'tierline-huge-upload';
  const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="disk.img"\r\ncontent-type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = Buffer.concat([head, Buffer.alloc(size, 'b'), tail]);
  const url = new URL(`${base}/api/v1/tickets/${ticketId}/attachments`);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(body.byteLength) } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err) => setTimeout(() => reject(err), 1_000));
    req.end(body);
  });
}

async function download(token: string, ticketId: string, attachmentId: string) {
  const res = await fetch(`${base}/api/v1/tickets/${ticketId}/attachments/${attachmentId}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function list(token: string, ticketId: string) {
  const res = await fetch(`${base}/api/v1/tickets/${ticketId}/attachments`, { headers: { authorization: `Bearer ${token}` } });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- asserted on below
  return { status: res.status, body: (await res.json()) as any };
}

const png = () => sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 120, b: 200 } } }).png().toBuffer();
/** A phone photo taken on a ward: camera make and model, and where it was taken. */
const phonePhoto = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'WardPhoneCo', Model: 'Ward Cam 3' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 1234/100', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 3900/100' },
    })
    .toBuffer();
/** The start of a Linux executable: what a ".png" that is really a program looks like. */
const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(120, 0)]);

test.beforeAll(async ({ database, nats, app, events: collected }) => {
  sql = database.sql;
  js = nats.js;
  base = app.baseUrl;
  events = collected;
  tokens = await demoTokens({ nora: 'nora.nurse', sam: 'sam.staff', alex: 'alex.agent', val: 'val.vendor', ada: 'ada.admin' });
});

describe('POST, GET /api/v1/tickets/{id}/attachments', () => {
  it('stores a file the requester attaches, lists it with its size and type, and serves it back as a download', async () => {
    const t = await insertTicketRow(sql, { siteId: 'north', requesterId: subjectOf(tokens.nora) });
    const log = Buffer.from('2026-12-03 09:14:02 ERROR spooler: label printer LP-7 offline\n');
    const up = await upload(tokens.nora, t, 'C:\\Users\\nora\\spooler.log', log, 'text/plain');
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body).toMatchObject({ ticketId: t, fileName: 'spooler.log', contentType: 'text/plain', sizeBytes: log.byteLength, uploadedBy: subjectOf(tokens.nora), vendorVisible: false });

    const listed = await list(tokens.nora, t);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([up.body]);
    expect(listed.body.limits).toEqual({ maxBytes: MAX_BYTES, maxPerTicket: MAX_PER_TICKET, contentTypes: ['image/png', 'image/jpeg', 'image/webp', 'application/pdf', 'text/plain'] });

    const got = await download(tokens.nora, t, up.body.id);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(log)).toBe(true);
    expect(got.headers.get('content-disposition')).toBe(`attachment; filename="spooler.log"; filename*=UTF-8''spooler.log`);
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(got.headers.get('cache-control')).toBe('no-store');

    // The object's key is made of ids only: the file name is in the row, never in the store.
    const [row] = await sql<{ object_key: string; state: string }[]>`select object_key, state from ticket_attachments where id = ${up.body.id}`;
    expect(row).toEqual({ object_key: `tickets/${t}/${up.body.id}`, state: 'stored' });
    expect((await objectBytes(row!.object_key)).equals(log)).toBe(true);

    // Its event names ids, the type and the size, never the file name.
    await until('the attachment_added event', () => events.received.some((e) => e.type === 'ticket.attachment_added' && e.data['attachmentId'] === up.body.id));
    const added = events.received.find((e) => e.data['attachmentId'] === up.body.id && e.type === 'ticket.attachment_added')!;
    expect(added.data).toEqual({ number: expect.any(String), attachmentId: up.body.id, contentType: 'text/plain', sizeBytes: log.byteLength, vendorVisible: false });
    expect(JSON.stringify(added)).not.toContain('spooler');
    const [outboxed] = await sql<{ published_at: Date | null }[]>`select published_at from ${sql(attachmentOutbox.table)} where event_id = ${added.id}`;
    expect(outboxed?.published_at).not.toBeNull();
  });

  it('judges the type by the content, never the name: a ".png" that is a program is refused, a real PNG named ".txt" is a PNG', async () => {
    const t = await insertTicketRow(sql, { siteId: 'north' });
    const exe = await upload(tokens.alex, t, 'screenshot.png', elf, 'image/png');
    expect(exe.status).toBe(415);
    expect(exe.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(exe.body.error.message).toMatch(/^screenshot\.png is application\/x-elf by its content, which Tierline does not accept/);

    const zip = await upload(tokens.alex, t, 'notes.txt', Buffer.from('504b0304140000000800', 'hex'));
    expect(zip.status).toBe(415);
    expect(zip.body.error.message).toMatch(/^notes\.txt is /);

    const binary = await upload(tokens.alex, t, 'dump.log', Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x13, 0x37]));
    expect(binary.status).toBe(415);
    expect(binary.body.error.message).toMatch(/^dump\.log is not a type Tierline accepts/);

    const renamed = await upload(tokens.alex, t, 'error.txt', await png(), 'text/plain');
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(201);
    expect(renamed.body.contentType).toBe('image/png');

    const damaged = await upload(tokens.alex, t, 'half.png', (await png()).subarray(0, 60));
    expect(damaged.status).toBe(422);
    expect(damaged.body.error.message).toMatch(/^half\.png looks like a PNG image but cannot be read as one/);

    const empty = await upload(tokens.alex, t, 'empty.log', Buffer.alloc(0));
    expect(empty.status).toBe(422);
    expect(empty.body.error.message).toBe('empty.log is empty');

    const noFile = await fetch(`${base}/api/v1/tickets/${t}/attachments`, { method: 'POST', headers: { authorization: `Bearer ${tokens.alex}`, 'content-type': 'application/json' }, body: '{}' });
    expect(noFile.status).toBe(400);

    // Only the PNG was kept; nothing refused left a row or an object.
    const rows = await sql<{ content_type: string }[]>`select content_type from ticket_attachments where ticket_id = ${t}`;
    expect(rows).toEqual([{ content_type: 'image/png' }]);
  });

  it('refuses a file over the size limit (413) and one past the count limit (422), naming the file', async () => {
    const t = await insertTicketRow(sql, { siteId: 'north' });
    const big = Buffer.alloc(MAX_BYTES + 1, 'a');
    const tooBig = await upload(tokens.alex, t, 'huge.log', big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.message).toMatch(/^huge\.log is 0\.3 MB; the largest file Tierline accepts is 0\.3 MB$/);
    // Far past the limit the body is not even read: still a 413, never a 5xx.
    expect(await statusOfHugeUpload(tokens.alex, t, MAX_BYTES + 2 * 1024 * 1024)).toBe(413);

    for (let i = 1; i <= MAX_PER_TICKET; i++) expect((await upload(tokens.alex, t, `log-${i}.txt`, Buffer.from(`line ${i}\n`))).status).toBe(201);
    const fourth = await upload(tokens.alex, t, 'log-4.txt', Buffer.from('line 4\n'));
    expect(fourth.status).toBe(422);
    expect(fourth.body.error.message).toMatch(/^log-4\.txt was not added: IT-\d+ already has 3 attachments, the most a ticket may have$/);
    // At once, the last places are not given twice.
    const t2 = await insertTicketRow(sql, { siteId: 'north' });
    const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => upload(tokens.alex, t2, `burst-${i}.txt`, Buffer.from(`b ${i}\n`))));
    expect(burst.filter((r) => r.status === 201)).toHaveLength(MAX_PER_TICKET);
    expect(burst.filter((r) => r.status === 422)).toHaveLength(6 - MAX_PER_TICKET);
  });

  it('stores photos without their GPS position and camera: the object in the store has no EXIF', async () => {
    const t = await insertTicketRow(sql, { siteId: 'north', requesterId: subjectOf(tokens.nora) });
    const photo = await phonePhoto();
    // The test's photo does carry them, or this test proves nothing.
    const before = await sharp(photo).metadata();
    expect(before.exif?.toString('latin1')).toContain('WardPhoneCo');
    expect(photo.indexOf(Buffer.from('Exif\0\0'))).toBeGreaterThan(-1);

    const up = await upload(tokens.nora, t, 'IMG_2041.JPG', photo, 'image/jpeg');
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body.contentType).toBe('image/jpeg');
    const stored = await objectBytes(`tickets/${t}/${up.body.id}`);
    const after = await sharp(stored).metadata();
    expect(after.format).toBe('jpeg');
    expect([after.width, after.height]).toEqual([64, 48]);
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(stored.indexOf(Buffer.from('Exif\0\0'))).toBe(-1);
    expect(stored.toString('latin1')).not.toContain('WardPhoneCo');
    expect(up.body.sizeBytes).toBe(stored.byteLength);
    // And what is downloaded is what was stored.
    expect((await download(tokens.nora, t, up.body.id)).bytes.equals(stored)).toBe(true);
  });
});

describe('who may read and change attachments', () => {
  it('follows the ticket: requester, site staff and IT read; other staff and a vendor without the mark do not; admins read audited', async () => {
    const t = await insertTicketRow(sql, { siteId: 'north', requesterId: subjectOf(tokens.nora), tier: 3, vendorOrgId: 'acme-it' });
    const up = await upload(tokens.nora, t, 'error-screen.png', await png(), 'image/png');
    expect(up.status).toBe(201);
    const id = up.body.id as string;

    for (const who of ['nora', 'alex', 'ada'] as const) {
      expect((await list(tokens[who], t)).body.items.map((a: { id: string }) => a.id), who).toEqual([id]);
      expect((await download(tokens[who], t, id)).status, who).toBe(200);
    }
    // sam works at south: the ticket is not his, and neither are its files (404: ids cannot be probed).
    expect((await list(tokens.sam, t)).status).toBe(404);
    expect((await download(tokens.sam, t, id)).status).toBe(404);
    expect((await upload(tokens.sam, t, 'x.txt', Buffer.from('x\n'))).status).toBe(404);
    // The vendor holds the ticket, but IT has not marked the file for it: not listed, not served.
    expect((await list(tokens.val, t)).body.items).toEqual([]);
    expect((await download(tokens.val, t, id)).status).toBe(404);

    // Only IT marks; the requester and the vendor may not.
    const mark = (token: string, vendorVisible: unknown) =>
      fetch(`${base}/api/v1/tickets/${t}/attachments/${id}`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ vendorVisible }) });
    expect((await mark(tokens.nora, true)).status).toBe(403);
    expect((await mark(tokens.val, true)).status).toBe(403);
    expect((await mark(tokens.ada, true)).status).toBe(404);
    expect((await mark(tokens.alex, 'yes')).status).toBe(400);
    const marked = await mark(tokens.alex, true);
    expect(marked.status).toBe(200);
    expect(await marked.json()).toMatchObject({ id, vendorVisible: true });
    expect((await list(tokens.val, t)).body.items.map((a: { id: string }) => a.id)).toEqual([id]);
    expect((await download(tokens.val, t, id)).status).toBe(200);
    await until('the visibility event', () => events.received.some((e) => e.type === 'ticket.attachment_visibility_changed' && e.data['attachmentId'] === id));

    // A vendor's own file is for it to see; the requester's next one is not.
    const vendors = await upload(tokens.val, t, 'firmware-report.pdf', Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'));
    expect(vendors.status, JSON.stringify(vendors.body)).toBe(201);
    expect(vendors.body).toMatchObject({ contentType: 'application/pdf', vendorVisible: true });
    const second = await upload(tokens.nora, t, 'second.png', await png());
    expect((await list(tokens.val, t)).body.items.map((a: { id: string }) => a.id)).toEqual([id, vendors.body.id]);
    expect((await download(tokens.val, t, second.body.id)).status).toBe(404);

    // Unmarked again, it is gone from the vendor's view.
    expect((await mark(tokens.alex, false)).status).toBe(200);
    expect((await download(tokens.val, t, id)).status).toBe(404);

    // Admins read, never add.
    expect((await upload(tokens.ada, t, 'y.txt', Buffer.from('y\n'))).status).toBe(404);
    // An attachment of another ticket is not reachable through this one.
    const other = await insertTicketRow(sql, { siteId: 'north', requesterId: subjectOf(tokens.nora) });
    expect((await download(tokens.nora, other, id)).status).toBe(404);
  });

  it('records every download before it is served, one event per download, without the file name', async () => {
    const t = await insertTicketRow(sql, { siteId: 'north', requesterId: subjectOf(tokens.nora) });
    const up = await upload(tokens.nora, t, 'secret-name-lab-results.txt', Buffer.from('ok\n'));
    const id = up.body.id as string;
    const reads = () => events.received.filter((e) => e.type === 'ticket.attachment_read' && e.data['attachmentId'] === id);
    for (const who of ['nora', 'nora', 'alex', 'ada'] as const) expect((await download(tokens[who], t, id)).status).toBe(200);
    await until('four read events', () => reads().length >= 4);
    await new Promise((r) => setTimeout(r, 500));
    expect(reads()).toHaveLength(4);
    expect(reads().map((e) => e.actor)).toEqual([
      { kind: 'user', id: subjectOf(tokens.nora), role: 'clinic_staff' },
      { kind: 'user', id: subjectOf(tokens.nora), role: 'clinic_staff' },
      { kind: 'user', id: subjectOf(tokens.alex), role: 'it_agent' },
      { kind: 'user', id: subjectOf(tokens.ada), role: 'admin' },
    ]);
    for (const e of reads()) {
      expect(e.ticketId).toBe(t);
      expect(Object.keys(e.data).sort()).toEqual(['attachmentId', 'number']);
      expect(JSON.stringify(e)).not.toContain('secret-name');
    }
    // A refused download is not served and not recorded as a read.
    expect((await download(tokens.sam, t, id)).status).toBe(404);
    await new Promise((r) => setTimeout(r, 300));
    expect(reads()).toHaveLength(4);
  });
});

describe('a crash between the object and its row', () => {
  it('leaves a pending row nobody sees; the sweep removes it and its object, and a late commit cannot revive it', async () => {
    const t = await insertTicketRow(sql, { siteId: 'north', requesterId: subjectOf(tokens.nora) });
    const objects = createObjectStore(store);
    const logger = createLogger('it-attachments-sweep', 'silent');
    try {
      // The upload's first two steps, then the process dies: a pending row and its object, no commit.
      const id = randomUUID();
      const objectKey = `tickets/${t}/${id}`;
      expect(
        await insertPendingAttachment(
          sql,
          { id, ticketId: t, objectKey, fileName: 'crash.txt', contentType: 'text/plain', sizeBytes: 6, sha256: 'x', uploadedBy: 'nora', uploadedByRole: 'clinic_staff', vendorVisible: false },
          MAX_PER_TICKET,
        ),
      ).toBe('ok');
      await s3.send(new PutObjectCommand({ Bucket: store.bucket, Key: objectKey, Body: 'crash\n' }));
      // A crash before the put: a pending row whose object never landed.
      const id2 = randomUUID();
      await insertPendingAttachment(
        sql,
        { id: id2, ticketId: t, objectKey: `tickets/${t}/${id2}`, fileName: 'early.txt', contentType: 'text/plain', sizeBytes: 1, sha256: 'x', uploadedBy: 'nora', uploadedByRole: 'clinic_staff', vendorVisible: false },
        MAX_PER_TICKET,
      );
      // A finished upload next to them, which the sweep must leave alone.
      const kept = await storeAttachment({ sql, js, logger, objects }, { ticketId: t, fileName: 'kept.txt', bytes: Buffer.from('kept\n'), uploadedBy: { kind: 'user', id: 'nora', role: 'clinic_staff' } });

      // Nobody is shown the pending ones.
      expect((await list(tokens.alex, t)).body.items.map((a: { id: string }) => a.id)).toEqual([kept.id]);
      expect((await download(tokens.alex, t, id)).status).toBe(404);

      // Young pending rows may be uploads still running: not swept.
      expect(await sweepAbandonedAttachments({ sql, objects, logger }, 60 * 60_000)).toBe(0);
      expect(await objectExists(objectKey)).toBe(true);
      // Past the cut-off they are.
      await sql`update ticket_attachments set created_at = now() - interval '2 hours' where id in (${id}, ${id2})`;
      expect(await sweepAbandonedAttachments({ sql, objects, logger }, 60 * 60_000)).toBe(2);
      expect(await objectExists(objectKey)).toBe(false);
      expect(await sql`select id from ticket_attachments where id in (${id}, ${id2})`).toHaveLength(0);

      // No row points at a missing object, and no object of this ticket lacks its row.
      const rows = await sql<{ object_key: string; state: string }[]>`select object_key, state from ticket_attachments where ticket_id = ${t}`;
      expect(rows).toEqual([{ object_key: kept.objectKey, state: 'stored' }]);
      expect(await objectExists(kept.objectKey)).toBe(true);
      expect((await download(tokens.alex, t, kept.id)).status).toBe(200);
    } finally {
      objects.close();
    }
  });

  it('a named upload (one file of one mail) is stored once: again it returns the first, after a crash it finishes the pending row', async () => {
    const t = await insertTicketRow(sql, { siteId: 'north', requesterId: subjectOf(tokens.nora) });
    const objects = createObjectStore(store);
    const logger = createLogger('it-attachments-named', 'silent');
    const by = { kind: 'user', id: subjectOf(tokens.nora), role: 'clinic_staff' } as const;
    try {
      const id = randomUUID();
      const first = await storeAttachment({ sql, js, logger, objects }, { id, ticketId: t, fileName: 'mail.txt', bytes: Buffer.from('from a mail\n'), uploadedBy: by });
      const again = await storeAttachment({ sql, js, logger, objects }, { id, ticketId: t, fileName: 'mail.txt', bytes: Buffer.from('from a mail\n'), uploadedBy: by });
      expect(again).toEqual(first);
      expect(first.id).toBe(id);

      // The first attempt died after its pending row: the next one with the same id stores it.
      const crashed = randomUUID();
      expect(
        await insertPendingAttachment(
          sql,
          { id: crashed, ticketId: t, objectKey: `tickets/${t}/${crashed}`, fileName: 'late.txt', contentType: 'text/plain', sizeBytes: 5, sha256: 'x', uploadedBy: by.id, uploadedByRole: 'clinic_staff', vendorVisible: false },
          MAX_PER_TICKET,
        ),
      ).toBe('ok');
      const resumed = await storeAttachment({ sql, js, logger, objects }, { id: crashed, ticketId: t, fileName: 'late.txt', bytes: Buffer.from('late\n'), uploadedBy: by });
      expect(resumed.id).toBe(crashed);
      expect((await download(tokens.nora, t, crashed)).status).toBe(200);
      const rows = await sql<{ id: string; state: string }[]>`select id, state from ticket_attachments where ticket_id = ${t} order by created_at`;
      expect(rows).toEqual([
        { id, state: 'stored' },
        { id: crashed, state: 'stored' },
      ]);
      // The same id on another ticket is a conflict, never a second row.
      const other = await insertTicketRow(sql, { siteId: 'north' });
      await expect(storeAttachment({ sql, js, logger, objects }, { id, ticketId: other, fileName: 'mail.txt', bytes: Buffer.from('x\n'), uploadedBy: by })).rejects.toMatchObject({ code: 'CONFLICT' });
    } finally {
      objects.close();
    }
  });

  it('an upload that outlives its pending time is given up whole: the sweep claims it, the late commit fails and removes its object', async () => {
    const t = await insertTicketRow(sql, { siteId: 'north' });
    const logger = createLogger('it-attachments-late', 'silent');
    const real = createObjectStore(store);
    let putKey = '';
    // The object store is slow: while the put runs, the sweep (with a zero cut-off) claims the row.
    const slow = {
      ...real,
      async put(key: string, body: Uint8Array, type: string, sha: string) {
        putKey = key;
        expect(await sweepAbandonedAttachments({ sql, objects: real, logger }, 0)).toBe(1);
        await real.put(key, body, type, sha);
      },
    };
    try {
      await expect(storeAttachment({ sql, js, logger, objects: slow }, { ticketId: t, fileName: 'slow.txt', bytes: Buffer.from('slow\n'), uploadedBy: { kind: 'user', id: 'x', role: 'it_agent' } })).rejects.toThrow(
        /slow\.txt took too long to store and was given up/,
      );
      expect(await objectExists(putKey)).toBe(false);
      expect(await sql`select id from ticket_attachments where ticket_id = ${t}`).toHaveLength(0);
    } finally {
      real.close();
    }
  });
});

describe('contentDisposition', () => {
  it('keeps the real name in filename* and a safe ASCII one in filename', () => {
    expect(contentDisposition('Röntgen "Bild" (1).png')).toBe(`attachment; filename="R_ntgen _Bild_ (1).png"; filename*=UTF-8''R%C3%B6ntgen%20%22Bild%22%20%281%29.png`);
  });
});
