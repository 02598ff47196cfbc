/**
 * SMS delivery status from Twilio's status callbacks: the SMS stand-in calls the StatusCallback
 * URL the service gives on message create, signed like Twilio signs (X-Twilio-Signature), and the
 * service's public route verifies it with the twilio library before moving the delivery on.
 */
import { describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { twilioSignature, type StatusCallbackRecord } from '@tierline/provider-stubs';
import { escalationCommand, eventually, mailpitSearch, notificationTest, type Notification } from './test/harness.js';

let svc: Notification;
const ids: Record<string, string> = {};

const test = notificationTest('smsstatus', { smsStatusCallbacks: true });

test.beforeAll(async ({ notification }) => {
  svc = notification;
  for (const u of ['lee.lead', 'alex.agent']) ids[u] = await svc.directory.userId(u);
});

const smsRow = async (ticketId: string) =>
  (await svc.sql<{ status: string; last_error: string | null; provider_message_id: string | null }[]>`
    select status, last_error, provider_message_id from deliveries where ticket_id = ${ticketId} and channel = 'sms' and kind = 'page'`)[0];
const callbacks = async () => ((await (await fetch(`${svc.stubs.url}/_stub/callbacks`)).json()) as { callbacks: StatusCallbackRecord[] }).callbacks;
const callbackUrl = () => `${svc.baseUrl}/webhooks/twilio/status`;
const post = (fields: Record<string, string>, signature?: string) =>
  fetch(callbackUrl(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
    body: new URLSearchParams(fields).toString(),
  });

describe('Twilio status callbacks', () => {
  it('sign the way the twilio library verifies (the stand-in computes the signature on its own)', () => {
    const fields = { MessageSid: 'SM0123456789abcdef0123456789abcdef', MessageStatus: 'delivered', To: '+15550100001' };
    expect(twilioSignature('stub-auth-token', callbackUrl(), fields)).toBe(twilio.getExpectedTwilioSignature('stub-auth-token', callbackUrl(), fields));
  });

  it('move a sent SMS to delivered', async () => {
    const cmd = escalationCommand({ targets: [{ kind: 'user', userId: ids['alex.agent']! }], channels: ['sms'] });
    await svc.publish(cmd);
    const row = await eventually('the SMS to be delivered', async () => {
      const r = await smsRow(cmd.ticketId);
      return r?.status === 'delivered' ? r : undefined;
    });
    const mine = (await callbacks()).filter((c) => c.fields['MessageSid'] === row.provider_message_id);
    expect(mine.map((c) => [c.fields['MessageStatus'], c.status])).toEqual([
      ['sent', 200],
      ['delivered', 200],
    ]);
    expect(mine[0]!.url).toBe(callbackUrl());
    await eventually('the delivered event', async () => svc.events.find((e) => e.type === 'notification.delivered' && e.ticketId === cmd.ticketId));
  });

  it('fail an SMS the carrier did not deliver, and alert the IT lead on another channel', async () => {
    await fetch(`${svc.stubs.url}/_stub/sms-outcome`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'undelivered', errorCode: '30003' }) });
    const cmd = escalationCommand({ priority: 'P2', targets: [{ kind: 'user', userId: ids['alex.agent']! }], channels: ['sms'] });
    await svc.publish(cmd);
    const row = await eventually('the SMS to fail', async () => {
      const r = await smsRow(cmd.ticketId);
      return r?.status === 'failed' ? r : undefined;
    });
    expect(row.last_error).toBe('twilio reported undelivered (error 30003)');
    const alert = await eventually('the alert mail', async () =>
      (await mailpitSearch(`to:lee.lead@it.tierline.test subject:"${cmd.ticketNumber}"`)).find((m) => m.Subject.includes('could not be delivered')),
    );
    expect(alert.Subject).toBe(`[P2] ${cmd.ticketNumber}: a sms page to Alex Agent could not be delivered`);
    const event = await eventually('the delivery_failed event', async () =>
      svc.events.find((e) => e.type === 'notification.delivery_failed' && e.ticketId === cmd.ticketId && e.data.kind === 'page'),
    );
    expect(event.data).toMatchObject({ channel: 'sms', alertedVia: { userId: ids['lee.lead'], channel: 'email' } });

    // A late or repeated callback does not bring it back, nor alert twice.
    const fields = { MessageSid: row.provider_message_id!, MessageStatus: 'delivered' };
    const again = await post(fields, twilio.getExpectedTwilioSignature('stub-auth-token', callbackUrl(), fields));
    expect(await again.json()).toEqual({ updated: 0 });
    expect((await smsRow(cmd.ticketId))!.status).toBe('failed');
  });

  it('refuse a callback without a valid signature before reading it, and name a malformed field', async () => {
    const cmd = escalationCommand({ targets: [{ kind: 'user', userId: ids['alex.agent']! }], channels: ['sms'] });
    await fetch(`${svc.stubs.url}/_stub/sms-outcome`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'delivered' }) });
    await svc.publish(cmd);
    const row = await eventually('the SMS delivered', async () => {
      const r = await smsRow(cmd.ticketId);
      return r?.status === 'delivered' ? r : undefined;
    });
    const forged = { MessageSid: row.provider_message_id!, MessageStatus: 'failed' };
    for (const signature of [undefined, 'bm90IGEgc2lnbmF0dXJl', twilio.getExpectedTwilioSignature('another-token', callbackUrl(), forged), twilio.getExpectedTwilioSignature('stub-auth-token', 'http://elsewhere.test/webhooks/twilio/status', forged)]) {
      const res = await post(forged, signature);
      expect(res.status, `signature ${signature}`).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    }
    expect((await smsRow(cmd.ticketId))!.status).toBe('delivered');

    const bad = { MessageSid: 'nope', MessageStatus: 'delivered' };
    const res = await post(bad, twilio.getExpectedTwilioSignature('stub-auth-token', callbackUrl(), bad));
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('MessageSid');
  });
});
