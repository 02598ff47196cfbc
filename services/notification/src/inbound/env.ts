import { isIP } from 'node:net';
import { z } from 'zod';

/** The development default of REPLY_TOKEN_KEYS: published in this repository, refused in production (env.ts). */
export const DEV_REPLY_TOKEN_KEY = 'reply-token-dev-secret';

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

/** A client allowed to deliver: an IP address or a CIDR block (10.0.0.0/8, fd00::/8). */
const clientSpec = z.string().refine((s) => {
  const [ip, bits, ...rest] = s.split('/');
  if (rest.length > 0 || !ip || !isIP(ip)) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return Number.isInteger(n) && n >= 0 && n <= (isIP(ip) === 4 ? 32 : 128);
}, 'an IP address or CIDR block');

/** The inbound mail settings, merged into the service's env schema (../env.ts). */
export const inboundEnvShape = {
  // Where the SMTP listener listens; 0 picks a free port (tests). Keep it reachable only by the relay.
  INBOUND_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  INBOUND_SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  // Who may deliver: the clinic relay's addresses (IPs or CIDR blocks, comma-separated). Anyone else is refused at connect.
  INBOUND_ALLOWED_CLIENTS: z
    .string()
    .default('127.0.0.1,::1')
    .transform(list)
    .pipe(z.array(clientSpec).min(1, 'at least one relay address')),
  // Largest message accepted, in bytes (announced as SIZE; larger ones are refused with 552).
  INBOUND_MAX_BYTES: z.coerce.number().int().min(1024).default(25 * 1024 * 1024),
  // The help-desk address: mail to it opens tickets; reply addresses are its plus-addresses.
  HELPDESK_ADDRESS: z.email().default('help@clinic.example'),
  // What an unknown sender is told to do instead (with PORTAL_URL).
  HELPDESK_PHONE: z.string().min(1).default('extension 4357'),
  // Keys of the reply-address tokens, newest first, comma-separated: the first signs, all verify (rotation).
  REPLY_TOKEN_KEYS: z
    .string()
    .default(DEV_REPLY_TOKEN_KEY)
    .transform(list)
    .pipe(z.array(z.string().min(16, 'reply token keys need at least 16 characters')).min(1)),
  // The relay's authserv-id: only its Authentication-Results header is believed.
  INBOUND_AUTHSERV_ID: z.string().min(1).default('mx.clinic.example'),
  // An unknown sender gets at most one "how to get help" answer per this many minutes.
  INBOUND_REPLY_WINDOW_MINUTES: z.coerce.number().int().min(1).default(24 * 60),
  // Processing attempts of a stored message before it is marked failed (visible to IT), and the delays between them.
  INBOUND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  INBOUND_RETRY_MS: z
    .string()
    .regex(/^\d+(,\d+)*$/)
    .default('5000,30000,120000,600000')
    .transform((s) => s.split(',').map(Number)),
};
