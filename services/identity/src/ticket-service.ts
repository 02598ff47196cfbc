import { AppError, type Logger } from '@tierline/platform';

/**
 * The two ticket-service calls a vendor link needs, made with the identity service account
 * (services/ticket/src/routes/v1_tickets_vendor_link_ack.ts accepts only that account).
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

  return {
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
  };
}
