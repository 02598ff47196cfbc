import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A plain-HTTP forward proxy for the browser: requests for `virtualHost` go to `target`, requests
 * for other loopback addresses (Keycloak) go where they ask, everything else is refused (a test
 * browser has no business on the internet). Responses are piped, so event streams stay live.
 */
export async function forwardProxy(virtualHost: string, target: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute URL expected');
      return;
    }
    const dest = url.host === virtualHost ? target : LOOPBACK.has(url.hostname) ? url.host : null;
    if (!dest || url.protocol !== 'http:') {
      res.writeHead(403).end('the test proxy only reaches this machine');
      return;
    }
    const [hostname, port] = [dest.slice(0, dest.lastIndexOf(':')), Number(dest.slice(dest.lastIndexOf(':') + 1)) || 80];
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const upstream = request({ hostname: hostname.replace(/^\[|\]$/g, ''), port, method: req.method, path: `${url.pathname}${url.search}`, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  // Never tunnel (HTTPS and other CONNECTs): nothing the tests use needs it.
  server.on('connect', (_req, socket) => socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
