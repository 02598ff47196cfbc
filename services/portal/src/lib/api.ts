import type { ErrorEnvelope, FieldError } from './types.js';

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

function isEnvelope(body: unknown): body is ErrorEnvelope {
  return typeof body === 'object' && body !== null && 'error' in body && typeof (body as ErrorEnvelope).error?.message === 'string';
}

/** Returns a current access token, or null when the session is gone. */
export type TokenSource = () => Promise<string | null>;

/** Calls the portal's own /api; every failure becomes an ApiError with a human message. */
export async function api<T>(getToken: TokenSource, path: string, init: { method?: string; body?: unknown; signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<T> {
  const token = await getToken();
  if (!token) throw new ApiError(401, 'UNAUTHORIZED', 'Your session has ended. Please sign in again.');
  const headers: Record<string, string> = { ...init.headers, accept: 'application/json', authorization: `Bearer ${token}` };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'Tierline cannot be reached. Check the network connection and try again.');
  }
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok) return body as T;
  if (isEnvelope(body)) {
    const { code, message, requestId, details } = body.error;
    const friendly =
      res.status === 401
        ? 'Your session has ended. Please sign in again.'
        : res.status === 502 || res.status === 503 || res.status === 504
          ? 'The ticket system is temporarily unavailable. Please try again in a minute, or phone the IT help desk if it is urgent.'
          : message;
    throw new ApiError(res.status, code, friendly, requestId, details ?? []);
  }
  throw new ApiError(res.status, 'HTTP_ERROR', `Something went wrong (HTTP ${res.status}). Please try again.`);
}

/**
 * Fetches a file (e.g. an audit export) with the token in the Authorization header, which a plain
 * link cannot send, and returns it with the file name the server suggests.
 */
export async function apiDownload(getToken: TokenSource, path: string): Promise<{ blob: Blob; filename: string | null }> {
  const token = await getToken();
  if (!token) throw new ApiError(401, 'UNAUTHORIZED', 'Your session has ended. Please sign in again.');
  let res: Response;
  try {
    res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Tierline cannot be reached. Check the network connection and try again.');
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as unknown;
    if (isEnvelope(body)) throw new ApiError(res.status, body.error.code, body.error.message, body.error.requestId, body.error.details ?? []);
    throw new ApiError(res.status, 'HTTP_ERROR', `The download failed (HTTP ${res.status}). Please try again.`);
  }
  const disposition = res.headers.get('content-disposition') ?? '';
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? null;
  return { blob: await res.blob(), filename };
}
