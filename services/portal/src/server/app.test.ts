import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, listen, parseEnv } from '@tierline/platform';
import { portalEnvSchema } from './env.js';
import { createPortalApp } from './app.js';

interface Echo {
  upstream: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Releases of the streams the upstream holds open after their first event. */
const streamHeld: (() => void)[] = [];

/** A little backend: echoes what it received, streams on /…/stream, never answers on /…/hang. */
function startUpstream(name: string): Promise<{ url: string; server: Server; hits: Echo[] }> {
  const hits: Echo[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const echo: Echo = { upstream: name, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      hits.push(echo);
      if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      } else if (req.url?.endsWith('/stream')) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write('data: first\n\n');
        // The second event waits until the test has read the first: a proxy that buffers never
        // hands the first one over, and the test times out instead of passing.
        streamHeld.push(() => res.end('data: second\n\n'));
      } else if (req.url?.endsWith('/hang')) {
        // never answers
      } else {
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json', 'x-upstream': name });
        res.end(JSON.stringify(echo));
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits }));
  });
}

async function unusedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const INDEX_HTML = '<!doctype html><html><head><title>Tierline</title></head><body><div id="root"></div></body></html>';

describe('portal server', () => {
  let ticket: Awaited<ReturnType<typeof startUpstream>>;
  let identity: Awaited<ReturnType<typeof startUpstream>>;
  let portal: Awaited<ReturnType<typeof listen>>;
  let base: string;
  let publicDir: string;
  let deadUrl: string;

  beforeAll(async () => {
    ticket = await startUpstream('ticket');
    identity = await startUpstream('identity');
    deadUrl = `http://127.0.0.1:${await unusedPort()}`;
    publicDir = await mkdtemp(join(tmpdir(), 'tierline-portal-'));
    await mkdir(join(publicDir, 'assets'));
    await writeFile(join(publicDir, 'index.html'), INDEX_HTML);
    await writeFile(join(publicDir, 'assets', 'index-abc123.js'), 'console.log("app");');
    const env = parseEnv(portalEnvSchema, {
      LOG_LEVEL: 'silent',
      TICKET_SERVICE_URL: ticket.url,
      IDENTITY_SERVICE_URL: identity.url,
      NOTIFICATION_SERVICE_URL: deadUrl,
      AUDIT_SERVICE_URL: deadUrl,
      KEYCLOAK_ISSUER: 'https://sso.clinic.example:8443/realms/tierline',
    });
    const app = createPortalApp({ env, logger: createLogger('portal-test', 'silent'), publicDir, upstreamHeadersTimeoutMs: 300, uploadMaxBytes: 512 * 1024 });
    portal = await listen(app, 0);
    base = `http://127.0.0.1:${portal.port}`;
  });

  afterAll(async () => {
    await portal?.close();
    ticket?.server.closeAllConnections();
    identity?.server.closeAllConnections();
    await new Promise((r) => ticket?.server.close(r));
    await new Promise((r) => identity?.server.close(r));
    if (publicDir) await rm(publicDir, { recursive: true, force: true });
  });

  describe('API forwarding', () => {
    it('passes method, path, query, body, Authorization and content-type through, and adds x-forwarded-for', async () => {
      const body = JSON.stringify({ title: 'Printer jammed', siteId: 'north' });
      const res = await fetch(`${base}/api/v1/tickets?draft=1&x=a%20b`, {
        method: 'POST',
        headers: { authorization: 'Bearer abc.def.ghi', 'content-type': 'application/json', cookie: 'session=secret' },
        body,
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-upstream')).toBe('ticket');
      const echo = (await res.json()) as Echo;
      expect(echo.method).toBe('POST');
      expect(echo.url).toBe('/api/v1/tickets?draft=1&x=a%20b');
      expect(echo.body).toBe(body);
      expect(echo.headers['authorization']).toBe('Bearer abc.def.ghi');
      expect(echo.headers['content-type']).toBe('application/json');
      expect(echo.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(echo.headers['x-request-id']).toBe(res.headers.get('x-request-id'));
      expect(echo.headers['cookie']).toBeUndefined();
    });

    it('forwards other methods and sub-paths', async () => {
      const res = await fetch(`${base}/api/v1/tickets/123/comments`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      const echo = (await res.json()) as Echo;
      expect([echo.method, echo.url, echo.body]).toEqual(['PATCH', '/api/v1/tickets/123/comments', '{"a":1}']);
    });

    it('routes each prefix to its own service', async () => {
      const cases: [string, string][] = [
        ['/api/v1/me', 'identity'],
        ['/api/v1/sites/north', 'identity'],
        ['/api/v1/openapi.json', 'ticket'],
        // Every service's OpenAPI document, as the API docs page lists them.
        ['/api/v1/identity/openapi.json', 'identity'],
        ['/api/docs', 'ticket'],
        ['/api/v1/tickets', 'ticket'],
        ['/api/v1/events', 'ticket'],
        ['/api/v1/policies/draft', 'ticket'],
        ['/api/v1/teams', 'ticket'],
        ['/api/v1/assignment-rules', 'ticket'],
        ['/api/v1/maintenance-windows', 'ticket'],
        ['/api/v1/incidents', 'ticket'],
        ['/api/v1/status-banners', 'ticket'],
        ['/api/v1/directory/users', 'identity'],
      ];
      for (const [path, upstream] of cases) {
        const res = await fetch(`${base}${path}`);
        expect(res.status, path).toBe(200);
        expect(((await res.json()) as Echo).upstream, path).toBe(upstream);
      }
    });

    it('answers unknown API paths itself with a 404 envelope', async () => {
      for (const path of ['/api/v1/nothing', '/api/v1/ticketsx']) {
        const res = await fetch(`${base}${path}`);
        expect(res.status).toBe(404);
        const body = (await res.json()) as { error: { code: string } };
        expect(body.error.code).toBe('NOT_FOUND');
      }
    });

    it('streams responses instead of buffering them', async () => {
      const res = await fetch(`${base}/api/v1/events/stream`, { headers: { accept: 'text/event-stream' } });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toContain('data: first');
      expect(streamHeld, 'the upstream still holds the rest').toHaveLength(1);
      streamHeld.shift()!();
      let rest = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        rest += new TextDecoder().decode(value);
      }
      expect(rest).toContain('data: second');
    });

    it('gives 502 in the error envelope when the upstream is down', async () => {
      const res = await fetch(`${base}/api/v1/audit/events?limit=5`);
      expect(res.status).toBe(502);
      const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
      expect(body.error.code).toBe('UNAVAILABLE');
      expect(body.error.message).toMatch(/audit/);
      expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
    });

    it('gives 504 when the upstream accepts but never answers', async () => {
      const res = await fetch(`${base}/api/v1/tickets/hang`);
      expect(res.status).toBe(504);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');
    });

    it('rejects bodies over the limit before they reach a backend', async () => {
      const before = ticket.hits.length;
      const res = await fetch(`${base}/api/v1/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(300 * 1024) });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(ticket.hits.length).toBe(before);
    });

    it('lets an attachment upload through up to its own larger limit, and no other request', async () => {
      const before = ticket.hits.length;
      const big = 'x'.repeat(300 * 1024);
      const upload = await fetch(`${base}/api/v1/tickets/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/attachments`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: big });
      expect(upload.status).toBe(201);
      expect(ticket.hits.length).toBe(before + 1);
      expect(ticket.hits.at(-1)!.body).toHaveLength(big.length);
      const elsewhere = await fetch(`${base}/api/v1/tickets/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/comments`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: big });
      expect(elsewhere.status).toBe(413);
      const tooBig = await fetch(`${base}/api/v1/tickets/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/attachments`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(600 * 1024) });
      expect(tooBig.status).toBe(413);
      expect(ticket.hits.length).toBe(before + 1);
    });
  });

  describe('app and config', () => {
    it('serves /config.json from the environment', async () => {
      const res = await fetch(`${base}/config.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toEqual({ keycloakUrl: 'https://sso.clinic.example:8443', realm: 'tierline', clientId: 'tierline-portal' });
    });

    it('serves built assets with long caching', async () => {
      const res = await fetch(`${base}/assets/index-abc123.js`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('javascript');
      expect(res.headers.get('cache-control')).toContain('immutable');
      expect(await res.text()).toContain('console.log');
    });

    it('falls back to index.html for app routes, but not for missing assets or non-GETs', async () => {
      for (const path of ['/', '/tickets/5f0c3b1e', '/auth/callback?code=x&state=y']) {
        const res = await fetch(`${base}${path}`);
        expect(res.status, path).toBe(200);
        expect(res.headers.get('content-type')).toContain('text/html');
        expect(res.headers.get('cache-control')).toBe('no-cache');
        expect(await res.text()).toBe(INDEX_HTML);
      }
      expect((await fetch(`${base}/assets/missing-123.js`)).status).toBe(404);
      expect((await fetch(`${base}/tickets/1`, { method: 'POST' })).status).toBe(404);
    });

    it('sends a strict CSP and the other security headers on every response', async () => {
      for (const path of ['/', '/config.json', '/api/v1/me', '/api/v1/audit']) {
        const res = await fetch(`${base}${path}`);
        const csp = res.headers.get('content-security-policy');
        expect(csp, path).toBeTruthy();
        const directives = Object.fromEntries(
          csp!
            .split(';')
            .map((d) => d.trim())
            .filter(Boolean)
            .map((d) => {
              const [name, ...values] = d.split(/\s+/);
              return [name, values.join(' ')];
            }),
        );
        expect(directives).toMatchObject({
          'default-src': "'self'",
          'script-src': "'self'",
          'style-src': "'self'",
          'img-src': "'self' data:",
          'connect-src': "'self' https://sso.clinic.example:8443",
          'frame-ancestors': "'none'",
          'form-action': "'self' https://sso.clinic.example:8443",
          'base-uri': "'none'",
          'object-src': "'none'",
        });
        expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
        expect(res.headers.get('x-frame-options')).toBe('DENY');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      }
    });
  });

  describe('health', () => {
    it('/healthz is always ok; /readyz follows the ticket service', async () => {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { ticket: 'ok' } });

      const env = parseEnv(portalEnvSchema, { TICKET_SERVICE_URL: deadUrl });
      const down = createPortalApp({ env, logger: createLogger('portal-test', 'silent'), publicDir });
      const res = await down.request('/readyz');
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'not ready' });
    });
  });
});
