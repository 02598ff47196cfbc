import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { activeTraceIds, setSpanAttributes } from './tracing.js';

export type { Logger };

/**
 * Keys whose values are personal or patient data, or credentials, wherever they sit in a log
 * object: at the top and one level down (pino's redact paths do not recurse; a deeper object is
 * never logged whole by Tierline code).
 */
export const REDACTED_KEYS = [
  // Credentials
  'password',
  'token',
  'accessToken',
  'authorization',
  'cookie',
  'secret',
  'clientSecret',
  // Ticket content: clinic staff write patient details into these
  'title',
  'description',
  'body',
  'resolution',
  'comment',
  // People and their contacts
  'email',
  'phone',
  'mobile',
  'firstName',
  'lastName',
  'displayName',
  'slackHandle',
  'teamsHandle',
] as const;

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// E.164, the form in which Tierline stores mobile numbers (identity contacts).
const PHONE = /\+[1-9][0-9]{6,14}(?![0-9])/g;

/**
 * Replaces e-mail addresses and phone numbers in free text: provider errors ("550 mailbox
 * nora@… unavailable") and exception messages quote them, and those are logged by key names
 * that cannot be redacted wholesale (`error`, `err.message`).
 */
export function scrubPersonalData(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, '[phone]');
}

function scrubDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubPersonalData(value);
  if (depth <= 0 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth - 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, depth - 1);
  return out;
}

/**
 * Correlation fields of the work in progress (requestId of an HTTP request, ticketId once known,
 * the message sequence of a consumed NATS message), added to every log line written while that
 * work runs — whichever logger writes it, so code deep down needs no logger handed to it. Only
 * ids go here, never personal data.
 */
const logContext = new AsyncLocalStorage<Record<string, string | number>>();

/** Runs `fn` with `fields` (on top of the enclosing ones) on every log line it writes. */
export function runWithLogContext<T>(fields: Record<string, string | number>, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, fn);
}

/** Adds fields to the enclosing log context (no-op outside one). */
export function addLogContext(fields: Record<string, string | number>): void {
  const store = logContext.getStore();
  if (store) Object.assign(store, fields);
}

/** The current correlation fields (for tests and for handing to another logger). */
export function currentLogContext(): Readonly<Record<string, string | number>> {
  return { ...logContext.getStore() };
}

/**
 * The ticket this work concerns: `ticketId` on the following log lines and `tierline.ticket_id`
 * on the active span, so a ticket's logs and traces are found by its id (a UUID, not its content).
 */
export function annotateTicket(ticketId: string): void {
  addLogContext({ ticketId });
  setSpanAttributes({ 'tierline.ticket_id': ticketId });
}

/**
 * Structured JSON logs. Request bodies are never logged; the keys where personal data hides are
 * redacted, and addresses and phone numbers in any logged text are masked, because clinic tickets
 * and contacts carry patient and staff details. `destination` is for tests.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = {
    name,
    level,
    base: { service: name },
    // requestId / ticketId of the work in progress and trace_id / span_id of the active span.
    mixin: () => {
      const ids = activeTraceIds();
      const store = logContext.getStore();
      return store || ids ? { ...store, ...ids } : {};
    },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', ...REDACTED_KEYS, ...REDACTED_KEYS.map((k) => `*.${k}`)],
      censor: '[redacted]',
    },
    serializers: {
      err: (err: Error) => {
        const s = stdSerializers.err(err);
        return { ...s, message: scrubPersonalData(s.message), stack: s.stack ? scrubPersonalData(s.stack) : s.stack };
      },
    },
    formatters: {
      log: (obj: Record<string, unknown>) => scrubDeep(obj, 4) as Record<string, unknown>,
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
