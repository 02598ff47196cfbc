/**
 * GET /api/v1/events/stream: the live feed of ticket changes for the portal (server-sent events).
 *
 * Fed by one core NATS subscription per process to `tierline.events.ticket.>` (JetStream stores
 * those messages and NATS also hands them to plain subscribers), opened while at least one
 * browser listens. Nothing is durable here on purpose: a browser that (re)connects reloads what
 * it shows over the ordinary API and then follows the stream, so a missed message costs nothing
 * but a refresh. Each event is checked against the ticket's current row with the same object rule
 * as reads (access.ts canReadTicket) for every subscriber, on every event, so a vendor starts to
 * see a ticket the moment it reaches its organisation and stops when it leaves.
 *
 * The stream obeys the REST API's rules for its whole life (decision 20): the token it was opened
 * with is verified again before every event and every RECHECK_MS — signature, expiry, and the
 * disabled-accounts list — and the stream ends at the verified token's `exp`, when the account is
 * disabled, or when revocation cannot be checked (fail closed), without delivering anything more.
 *
 * What goes out: the event's id, type, time and ticket id, plus the ticket as the caller could
 * read it with GET /api/v1/tickets/{id} (streamMessageFor: a vendor's copy without the requester's
 * words), each delivery recorded as a content read once per person, ticket and hour. Never the
 * event's data, and internal notes only to IT.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { EventEnvelopeSchema, TICKET_ATTACHMENT_READ, TICKET_CONTENT_READ, TicketSchema, type Ticket } from '@tierline/contracts';
import { messageJson, AppError, bearerToken, type Actor, type Logger, type NatsConnection, type Sql } from '@tierline/platform';
import type { TicketAppEnv, TicketDeps } from '../deps.js';
import { canReadTicket, canSeeInternal, recordContentReads, ticketViewFor } from '../access.js';
import { findTicket } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse, unavailableResponse } from './common.js';

/** One event of the stream, as a client's parser sees it (the fields of RFC text/event-stream). */
const ServerSentEventSchema = z
  .object({
    event: z.enum(['ready', 'ticket', 'expired']),
    data: z.string().openapi({ description: 'JSON. `ready`: {"ticketId"} (null for all tickets); `ticket`: a TicketStreamMessage; `expired`: {} (the token ran out)' }),
    id: z.string().optional(),
    retry: z.number().int().optional(),
  })
  .openapi('ServerSentEvent');

export const TICKET_EVENTS_SUBJECT = 'tierline.events.ticket.>';
/** A comment line this often keeps idle connections open through proxies and load balancers. */
const HEARTBEAT_MS = 15_000;
/** Upper bound of one connection even with a long-lived token; the browser reconnects. */
const MAX_STREAM_MS = 60 * 60_000;
/**
 * How often an open stream verifies its token again (signature, expiry, the disabled-accounts
 * list), so a disable ends it within this plus the revocation watch's delay, under 2 s.
 */
const RECHECK_MS = 500;

/** One message of the stream (`event: ticket`). */
export const TicketStreamMessageSchema = z
  .object({
    event: z.object({ id: z.uuid(), type: z.string(), occurredAt: z.string(), ticketId: z.uuid() }),
    ticket: TicketSchema,
  })
  .openapi('TicketStreamMessage');
export type TicketStreamMessage = z.infer<typeof TicketStreamMessageSchema>;

interface FeedEvent {
  id: string;
  type: string;
  occurredAt: string;
  ticketId: string;
  /** Whether the event reveals an internal note (IT only, like the timeline). */
  internal: boolean;
}
type Listener = (e: FeedEvent, ticket: Ticket) => void;

/**
 * The process's one subscription, fanned out to every open stream. Messages are handled one
 * after another so that two quick changes of one ticket reach browsers in order, each with the
 * row as it was after the change.
 */
