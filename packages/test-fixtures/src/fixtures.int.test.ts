/**
 * The fixtures on the real servers: the database is migrated and dropped after the file, NATS has
 * the streams, a served app answers on its port, and the event-stream reader sees what a stream
 * sends and when it ends.
 */
import { describe, expect, test } from 'vitest';
import { EVENTS_STREAM } from '@tierline/contracts';
import { migratedDatabase } from './database.js';
import { natsWithStreams } from './nats.js';
import { serveApp } from './app.js';
import { cleanupStack } from './hooks.js';
import { openEventStream, until } from './event-stream.js';

/** An app that answers /echo with what it was sent, and /stream with two frames then the end. */
const probeApp = {
  fetch: async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    if (url.pathname === '/echo') {
      return Response.json({ method: req.method, auth: req.headers.get('authorization'), body: req.method === 'GET' ? null : await req.json() });
    }
    if (url.pathname === '/stream') {
      if (req.headers.get('authorization') !== 'Bearer ok') return new Response('who are you', { status: 401 });
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          const enc = new TextEncoder();
          controller.enqueue(enc.encode('event: ready\ndata: {}\n\n'));
          await new Promise((r) => setTimeout(r, 50));
          controller.enqueue(enc.encode('event: ticket\ndata: {"n":1}\n\n'));
          controller.close();
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    }
    return new Response('not here', { status: 404 });
  },
};

const fixtureTest = test
  .extend('database', { scope: 'file' }, migratedDatabase({ label: 'fixtures', schema: 'probe', migrations: new URL('./test/migrations', import.meta.url), max: 2 }))
  .extend('nats', { scope: 'file' }, natsWithStreams('it-test-fixtures'))
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern; none here
  .extend('app', { scope: 'file' }, async ({}, hooks) => serveApp(probeApp, hooks));

// A file's hooks get the same file-scoped fixtures as its tests.
let databaseName = '';
fixtureTest.beforeAll(({ database }) => {
  databaseName = database.name;
});

describe('fixtures', () => {
  fixtureTest('the database is migrated into the schema and its pool has the schema on its search path', async ({ database }) => {
    expect(database.name).toBe(databaseName);
    const rows = await database.sql<{ note: string }[]>`select note from probe`;
    expect(rows.map((r) => r.note)).toEqual(['migrated']);
    const [where] = await database.sql<{ schema: string }[]>`select current_schema() as schema`;
    expect(where!.schema).toBe('probe');
  });

  fixtureTest('NATS is connected with the events stream declared', async ({ nats }) => {
    const jsm = await nats.js.jetstreamManager();
    expect((await jsm.streams.info(EVENTS_STREAM)).config.name).toBe(EVENTS_STREAM);
  });

  fixtureTest('the app is served on a free port and call sends the token and the JSON body', async ({ app }) => {
    expect(app.baseUrl).toBe(`http://127.0.0.1:${app.port}`);
    const res = await app.call('t0k', 'POST', '/echo', { a: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ method: 'POST', auth: 'Bearer t0k', body: { a: 1 } });
    expect((await app.call(null, 'GET', '/nowhere')).body).toBe('not here');
  });

  fixtureTest('the event-stream reader waits for ready, records the frames and sees the end', async ({ app }) => {
    const stream = await openEventStream(`${app.baseUrl}/stream`, 'Bearer ok');
    expect(stream.contentType).toContain('text/event-stream');
    await until('the ticket frame and the end', () => stream.endedAt() !== null);
    expect(stream.frames.map((f) => f.event)).toEqual(['ready', 'ticket']);
    expect(stream.dataOf<{ n: number }>('ticket')).toEqual([{ n: 1 }]);
    expect(stream.raw()).toBe('event: ready\ndata: {}\n\nevent: ticket\ndata: {"n":1}\n\n');
    await expect(openEventStream(`${app.baseUrl}/stream`, 'Bearer wrong')).rejects.toThrow(/401: who are you/);
  });

  test('a cleanup stack undoes last first, once, past a teardown that fails, and then throws its error', async () => {
    const done: string[] = [];
    const parts = cleanupStack();
    parts.onCleanup(() => void done.push('database'));
    parts.onCleanup(() => {
      done.push('connection');
      throw new Error('drain failed');
    });
    parts.onCleanup(async () => void done.push('server'));
    await expect(parts.run()).rejects.toThrow('drain failed');
    expect(done).toEqual(['server', 'connection', 'database']);
    await parts.run();
    expect(done, 'each teardown runs once').toHaveLength(3);
  });
});
