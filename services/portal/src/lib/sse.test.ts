import { describe, expect, it } from 'vitest';
import { reconnectDelayMs, SseParser } from './sse.js';

describe('server-sent events parser', () => {
  it('parses events split across chunks, with ids, names, multi-line data and comments', () => {
    const p = new SseParser();
    expect(p.push('event: ready\nretry: 3000\ndata: {"a"')).toEqual([]);
    expect(p.push(':1}\n\n: keep-alive\n\nid: e1\nevent: ticket\ndata: line 1\ndata: line 2\n')).toEqual([{ event: 'ready', data: '{"a":1}', id: null }]);
    expect(p.retryMs).toBe(3000);
    expect(p.push('\n')).toEqual([{ event: 'ticket', data: 'line 1\nline 2', id: 'e1' }]);
  });

  it('accepts CRLF and CR line ends, also when a CRLF is split between chunks', () => {
    const p = new SseParser();
    expect(p.push('data: x\r')).toEqual([]);
    expect(p.push('\n\r\ndata: y\r\rdata: z\n\n')).toEqual([
      { event: 'message', data: 'x', id: null },
      { event: 'message', data: 'y', id: null },
      { event: 'message', data: 'z', id: null },
    ]);
  });

  it('ignores frames without data and unknown fields', () => {
    const p = new SseParser();
    expect(p.push('event: nothing\n\nfoo: bar\ndata\n\n')).toEqual([{ event: 'message', data: '', id: null }]);
  });

  it('backs off exponentially up to 30 s, with jitter', () => {
    expect(reconnectDelayMs(0, () => 0.5)).toBe(1000);
    expect(reconnectDelayMs(3, () => 0.5)).toBe(8000);
    expect(reconnectDelayMs(20, () => 0.5)).toBe(30_000);
    expect(reconnectDelayMs(0, () => 0)).toBe(750);
    expect(reconnectDelayMs(0, () => 1)).toBe(1250);
  });
});
