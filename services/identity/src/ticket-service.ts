import { AppError, type Logger } from '@tierline/platform';

/** What the ticket service says a requester link's answer did, or why it could not. */
export type RequesterAct = { ok: true; status: string } | { ok: false; reason: string; notRequester?: boolean };

/**
 * The ticket-service calls signed links need, made with the identity service account
 * (services/ticket/src/routes/v1_tickets_vendor_link_ack.ts and v1_tickets_requester_link.ts
 * accept only that account).
 */
export interface TicketService {
  /** Whether the ticket still waits for this vendor's acknowledgement; `reason` says why not. */
  vendorWait(ticketId: string, vendorOrgId: string): Promise<{ waiting: boolean; reason: string | null }>;
  /**
   * Acknowledges for the vendor user through the ticket's workflow. `ok: false` when the ticket
   * refused (not with this vendor any more, already acknowledged): nothing changed. Throws
   * UNAVAILABLE when the ticket service cannot answer.
   */
  vendorAcknowledge(
    ticketId: string,
    body: { linkId: string; vendorUserId: string; vendorOrgId: string },
  ): Promise<{ ok: true; escalation: Record<string, unknown> } | { ok: false; reason: string }>;
  /** Whether the ticket takes a requester link's answer now: resolved, and this person its requester. */
  requesterCheck(ticketId: string, requesterId: string): Promise<{ status: string; isRequester: boolean; answerable: boolean }>;
  /** "Fixed": closes as the requester. `ok: false` when the ticket refused; throws UNAVAILABLE when unreachable. */
  requesterClose(ticketId: string, body: { linkId: string; requesterId: string }): Promise<RequesterAct>;
  /** "Not fixed": reopens as the requester with her reason. */
  requesterReopen(ticketId: string, body: { linkId: string; requesterId: string; reason: string }): Promise<RequesterAct>;
  /** The satisfaction answer after "Fixed", once per link. */
  requesterSatisfaction(ticketId: string, body: { linkId: string; requesterId: string; rating: number; comment: string | null }): Promise<RequesterAct>;
}

export function createTicketServiceClient(opts: { baseUrl: string; token: () => Promise<string>; logger?: Logger; timeoutMs?: number }): TicketService {
  const base = opts.baseUrl.replace(/\/$/, '');
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${await opts.token()}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        // The acknowledgement holds a row lock while it waits: never indefinitely.
        signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
      });
    } catch (err) {
      if (err instanceof AppError) throw err;
      opts.logger?.warn({ err, path }, 'ticket service unreachable');
      throw new AppError('UNAVAILABLE', 'the ticket service is unreachable');
    }
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // Not JSON (a proxy's error page): only the status counts.
    }
    return { status: res.status, json };
  }
  const messageOf = (json: Record<string, unknown>): string | null => {
    const err = json['error'] as { message?: unknown } | undefined;
    return typeof err?.message === 'string' ? err.message : null;
  };
  const unexpected = (status: number, what: string, json: Record<string, unknown>): AppError => {
    opts.logger?.error({ status, message: messageOf(json), what }, 'ticket service answered unexpectedly');
    return new AppError('UNAVAILABLE', `the ticket service answered ${status} to ${what}`);
  };

  const client: TicketService = {
    async vendorWait(ticketId, vendorOrgId) {
      const r = await call('GET', `/api/v1/tickets/${encodeURIComponent(ticketId)}/vendor-link-check?vendorOrgId=${encodeURIComponent(vendorOrgId)}`);
      if (r.status === 200) return { waiting: r.json['waitingForVendor'] === true, reason: (r.json['reason'] as string | null) ?? null };
      if (r.status === 404) return { waiting: false, reason: 'the ticket no longer exists' };
      throw unexpected(r.status, 'the vendor link check', r.json);
    },
    async vendorAcknowledge(ticketId, body) {
      const r = await call('POST', `/api/v1/tickets/${encodeURIComponent(ticketId)}/vendor-link-acknowledge`, body);
      if (r.status === 200) return { ok: true, escalation: (r.json['escalation'] as Record<string, unknown>) ?? {} };
      if (r.status === 409) return { ok: false, reason: messageOf(r.json) ?? 'the ticket is not waiting for the vendor' };
      if (r.status === 404) return { ok: false, reason: 'the ticket no longer exists' };
      throw unexpected(r.status, 'the vendor acknowledgement', r.json);
    },
    async requesterCheck(ticketId, requesterId) {
      const r = await call('GET', `/api/v1/tickets/${encodeURIComponent(ticketId)}/requester-link-check?requesterId=${encodeURIComponent(requesterId)}`);
      if (r.status === 200) return { status: typeof r.json['status'] === 'string' ? r.json['status'] : 'unknown', isRequester: r.json['isRequester'] === true, answerable: r.json['answerable'] === true };
      if (r.status === 404) return { status: 'gone', isRequester: false, answerable: false };
      throw unexpected(r.status, 'the requester link check', r.json);
    },
    requesterClose: (ticketId, body) => requesterAct('requester-link-close', ticketId, body),
    requesterReopen: (ticketId, body) => requesterAct('requester-link-reopen', ticketId, body),
    requesterSatisfaction: (ticketId, body) => requesterAct('requester-link-satisfaction', ticketId, body),
  };
  return client;

  async function requesterAct(path: string, ticketId: string, body: object): Promise<RequesterAct> {
    const r = await call('POST', `/api/v1/tickets/${encodeURIComponent(ticketId)}/${path}`, body);
    if (r.status === 200) return { ok: true, status: typeof r.json['status'] === 'string' ? r.json['status'] : '' };
    if (r.status === 409) return { ok: false, reason: messageOf(r.json) ?? 'the ticket is not resolved' };
    if (r.status === 403) return { ok: false, reason: messageOf(r.json) ?? 'not the requester', notRequester: true };
    if (r.status === 404) return { ok: false, reason: 'the ticket no longer exists' };
    throw unexpected(r.status, path, r.json);
  }
}
