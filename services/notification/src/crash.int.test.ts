import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connectNats, createSql, ensureStreams, migrate, type NatsConnection, type Sql } from '@tierline/platform';
import { createTestDatabase, testEnv } from '@tierline/testing';
import { startProviderStubs, type RecordedRequest } from '@tierline/provider-stubs';
import { startDirectory } from './test/directory.js';
import { createCommandStream, escalationCommand, eventually, mailpitSearch, MIGRATIONS_DIR } from './test/harness.js';

/**
 * The service runs as a child process (tsx on the sources) and is killed with SIGKILL while the
 * SMS stand-in holds a send open; after a restart every recipient must have exactly one message
 * on every channel.
 */
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const env0 = testEnv();

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: Sql;
let nc: NatsConnection;
let cmds: Awaited<ReturnType<typeof createCommandStream>>;
let stubs: Awaited<ReturnType<typeof startProviderStubs>>;
let directory: Awaited<ReturnType<typeof startDirectory>>;
let child: ChildProcess | null = null;
let output = '';
const durable = `nt-crash-${Date.now()}`;

function startService() {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=@tierline/source', MAIN], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: '0',
      DATABASE_URL: db.url,
      NATS_URL: env0.natsUrl,
      SMTP_URL: env0.smtpUrl,
      MAILPIT_URL: env0.mailpitUrl,
      NOTIFY_STREAM: cmds.stream,
      NOTIFY_SUBJECT: cmds.subject,
      NOTIFY_DURABLE: durable,
      NOTIFY_MAX_DELIVER: '30',
      NOTIFY_BACKOFF_MS: '500,1000',
      NOTIFY_ACK_WAIT_MS: '3000',
      SEND_TIMEOUT_MS: '4000',
      POLL_INTERVAL_MS: '500',
      TWILIO_API_BASE: stubs.url,
      SLACK_API_URL: `${stubs.url}/slack/api/`,
      TEAMS_WEBHOOK_URL: `${stubs.url}/teams/webhook/tierline-stub`,
      // Recipients from the identity and ticket services, running in this (the test's) process.
      ...directory.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return proc;
}

const requests = async (provider: string): Promise<RecordedRequest[]> =>
  ((await (await fetch(`${stubs.url}/_stub/requests?provider=${provider}`)).json()) as { requests: RecordedRequest[] }).requests;
const knob = (path: string, body: object) => fetch(`${stubs.url}/_stub/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  db = await createTestDatabase('ncrash');
  sql = createSql(db.url, 'notification', 2);
  // Migrated here too, so the test can read the rows before the child has started.
  await migrate(sql, { schema: 'notification', dir: MIGRATIONS_DIR });
  nc = await connectNats(env0.natsUrl, 'nt-crash');
  await ensureStreams(nc);
  cmds = await createCommandStream(nc, 'crash');
  stubs = await startProviderStubs(0);
  directory = await startDirectory('crash');
});

afterAll(async () => {
  child?.kill('SIGKILL');
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.delete(cmds.stream, durable).catch(() => undefined);
  await cmds.drop();
  await stubs.close();
  await nc.drain();
  await sql.end();
  await db.drop();
  await directory?.stop();
});

describe('kill -9 while sending', () => {
  it('leaves every recipient with exactly one message per channel after a restart', async () => {
    // Answers from the SMS provider take 30 s: the send is in flight when the process dies.
    await knob('delay', { provider: 'twilio', ms: 30_000 });
    child = startService();
    const cmd = escalationCommand({ targets: [{ kind: 'it_lead' }, { kind: 'team', teamId: 'it-tier1' }], channels: ['email', 'sms', 'slack', 'teams'] });
    await jetstream(nc).publish(cmds.subject, JSON.stringify(cmd), { msgID: cmd.idempotencyKey });

    // Two people (lee.lead, alex.agent): the stand-in has accepted both SMS, neither is answered.
    await eventually('both SMS to reach the stand-in', async () => ((await requests('twilio')).length === 2 ? true : undefined), 60_000);
    const before = await sql<{ channel: string; status: string }[]>`select channel, status from deliveries where ticket_id = ${cmd.ticketId}`;
    expect(before.filter((r) => r.channel === 'sms').every((r) => r.status === 'queued'), JSON.stringify(before)).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));

    await knob('delay', { provider: 'twilio', ms: 0 });
    child = startService();
    const rows = await eventually(
      'every delivery sent after the restart',
      async () => {
        const r = await sql<{ recipient_id: string; channel: string; status: string; attempts: number }[]>`
          select recipient_id, channel, status, attempts from deliveries where ticket_id = ${cmd.ticketId} order by recipient_id, channel`;
        return r.length === 8 && r.every((x) => x.status === 'sent') ? r : undefined;
      },
      60_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nservice output:\n${output.slice(-3000)}`);
    });
    // The SMS were attempted twice: once before the kill, once after.
    expect(rows.filter((r) => r.channel === 'sms').map((r) => r.attempts)).toEqual([2, 2]);

    const sms = (await requests('twilio')).filter((r) => String(r.body.Body).includes(cmd.ticketNumber));
    expect(sms.map((r) => r.body.To).sort(), 'one SMS per person').toEqual(['+15550100001', '+15550100002']);
    const slack = (await requests('slack')).filter((r) => JSON.stringify(r.body).includes(cmd.ticketNumber));
    expect(slack.map((r) => r.body.channel).sort(), 'one Slack message per person').toEqual(['U0ALEX0002', 'U0LEE00001']);
    const teams = (await requests('teams')).filter((r) => JSON.stringify(r.body).includes(cmd.ticketNumber));
    expect(teams, 'one Teams card per person').toHaveLength(2);
    for (const who of ['lee.lead@it.tierline.test', 'alex.agent@it.tierline.test']) {
      const mails = await mailpitSearch(`to:${who} subject:"${cmd.ticketNumber}"`);
      expect(mails, `mails to ${who}`).toHaveLength(1);
    }
  });
});