class TicketEventHub {
  private readonly listeners = new Set<Listener>();
  private sub: { unsubscribe: () => void } | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly nc: NatsConnection,
    private readonly sql: Sql,
    private readonly logger: Logger,
  ) {}

  /** Adds a listener; `ready` resolves once the server has the subscription, so nothing after it is missed. */
  add(l: Listener): { remove: () => void; ready: Promise<void> } {
    this.listeners.add(l);
    if (!this.sub) {
      this.sub = this.nc.subscribe(TICKET_EVENTS_SUBJECT, {
        callback: (err, msg) => {
          if (err) {
            this.logger.warn({ err }, 'ticket event subscription error');
            return;
          }
          const raw = messageJson(msg);
          this.chain = this.chain.then(() => this.handle(raw)).catch((e: unknown) => this.logger.warn({ err: e }, 'live ticket event not delivered'));
        },
      });
    }
    const remove = () => {
      this.listeners.delete(l);
      if (this.listeners.size === 0 && this.sub) {
        this.sub.unsubscribe();
        this.sub = null;
      }
    };
    return { remove, ready: this.nc.flush() };
  }

  private async handle(raw: unknown): Promise<void> {
    if (this.listeners.size === 0) return;
    const parsed = EventEnvelopeSchema.safeParse(raw);
    if (!parsed.success) return;
    const e = parsed.data;
    const ticketId = e.ticketId;
    if (!ticketId) return;
    // Reads of ticket content by admins and auditors are for the audit trail, not a change.
    if (e.type === TICKET_CONTENT_READ || e.type === TICKET_ATTACHMENT_READ) return;
    // The read model is written before the event is published (workflows activities), so this
    // row already shows the change. No row: another installation's ticket on a shared NATS.
    const ticket = await findTicket(this.sql, ticketId);
    if (!ticket) return;
    const internal = e.type === 'ticket.commented' && e.data['visibility'] === 'internal';
    const event: FeedEvent = { id: e.id, type: e.type, occurredAt: e.occurredAt, ticketId, internal };
    for (const l of this.listeners) l(event, ticket);
  }
}

const hubs = new WeakMap<NatsConnection, TicketEventHub>();
function hubFor(deps: TicketDeps): TicketEventHub | null {
  if (!deps.nc) return null;
  let hub = hubs.get(deps.nc);
  if (!hub) {
    hub = new TicketEventHub(deps.nc, deps.sql, deps.logger);
    hubs.set(deps.nc, hub);
  }
  return hub;
}

/** Whether `actor` gets this event of this ticket: the read rule, and internal notes for IT only. */
export function streamsTo(actor: Actor, event: Pick<FeedEvent, 'internal'>, ticket: Ticket, onlyTicketId?: string): boolean {
  if (onlyTicketId && ticket.id !== onlyTicketId) return false;
  if (!canReadTicket(actor, ticket)) return false;
  return !event.internal || canSeeInternal(actor);
}

/**
 * What one subscriber receives of an event it may see: the event's id, type, time and ticket id,
 * and the ticket as GET /api/v1/tickets/{id} shows it to the caller. A vendor's copy carries the
 * facts only, without the requester's title and description (docs/decisions/0022).
 */
export function streamMessageFor(actor: Actor, event: Pick<FeedEvent, 'id' | 'type' | 'occurredAt' | 'ticketId'>, ticket: Ticket): TicketStreamMessage {
  return { event: { id: event.id, type: event.type, occurredAt: event.occurredAt, ticketId: event.ticketId }, ticket: ticketViewFor(actor, ticket) };
}

const QuerySchema = z.object({
  ticketId: z.uuid().optional().openapi({ description: 'Only this ticket (a ticket page); without it, every ticket the caller may read (a queue).' }),
});

