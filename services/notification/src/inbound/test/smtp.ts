import { randomUUID } from 'node:crypto';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

/** A file of a test mail: an attachment, or with `contentId` an inline part as a pasted image is. */
export interface MailFile {
  name?: string;
  content: string | Buffer;
  type?: string;
  contentId?: string;
}

/**
 * A message as a mail client writes it, CRLF line ends; `headers` come after the standard ones.
 * `attachment` (one text file) or `attachments` (any files, base64) make it multipart/mixed.
 */
export function rawMail(m: {
  from: string;
  to: string;
  subject: string;
  body: string;
  messageId?: string;
  headers?: Record<string, string>;
  attachment?: { name: string; content: string };
  attachments?: MailFile[];
}): { raw: string; messageId: string } {
  const messageId = m.messageId ?? `${randomUUID()}@mail.clinic.test`;
  const head = [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${m.subject}`,
    `Message-ID: <${messageId}>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  const files: MailFile[] = [...(m.attachment ? [{ ...m.attachment, type: 'text/plain' }] : []), ...(m.attachments ?? [])];
  if (files.length === 0) return { raw: [...head, 'Content-Type: text/plain; charset=utf-8', '', ...m.body.split('\n'), ''].join('\r\n'), messageId };
  const b = `b-${randomUUID()}`;
  const filePart = (f: MailFile) => [
    `--${b}`,
    `Content-Type: ${f.type ?? 'application/octet-stream'}${f.name ? `; name="${f.name}"` : ''}`,
    `Content-Disposition: ${f.contentId ? 'inline' : 'attachment'}${f.name ? `; filename="${f.name}"` : ''}`,
    ...(f.contentId ? [`Content-ID: <${f.contentId}>`] : []),
    'Content-Transfer-Encoding: base64',
    '',
    ...(Buffer.from(f.content).toString('base64').match(/.{1,76}/g) ?? []),
  ];
  const parts = [
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    ...m.body.split('\n'),
    ...files.flatMap(filePart),
    `--${b}--`,
    '',
  ];
  return { raw: [...head, ...parts].join('\r\n'), messageId };
}

/** Delivers over real SMTP as the relay would; resolves with the server's answer to the message. */
export async function deliver(port: number, envelope: { from: string; to: string[] }, raw: string): Promise<{ response: string }> {
  const conn = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true, secure: false, connectionTimeout: 5000 });
  await new Promise<void>((resolve, reject) => {
    conn.once('error', reject);
    conn.connect(() => resolve());
  });
  try {
    return await new Promise((resolve, reject) => conn.send(envelope, raw, (err, info) => (err ? reject(err) : resolve({ response: info.response }))));
  } finally {
    conn.quit();
  }
}
