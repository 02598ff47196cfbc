/**
 * A reader of a server-sent event stream as the portal reads it (fetch with a bearer token):
 * every named frame recorded with when it came, resolved once the server says `ready`.
 */
export interface StreamFrame {
  event: string;
  data: string;
  at: number;
}

export interface OpenStream {
  /** The response's status and content type, for a test to assert on. */
  status: number;
  contentType: string | null;
  frames: StreamFrame[];
  /** The parsed `data` of each frame named `event`. */
  dataOf: <T = unknown>(event: string) => T[];
  /** Everything the server sent, as it sent it (for a test that no word reaches a reader). */
  raw: () => string;
  /** When the server ended the body (null while it is open). */
  endedAt: () => number | null;
  close: () => void;
}

/**
 * Opens `url` with `authorization` as given (`Bearer …`, or anything a test wants refused) and
 * waits for the `ready` frame. A status other than 200 throws with the response's text, so a
 * refused stream says why.
 */
export async function openEventStream(url: string, authorization: string): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { authorization, accept: 'text/event-stream' }, signal: controller.signal });
  if (res.status !== 200) throw new Error(`the event stream answered ${res.status}: ${await res.text()}`);
  const frames: StreamFrame[] = [];
  let endedAt: number | null = null;
  let raw = '';
  let ready!: () => void;
  let failed!: (err: Error) => void;
  const isReady = new Promise<void>((resolve, reject) => ((ready = resolve), (failed = reject)));
  void (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        raw += value;
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          if (!event) continue;
          const data = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          frames.push({ event, data, at: Date.now() });
          if (event === 'ready') ready();
        }
      }
      endedAt = Date.now();
      failed(new Error('the event stream ended before it was ready'));
    } catch {
      // aborted by close()
    }
  })();
  await isReady;
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    frames,
    dataOf: <T>(event: string) => frames.filter((f) => f.event === event).map((f) => JSON.parse(f.data) as T),
    raw: () => raw,
    endedAt: () => endedAt,
    close: () => controller.abort(),
  };
}

/** Polls `check` every 20 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
