import { useEffect, useRef, useState } from 'react';
import { useTokenSource } from './api/context.js';
import { SseParser, reconnectDelayMs } from './sse.js';
import type { StreamMessage } from './api/types.js';

export type LiveState = 'connecting' | 'live' | 'offline';

export interface LiveOptions {
  /** Only this ticket's changes (a ticket page); else every ticket the person may read. */
  ticketId?: string | undefined;
  onTicket: (m: StreamMessage) => void;
  /** Called each time the stream is (re)established: reload what is shown, since nothing is replayed. */
  onReady?: () => void;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/**
 * Follows GET /api/v1/events/stream for as long as the component is shown. The stream is read
 * with fetch so the access token goes in the Authorization header (EventSource cannot send one,
 * and a token in a URL ends up in logs). The server ends the stream when the token expires; it
 * is then reopened at once with the renewed token, and after a failure with growing pauses.
 */
export function useLiveTickets(opts: LiveOptions): LiveState {
  const getToken = useTokenSource();
  const [state, setState] = useState<LiveState>('connecting');
  const handlers = useRef(opts);
  handlers.current = opts;
  const { ticketId } = opts;

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    const url = `/api/v1/events/stream${ticketId ? `?ticketId=${encodeURIComponent(ticketId)}` : ''}`;
    void (async () => {
      let failures = 0;
      while (!signal.aborted) {
        try {
          const token = await getToken();
          if (!token) throw new Error('signed out');
          const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, cache: 'no-store', signal });
          if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          const parser = new SseParser();
          let expired = false;
          while (!expired) {
            const { done, value } = await reader.read();
            if (done) break;
            for (const ev of parser.push(value)) {
              if (ev.event === 'ready') {
                failures = 0;
                setState('live');
                handlers.current.onReady?.();
              } else if (ev.event === 'ticket') {
                try {
                  handlers.current.onTicket(JSON.parse(ev.data) as StreamMessage);
                } catch (err) {
                  console.error('live update not applied', err);
                }
              } else if (ev.event === 'expired') {
                expired = true;
              }
            }
          }
          await reader.cancel().catch(() => undefined);
          if (signal.aborted) return;
          // A normal end (token expiry): reopen at once with a fresh token.
          setState('connecting');
          await sleep(100, signal);
        } catch {
          if (signal.aborted) return;
          setState('offline');
          await sleep(reconnectDelayMs(failures++), signal);
        }
      }
    })();
    return () => controller.abort();
  }, [getToken, ticketId]);

  return state;
}

/** The current time, re-rendering every `intervalMs` (for countdowns). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}
