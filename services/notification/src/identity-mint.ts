import type { ServiceToken } from '@tierline/platform';

/** Where and how the notification service asks the identity service for signed links. */
export interface IdentityMintOptions {
  identityUrl: string;
  token: ServiceToken;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * POSTs `body` to the identity service's `path` as the tierline-notification service account and
 * answers the parsed JSON of a 200/201. Anything else throws `fail(…)` naming `what` (e.g. "vendor
 * link for IT-1042"), so the send is retried like any transient failure; a 401 also drops the
 * cached token. The answer holds bearer credentials: the caller checks its shape and logs none of it.
 */
export async function mintAtIdentity(opts: IdentityMintOptions, path: string, body: unknown, what: string, fail: (message: string) => Error): Promise<unknown> {
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(`${opts.identityUrl.replace(/\/$/, '')}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await opts.token.get()}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw fail(`${what}: identity service unreachable (${(err as Error).message})`);
  }
  if (res.status === 401) opts.token.invalidate();
  const text = await res.text();
  let answer: unknown = {};
  try {
    answer = text ? JSON.parse(text) : {};
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  if (res.status !== 200 && res.status !== 201) {
    const message = (answer as { error?: { message?: unknown } }).error?.message;
    throw fail(`${what} refused: HTTP ${res.status}${typeof message === 'string' ? `: ${message}` : ''}`);
  }
  return answer;
}
