import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createServiceApp, listen, parseEnv } from '@tierline/platform';
import { portalEnvSchema } from './env.js';
import { createPortalApp } from './app.js';

/** A request over a real socket: fetch refuses to send TRACE, node's HTTP client does not. */
function raw(port: number, method: string, path: string): Promise<{ status: number; allow: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

// Finding: "A method the API does not have is a 502 'ticket service unavailable' through the
// portal. TRACE is one example. It must be a 405 with an Allow header."
describe('methods an API path does not have, through the portal', () => {
  let backend: Awaited<ReturnType<typeof listen>>;
  let portal: Awaited<ReturnType<typeof listen>>;
  let publicDir: string;

  beforeAll(async () => {
    // A service built like every Tierline service (platform's createServiceApp), with one route.
    const service = createServiceApp<{ Variables: object }>({ name: 'ticket', logger: createLogger('test', 'silent'), readiness: {} });
    service.get('/api/v1/tickets/:id/comments', (c) => c.json({ comments: [] }));
    service.post('/api/v1/tickets/:id/comments', (c) => c.json({}, 201));
    backend = await listen(service, 0);
    publicDir = await mkdtemp(join(tmpdir(), 'tierline-portal-'));
    const url = `http://127.0.0.1:${backend.port}`;
    const env = parseEnv(portalEnvSchema, {
      LOG_LEVEL: 'silent',
      TICKET_SERVICE_URL: url,
      IDENTITY_SERVICE_URL: url,
      NOTIFICATION_SERVICE_URL: url,
      AUDIT_SERVICE_URL: url,
      KEYCLOAK_ISSUER: 'https://sso.clinic.example:8443/realms/tierline',
    });
    portal = await listen(createPortalApp({ env, logger: createLogger('portal-test', 'silent'), publicDir }), 0);
  });

  afterAll(async () => {
    await portal?.close();
    await backend?.close();
    if (publicDir) await rm(publicDir, { recursive: true, force: true });
  });

  it('answers TRACE, which fetch cannot send, with 405 and the path’s Allow, never 502', async () => {
    const res = await raw(portal.port, 'TRACE', '/api/v1/tickets/7/comments');
    expect(res.status, res.body).toBe(405);
    expect(res.allow).toBe('GET, HEAD, POST');
    expect((JSON.parse(res.body) as { error: { code: string } }).error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it("passes the service's own 405 and Allow through for a method fetch can send", async () => {
    const res = await raw(portal.port, 'DELETE', '/api/v1/tickets/7/comments');
    expect(res.status).toBe(405);
    expect(res.allow).toBe('GET, HEAD, POST');
  });

  it('keeps 404 for a path the service does not have', async () => {
    expect((await raw(portal.port, 'TRACE', '/api/v1/tickets/7/nothing')).status).toBe(404);
  });
});
