import { randomUUID } from 'node:crypto';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

/** A message as a mail client writes it, CRLF line ends; `headers` come after the standard ones. */
export function rawMail(m: { from: string; to: string; subject: string; body: string; messageId?: string; headers?: Record<string, string>; attachment?: { name: string; content: string } }): { raw: string; messageId: string } {
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
  if (!m.attachment) return { raw: [...head, 'Content-Type: text/plain; charset=utf-8', '', ...m.body.split('\n'), ''].join('\r\n'), messageId };
  const b = `b-${randomUUID()}`;
  const parts = [
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    ...m.body.split('\n'),
    `--${b}`,
    `Content-Type: text/plain; name="${m.attachment.name}"`,
    `Content-Disposition: attachment; filename="${m.attachment.name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(m.attachment.content).toString('base64'),
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
