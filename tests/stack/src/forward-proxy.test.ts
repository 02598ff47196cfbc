/**
 * The browser's forward proxy: the portal's virtual origin goes to this run's portal, loopback
 * addresses go where they ask, anything else and any CONNECT tunnel is refused.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardProxy } from './forward-proxy.js';

let target: Server;
let targetPort = 0;
let proxy: Awaited<ReturnType<typeof forwardProxy>>;

/** A GET through the proxy, as a browser configured with it sends it (absolute URL). */
function viaProxy(url: string): Promise<{ status: number; body: string }> {
  const p = new URL(proxy.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname: p.hostname, port: Number(p.port), method: 'GET', path: url, headers: { host: new URL(url).host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  target = createServer((req, res) => res.end(`target got ${req.method} ${req.url}`));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetPort = (target.address() as AddressInfo).port;
  proxy = await forwardProxy('localhost:3000', `127.0.0.1:${targetPort}`);
});

afterAll(async () => {
  await proxy?.close();
  await new Promise<void>((r) => target.close(() => r()));
});

describe('forwardProxy', () => {
  it("sends the virtual host to the target, path and query kept", async () => {
    expect(await viaProxy('http://localhost:3000/app/queue?x=1')).toEqual({ status: 200, body: 'target got GET /app/queue?x=1' });
  });

  it('lets loopback addresses through as they are', async () => {
    expect(await viaProxy(`http://127.0.0.1:${targetPort}/direct`)).toEqual({ status: 200, body: 'target got GET /direct' });
  });

  it('refuses anything off this machine with 403', async () => {
    const res = await viaProxy('http://example.com/');
    expect(res.status).toBe(403);
    expect(res.body).toBe('the test proxy only reaches this machine');
  });

  it('refuses to tunnel (CONNECT)', async () => {
    const p = new URL(proxy.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(p.port), p.hostname, () => socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'));
      let got = '';
      socket.setEncoding('utf8');
      socket.on('data', (c: string) => (got += c));
      socket.on('end', () => resolve(got));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 403 Forbidden/);
  });
});
