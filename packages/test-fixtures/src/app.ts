import { listen } from '@tierline/platform';
import type { FixtureHooks } from './hooks.js';

export interface CallResult {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on arbitrary response shapes
  body: any;
  text: string;
  headers: Headers;
}

/**
 * `call(token, method, path, body?, headers?)` against `baseUrl`: a bearer token when one is
 * given, a JSON body (a string is sent as it is), and the answer parsed as JSON when it is JSON.
 */
export function httpClient(baseUrl: string) {
  return async (token: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<CallResult> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, body: json, text, headers: res.headers };
  };
}

export type HttpCall = ReturnType<typeof httpClient>;

export interface RunningApp {
  /** `http://127.0.0.1:<port>`, the app served on a free port. */
  baseUrl: string;
  port: number;
  call: HttpCall;
}

/**
 * Serves `app` on a free port of the loopback for a fixture and stops it in the fixture's
 * cleanup: the body of a "running app" fixture, after the app is built from the other fixtures.
 */
export async function serveApp(app: { fetch: (req: Request) => Response | Promise<Response> }, { onCleanup }: FixtureHooks): Promise<RunningApp> {
  const server = await listen(app, 0);
  onCleanup(() => server.close());
  const baseUrl = `http://127.0.0.1:${server.port}`;
  return { baseUrl, port: server.port, call: httpClient(baseUrl) };
}
