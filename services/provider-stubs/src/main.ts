#!/usr/bin/env node
import { startProviderStubs } from './server.js';
import { DEFAULT_STUB_CONFIG } from './app.js';

// One process for all three stand-ins; credentials default to the dev values the notification
// service uses, and can be changed to check that a wrong one is refused.
const env = process.env;
const port = Number(env.PROVIDER_STUBS_PORT ?? env.PORT ?? 3010);
const stubs = await startProviderStubs(port, {
  twilio: {
    accountSid: env.TWILIO_ACCOUNT_SID ?? DEFAULT_STUB_CONFIG.twilio.accountSid,
    authToken: env.TWILIO_AUTH_TOKEN ?? DEFAULT_STUB_CONFIG.twilio.authToken,
  },
  slack: { token: env.SLACK_BOT_TOKEN ?? DEFAULT_STUB_CONFIG.slack.token },
  teams: { webhookId: env.TEAMS_WEBHOOK_ID ?? DEFAULT_STUB_CONFIG.teams.webhookId },
}, env.HOST ?? '127.0.0.1');
console.log(JSON.stringify({ service: 'provider-stubs', msg: 'listening', url: stubs.url }));
const stop = () => void stubs.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
