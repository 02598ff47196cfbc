import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createProviderStubs, DEFAULT_STUB_CONFIG, twilioSignature } from './app.js';

const cfg = DEFAULT_STUB_CONFIG;
const basic = `Basic ${Buffer.from(`${cfg.twilio.accountSid}:${cfg.twilio.authToken}`).toString('base64')}`;
const twilioPath = `/2010-04-01/Accounts/${cfg.twilio.accountSid}/Messages.json`;
const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const card = { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'hi' }] } }] };

function sms(app: ReturnType<typeof createProviderStubs>['app'], fields: Record<string, string>, headers: Record<string, string> = {}) {
  return app.request(twilioPath, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form(fields) });
}

describe('Twilio Messages stand-in', () => {
  it('accepts a documented request and answers with a Message resource', async () => {
    const { app, state } = createProviderStubs();
    const res = await sms(app, { To: '+15550100001', From: '+15550109999', Body: 'P1 IT-1' });
    expect(res.status, await res.clone().text()).toBe(201);
    const body = (await res.json()) as { sid: string; status: string };
    expect(body.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(body.status).toBe('queued');
    expect(state.requests).toHaveLength(1);
  });
  it('refuses wrong credentials with 401/20003', async () => {
    const { app } = createProviderStubs();
    const res = await app.request(twilioPath, { method: 'POST', headers: { authorization: 'Basic eDp5', 'content-type': 'application/x-www-form-urlencoded' }, body: form({ To: '+15550100001', From: '+15550109999', Body: 'x' }) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: number }).code).toBe(20003);
  });
  it.each([
    [{ To: '5550100001', From: '+15550109999', Body: 'x' }, 21211],
    [{ To: '+15550100001', Body: 'x' }, 21603],
    [{ To: '+15550100001', From: '+15550109999' }, 21602],
    [{ To: '+15550100001', MessagingServiceSid: 'MGnope', Body: 'x' }, 21701],
  ])('refuses %o with Twilio error %i', async (fields, code) => {
    const { app, state } = createProviderStubs();
    const res = await sms(app, fields);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: number }).code).toBe(code);
    expect(state.requests).toHaveLength(0);
  });
  it('refuses JSON bodies', async () => {
    const { app } = createProviderStubs();
    const res = await app.request(twilioPath, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body: JSON.stringify({ To: '+15550100001' }) });
    expect(res.status).toBe(400);
  });
  it('records a request repeated with the same I-Twilio-Idempotency-Token once and answers the same sid', async () => {
    const { app, state } = createProviderStubs();
    const h = { 'I-Twilio-Idempotency-Token': 'k1' };
    const a = (await (await sms(app, { To: '+15550100001', From: '+15550109999', Body: 'x' }, h)).json()) as { sid: string };
    const b = (await (await sms(app, { To: '+15550100001', From: '+15550109999', Body: 'x' }, h)).json()) as { sid: string };
    expect(b.sid).toBe(a.sid);
    expect(state.requests).toHaveLength(1);
  });
});

