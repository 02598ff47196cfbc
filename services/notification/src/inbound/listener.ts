import { BlockList, isIP } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger, Sql } from '@tierline/platform';
import { matchAddress, type ReplyAddressConfig } from './reply-address.js';
import { storeInbound } from './store.js';

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

/** The relay's addresses as a block list; IPv4-mapped IPv6 clients (::ffff:a.b.c.d) match their IPv4 entries. */
export function allowedClients(specs: string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const s of specs) {
    const [ip, bits] = s.split('/');
    const type = isIP(ip!) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(ip!, type);
    else list.addSubnet(ip!, Number(bits), type);
  }
  return (address) => {
    const plain = address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
    const type = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
    return isIP(plain) !== 0 && list.check(plain, type);
  };
}

/**
 * The SMTP listener the clinic's relay delivers to. It accepts only the relay's addresses, only
 * recipients of the help desk (the address and its reply addresses: it is no open relay), only
 * up to maxBytes, and answers 250 only once the message is stored; a database failure answers
 * 451, so the relay keeps the message and retries. No AUTH, no STARTTLS: the listener sits on the
 * internal network behind the relay (docs/decisions/0036).
 */
export async function startSmtpListener(opts: {
  sql: Sql;
  logger: Logger;
  host: string;
  port: number;
  allowed: string[];
  maxBytes: number;
  addresses: ReplyAddressConfig;
  /** Called once a new message is stored, to process it soon. */
  onStored: (id: string) => void;
}): Promise<{ port: number; close: () => Promise<void> }> {
  const isAllowed = allowedClients(opts.allowed);
  const server = new SMTPServer({
    name: 'tierline-inbound',
    banner: 'Tierline help desk',
    logger: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    size: opts.maxBytes,
    onConnect(session: SMTPServerSession, cb: (err?: Error | null) => void) {
      if (isAllowed(session.remoteAddress)) return cb();
      opts.logger.warn({ client: session.remoteAddress }, 'inbound SMTP: connection from an address that is not the relay refused');
      cb(smtpError(554, 'this server accepts mail from the clinic relay only'));
    },
    onRcptTo(address, _session, cb) {
      if (matchAddress(address.address, opts.addresses).kind === 'other') return cb(smtpError(550, `no such mailbox here: ${address.address}`));
      cb();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null, message?: string) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => cb(err));
      stream.on('end', () => {
        if (stream.sizeExceeded) return cb(smtpError(552, `message larger than ${opts.maxBytes} bytes`));
        const env = session.envelope;
        const mailFrom = env.mailFrom ? env.mailFrom.address : '';
        storeInbound(opts.sql, { raw: Buffer.concat(chunks), mailFrom, rcptTo: env.rcptTo.map((r) => r.address), clientAddress: session.remoteAddress }).then(
          ({ id, duplicate }) => {
            if (!duplicate) opts.onStored(id);
            cb(null, `stored as ${id}${duplicate ? ' (already received)' : ''}`);
          },
          (err: unknown) => {
            opts.logger.error({ err }, 'inbound SMTP: message could not be stored; the relay will retry');
            cb(smtpError(451, 'temporarily unable to store the message, try again later'));
          },
        );
      });
    },
  });
  server.on('error', (err) => opts.logger.warn({ err }, 'inbound SMTP error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
