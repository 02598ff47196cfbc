import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths as AuditPaths } from './audit.gen.js';
import type { paths as IdentityPaths } from './identity.gen.js';
import type { paths as NotificationPaths } from './notification.gen.js';
import type { components as TicketComponents, paths as TicketPaths } from './ticket.gen.js';

/** One field the server refused, as the error envelope names it. */
export type FieldError = NonNullable<TicketComponents['schemas']['Error']['error']['details']>[number];

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly details: FieldError[];
  constructor(status: number, code: string, message: string, requestId?: string, details: FieldError[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.details = details;
  }
}

interface ErrorEnvelope {
  error: { code: string; message: string; requestId: string; details?: FieldError[] };
}

function isEnvelope(body: unknown): body is ErrorEnvelope {
  return typeof body === 'object' && body !== null && 'error' in body && typeof (body as ErrorEnvelope).error?.message === 'string';
}

/** Returns a current access token, or null when the session is gone. */
export type TokenSource = () => Promise<string | null>;

const SIGNED_OUT = 'Your session has ended. Please sign in again.';
const UNREACHABLE = 'Tierline cannot be reached. Check the network connection and try again.';
const UNAVAILABLE = 'The ticket system is temporarily unavailable. Please try again in a minute, or phone the IT help desk if it is urgent.';

/** One typed client per service, all through the portal's own /api, each call with the bearer token. */
export interface Api {
  ticket: Client<TicketPaths>;
  identity: Client<IdentityPaths>;
  notification: Client<NotificationPaths>;
  audit: Client<AuditPaths>;
}

export function createApi(getToken: TokenSource): Api {
  const bearer: Middleware = {
    async onRequest({ request }) {
      const token = await getToken();
      if (!token) throw new ApiError(401, 'UNAUTHORIZED', SIGNED_OUT);
      request.headers.set('authorization', `Bearer ${token}`);
      if (!request.headers.has('accept')) request.headers.set('accept', 'application/json');
      return request;
    },
  };
  const client = <P extends object>() => {
    const c = createClient<P>({ baseUrl: globalThis.location?.origin ?? '' });
    c.use(bearer);
    return c;
  };
  return { ticket: client<TicketPaths>(), identity: client<IdentityPaths>(), notification: client<NotificationPaths>(), audit: client<AuditPaths>() };
}

interface Answer<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

async function settle<D>(pending: Promise<Answer<D>>): Promise<Answer<D>> {
  try {
    return await pending;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', UNREACHABLE);
  }
}

function failure(status: number, body: unknown, fallback: string): ApiError {
  if (isEnvelope(body)) {
    const { code, message, requestId, details } = body.error;
    const friendly = status === 401 ? SIGNED_OUT : status === 502 || status === 503 || status === 504 ? UNAVAILABLE : message;
    return new ApiError(status, code, friendly, requestId, details ?? []);
  }
  return new ApiError(status, 'HTTP_ERROR', fallback);
}

/**
 * The answer's body, or an ApiError with a human message: 401 asks to sign in again, a gateway
 * failure says the system is unavailable, any other refusal carries the server's own message.
 */
export async function call<D>(pending: Promise<Answer<D>>): Promise<D> {
  const { data, error, response } = await settle(pending);
  if (response.ok) return data as D;
  throw failure(response.status, error, `Something went wrong (HTTP ${response.status}). Please try again.`);
}

/**
 * A file (e.g. an audit export) fetched with the token in the Authorization header, which a plain
 * link cannot send, with the file name the server suggests. Call the client with parseAs: 'blob'.
 */
export async function download(pending: Promise<Answer<Blob>>): Promise<{ blob: Blob; filename: string | null }> {
  const { data, error, response } = await settle(pending);
  if (!response.ok) {
    let body: unknown = error;
    if (error instanceof Blob) body = await error.text().then((t) => JSON.parse(t) as unknown).catch(() => undefined);
    throw failure(response.status, body, `The download failed (HTTP ${response.status}). Please try again.`);
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? null;
  return { blob: data!, filename };
}