describe('Twilio status callbacks', () => {
  /** A receiver that records what it is sent, as the notification service's callback route would get it. */
  async function receiver() {
    const got: { headers: Record<string, string | string[] | undefined>; fields: Record<string, string> }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        got.push({ headers: req.headers, fields: Object.fromEntries(new URLSearchParams(body).entries()) });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { got, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/twilio/status`, close: () => new Promise((r) => server.close(r)) };
  }
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 50 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  };

  it('reports sent and then delivered to the StatusCallback URL, form-encoded and signed', async () => {
    const rx = await receiver();
    try {
      const { app, state } = createProviderStubs();
      const res = await sms(app, { To: '+15550100001', From: '+15550109999', Body: 'x', StatusCallback: rx.url });
      const { sid } = (await res.json()) as { sid: string };
      await until(() => rx.got.length === 2);
      expect(rx.got.map((g) => g.fields['MessageStatus'])).toEqual(['sent', 'delivered']);
      for (const g of rx.got) {
        expect(g.fields).toMatchObject({ MessageSid: sid, AccountSid: cfg.twilio.accountSid, To: '+15550100001', From: '+15550109999' });
        expect(g.headers['x-twilio-signature']).toBe(twilioSignature(cfg.twilio.authToken, rx.url, g.fields));
      }
      expect(state.callbacks.map((c) => c.status)).toEqual([200, 200]);
    } finally {
      await rx.close();
    }
  });

  it('ends the next message as a test asked (undelivered with an error code), and reports once per message', async () => {
    const rx = await receiver();
    try {
      const { app } = createProviderStubs();
      await app.request('/_stub/sms-outcome', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'undelivered', errorCode: '30003' }) });
      const h = { 'I-Twilio-Idempotency-Token': 'once' };
      await sms(app, { To: '+15550100001', From: '+15550109999', Body: 'x', StatusCallback: rx.url }, h);
      await sms(app, { To: '+15550100001', From: '+15550109999', Body: 'x', StatusCallback: rx.url }, h);
      await until(() => rx.got.length >= 2);
      await new Promise((r) => setTimeout(r, 300));
      expect(rx.got.map((g) => [g.fields['MessageStatus'], g.fields['ErrorCode']])).toEqual([
        ['sent', undefined],
        ['undelivered', '30003'],
      ]);
    } finally {
      await rx.close();
    }
  });

  it('refuses a StatusCallback that is not a URL (21609) and a bad outcome knob', async () => {
    const { app } = createProviderStubs();
    const res = await sms(app, { To: '+15550100001', From: '+15550109999', Body: 'x', StatusCallback: 'not a url' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: number }).code).toBe(21609);
    const knob = await app.request('/_stub/sms-outcome', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'lost' }) });
    expect(knob.status).toBe(400);
  });
});

describe('Slack chat.postMessage stand-in', () => {
  const post = (app: ReturnType<typeof createProviderStubs>['app'], body: unknown, headers: Record<string, string> = { authorization: `Bearer ${cfg.slack.token}` }) =>
    app.request('/slack/api/chat.postMessage', { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) });
  it('accepts JSON with channel and text', async () => {
    const { app, state } = createProviderStubs();
    const res = await post(app, { channel: 'U0LEE00001', text: 'P1 IT-1' });
    const body = (await res.json()) as { ok: boolean; ts: string };
    expect(body.ok, JSON.stringify(body)).toBe(true);
    expect(body.ts).toMatch(/^\d+\.\d+$/);
    expect(state.requests).toHaveLength(1);
  });
  it('accepts form-encoded arguments with JSON-encoded blocks (what @slack/web-api sends)', async () => {
    const { app } = createProviderStubs();
    const res = await app.request('/slack/api/chat.postMessage', {
      method: 'POST',
      headers: { authorization: `Bearer ${cfg.slack.token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ channel: '#it-alerts', blocks: JSON.stringify([{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }]) }),
    });
    expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
  });
  it.each([
    [{ channel: 'U0LEE00001', text: 'x' }, {}, 'not_authed'],
    [{ channel: 'U0LEE00001', text: 'x' }, { authorization: 'Bearer xoxb-wrong' }, 'invalid_auth'],
    [{ text: 'x' }, undefined, 'channel_not_found'],
    [{ channel: '@lee', text: 'x' }, undefined, 'channel_not_found'],
    [{ channel: 'U0LEE00001' }, undefined, 'no_text'],
    [{ channel: 'U0LEE00001', blocks: [{ text: 'no type' }] }, undefined, 'invalid_blocks'],
  ])('refuses %o (headers %o) with %s', async (body, headers, error) => {
    const { app, state } = createProviderStubs();
    const res = await post(app, body, headers);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: false, error });
    expect(state.requests).toHaveLength(0);
  });
});

describe('Teams incoming webhook stand-in', () => {
  const post = (app: ReturnType<typeof createProviderStubs>['app'], body: unknown, id = cfg.teams.webhookId) =>
    app.request(`/teams/webhook/${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  it('accepts a message with an Adaptive Card attachment and answers "1"', async () => {
    const { app, state } = createProviderStubs();
    const res = await post(app, card);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1');
    expect(state.requests).toHaveLength(1);
  });
  it.each([
    [{ text: 'plain MessageCard-less text' }],
    [{ type: 'message', attachments: [] }],
    [{ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.hero', content: {} }] }],
    [{ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.4', body: [] } }] }],
  ])('refuses %o with 400', async (body) => {
    const { app, state } = createProviderStubs();
    expect((await post(app, body)).status).toBe(400);
    expect(state.requests).toHaveLength(0);
  });
  it('answers 404 for an unknown webhook', async () => {
    const { app } = createProviderStubs();
    expect((await post(app, card, 'other')).status).toBe(404);
  });
});

describe('test knobs', () => {
  it('fails the next N requests of a provider, then recovers, recording only the accepted one', async () => {
    const { app, state } = createProviderStubs();
    await app.request('/_stub/fail', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'teams', count: 2 }) });
    const post = () => app.request(`/teams/webhook/${cfg.teams.webhookId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(card) });
    expect((await post()).status).toBe(502);
    expect((await post()).status).toBe(502);
    expect((await post()).status).toBe(200);
    const listed = (await (await app.request('/_stub/requests?provider=teams')).json()) as { requests: unknown[] };
    expect(listed.requests).toHaveLength(1);
    expect(state.requests).toHaveLength(1);
  });
  it('delays answers but records on receipt', async () => {
    const { app, state } = createProviderStubs();
    await app.request('/_stub/delay', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'twilio', ms: 150 }) });
    const started = Date.now();
    const pending = sms(app, { To: '+15550100001', From: '+15550109999', Body: 'x' });
    await new Promise((r) => setTimeout(r, 20));
    expect(state.requests).toHaveLength(1);
    expect((await pending).status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
