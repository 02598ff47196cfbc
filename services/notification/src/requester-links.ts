import { CreateRequesterLinksSchema, RequesterLinksIssuedSchema, type CreateRequesterLinks, type RequesterLinksIssued } from '@tierline/contracts';
import type { ServiceToken } from '@tierline/platform';

/**
 * The identity service's `POST /api/v1/requester-links`: the "Fixed" and "Not fixed" single-use
 * links of a resolved ticket, for one recipient. The same idempotency key and recipient give the
 * same pair again, so a resent update repeats its links and this service never stores them (they
 * are bearer credentials: no logs, rows or events).
 */
export type RequesterLinkMinter = (req: CreateRequesterLinks) => Promise<RequesterLinksIssued>;

export class RequesterLinksFailed extends Error {
  override name = 'RequesterLinksFailed';
}

/** Mints as the tierline-notification service account; throws (and the send is retried) when no pair can be had. */
export function createRequesterLinkMinter(opts: { identityUrl: string; token: ServiceToken; timeoutMs?: number; fetch?: typeof fetch }): RequesterLinkMinter {
  const url = `${opts.identityUrl.replace(/\/$/, '')}/api/v1/requester-links`;
  return async (req) => {
    let res: Response;
    try {
      res = await (opts.fetch ?? fetch)(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${await opts.token.get()}`, 'content-type': 'application/json' },
        body: JSON.stringify(CreateRequesterLinksSchema.parse(req)),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new RequesterLinksFailed(`requester links for ${req.ticketNumber}: identity service unreachable (${(err as Error).message})`);
    }
    if (res.status === 401) opts.token.invalidate();
    const text = await res.text();
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      // Not JSON (a proxy's error page): the status says enough.
    }
    if (res.status !== 200 && res.status !== 201) {
      const message = (body as { error?: { message?: unknown } }).error?.message;
      throw new RequesterLinksFailed(`requester links for ${req.ticketNumber} refused: HTTP ${res.status}${typeof message === 'string' ? `: ${message}` : ''}`);
    }
    const issued = RequesterLinksIssuedSchema.safeParse(body);
    if (!issued.success || !/^https?:\/\//.test(issued.data.fixedUrl) || !/^https?:\/\//.test(issued.data.notFixedUrl)) {
      throw new RequesterLinksFailed(`requester links for ${req.ticketNumber}: unexpected answer`);
    }
    return issued.data;
  };
}
