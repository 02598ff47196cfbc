import { serve } from '@hono/node-server';
import { createProviderStubs, DEFAULT_STUB_CONFIG, type StubConfig } from './app.js';

/** Serves the stand-ins; port 0 picks a free port (tests). */
export function startProviderStubs(port: number, config: StubConfig = DEFAULT_STUB_CONFIG, hostname = '127.0.0.1') {
  const { app, state } = createProviderStubs(config);
  return new Promise<{ url: string; port: number; state: typeof state; close: () => Promise<void> }>((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
      resolve({
        url: `http://${hostname}:${info.port}`,
        port: info.port,
        state,
        close: () =>
          new Promise<void>((r) => {
            // Slow (delayed) responses must not hold a test's shutdown.
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