export const ticketEventsStreamRoute = createRoute({
  method: 'get',
  path: '/api/v1/events/stream',
  tags: ['Tickets'],
  summary: 'Live ticket changes (server-sent events)',
  description:
    'A `text/event-stream`: first `event: ready`, then one `event: ticket` per change of a ticket the caller may read ' +
    '(data: TicketStreamMessage), and a comment line every 15 s. The token is verified again before every event and ' +
    'twice a second: the stream ends with `event: expired` at the token\'s expiry, or `event: denied` (data: the error) when ' +
    'the account is disabled or tokens cannot be verified; ' +
    'reconnect with a fresh token and reload what is shown (nothing is replayed). Send the token in the Authorization ' +
    'header (read the stream with fetch), never in the URL.',
  security: [{ bearerAuth: [] }],
  request: { query: QuerySchema },
  responses: {
    200: { description: 'The event stream', content: { 'text/event-stream': { schema: ServerSentEventSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...unavailableResponse,
  },
});

export function registerTicketEventsStream(app: OpenAPIHono<TicketAppEnv>): void {
  // Documented in OpenAPI, handled as a plain route: the answer is a stream, not a JSON body.
  app.openAPIRegistry.registerPath(ticketEventsStreamRoute);
  app.get('/api/v1/events/stream', (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const q = QuerySchema.safeParse({ ticketId: c.req.query('ticketId') });
    if (!q.success) throw new AppError('BAD_REQUEST', 'invalid request: ticketId', [{ path: 'ticketId', message: 'must be a ticket id (uuid)' }]);
    const hub = hubFor(deps);
    if (!hub) throw new AppError('UNAVAILABLE', 'live updates are not available from this ticket service; reload to see changes');
    const onlyTicketId = q.data.ticketId;
    // requireAuth verified this token; its expiry comes from the verified claims, never from
    // parsing the header again. No `exp` (not a verifier's actor): end at once.
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new AppError('UNAUTHORIZED', 'missing bearer token');
    const endAt = Math.min(Date.now() + MAX_STREAM_MS, actor.tokenExpiresAt ?? Date.now());
    /** The same verification as every REST request: null while the token holds, else why it does not. */
    const stillValid = async (): Promise<{ event: 'expired' | 'denied'; code: string; message: string } | null> => {
      if (Date.now() >= endAt) return { event: 'expired', code: 'UNAUTHORIZED', message: 'access token expired' };
      try {
        await deps.verifyToken(token);
        return null;
      } catch (err) {
        const e = err instanceof AppError ? err : new AppError('UNAVAILABLE', 'cannot verify access tokens right now');
        return { event: /expired/.test(e.message) ? 'expired' : 'denied', code: e.code, message: e.message };
      }
    };

    c.header('Cache-Control', 'no-store');
    // Tells nginx-style proxies not to buffer the stream.
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      // Writes of one stream go out one at a time, in order; a failed write (browser gone) ends it.
      let writes: Promise<void> = Promise.resolve();
      let ended = false;
      let end: () => void = () => undefined;
      const done = new Promise<void>((resolve) => {
        end = () => {
          ended = true;
          resolve();
        };
      });
      const send = (fn: () => Promise<unknown>) => {
        if (ended) return;
        writes = writes.then(async () => {
          if (!ended) await fn();
        }).catch(() => end());
      };
      /** Says why the stream ends (`event: expired`, or `event: denied` with the error) and ends it; runs inside send. */
      const close = async (why: { event: 'expired' | 'denied'; code: string; message: string }) => {
        const data = why.event === 'expired' ? '{}' : JSON.stringify({ error: { code: why.code, message: why.message } });
        await stream.writeSSE({ event: why.event, data }).catch(() => undefined);
        end();
      };
      const { remove, ready } = hub.add((event, ticket) => {
        if (!streamsTo(actor, event, ticket, onlyTicketId)) return;
        const message = streamMessageFor(actor, event, ticket);
        send(async () => {
          // Revocation and expiry are checked for every event, right before it goes out.
          const refused = await stillValid();
          if (refused) return close(refused);
          // The ticket it carries is a read of its content, recorded like any other (access.ts).
          await recordContentReads(deps, actor, [ticket], 'stream');
          await stream.writeSSE({ event: 'ticket', id: event.id, data: JSON.stringify(message) });
        });
      });
      // "ready" promises the browser that every change from now on reaches it: it reloads, then follows.
      send(async () => {
        await ready.catch(() => undefined);
        await stream.writeSSE({ event: 'ready', retry: 3000, data: JSON.stringify({ ticketId: onlyTicketId ?? null }) });
      });
      const heartbeat = setInterval(() => send(() => stream.write(': keep-alive\n\n')), HEARTBEAT_MS);
      // A disabled account or an unverifiable token stops receiving within RECHECK_MS, events or not.
      let checking = false;
      const recheck = setInterval(() => {
        if (checking) return; // one check at a time, however slowly the browser reads
        checking = true;
        send(async () => {
          try {
            const refused = await stillValid();
            if (refused) await close(refused);
          } finally {
            checking = false;
          }
        });
      }, RECHECK_MS);
      // An expired token must not keep receiving: say so, and end; the browser reconnects with a fresh one.
      const expiry = setTimeout(() => {
        send(() => close({ event: 'expired', code: 'UNAUTHORIZED', message: 'access token expired' }));
      }, Math.max(0, endAt - Date.now()));
      stream.onAbort(() => end());
      try {
        await done;
      } finally {
        clearInterval(heartbeat);
        clearInterval(recheck);
        clearTimeout(expiry);
        remove();
      }
    });
  });
}
