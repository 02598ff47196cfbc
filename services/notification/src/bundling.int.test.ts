import { describe, expect, it } from 'vitest';
import { escalationCommand, eventually, notificationTest, type Notification } from './test/harness.js';

let svc: Notification;

// Two messages per person and channel per 3-second window, so the test need not wait a minute.
const test = notificationTest('bundling', { env: { RATE_LIMIT_PER_MINUTE: '2' }, rateWindowMs: 3_000 });

test.beforeAll(async ({ notification }) => {
  svc = notification;
});

describe('the per-recipient rate limit', () => {
  it('bundles pages beyond the limit into one digest instead of dropping them', async () => {
    const cmds = Array.from({ length: 5 }, () => escalationCommand({ priority: 'P3', targets: [{ kind: 'user', userId: 'alex.agent' }], channels: ['slack'] }));
    for (const c of cmds) {
      await svc.publish(c);
      // In order, so which ones go at once is deterministic.
      await eventually('the command to be handled', async () => ((await svc.sql`select 1 from deliveries where ticket_id = ${c.ticketId}`).length > 0 ? true : undefined));
    }
    const rows = await eventually(
      'all five pages sent',
      async () => {
        const r = await svc.sql<{ ticket_id: string; status: string; bundle_id: string | null }[]>`
          select ticket_id, status, bundle_id from deliveries where ticket_id in ${svc.sql(cmds.map((c) => c.ticketId))}`;
        return r.length === 5 && r.every((x) => x.status === 'sent') ? r : undefined;
      },
      20_000,
    );
    const slack = (await svc.requests('slack')).filter((r) => cmds.some((c) => JSON.stringify(r.body).includes(c.ticketNumber)));
    expect(slack, `slack messages: ${JSON.stringify(slack.map((s) => s.body.text))}`).toHaveLength(3);
    const digest = slack[2]!;
    expect(String(digest.body.text)).toContain('3 updates');
    for (const c of cmds.slice(2)) expect(String(digest.body.text)).toContain(c.ticketNumber);
    expect(new Set(rows.filter((r) => r.bundle_id).map((r) => r.bundle_id)).size).toBe(1);
  });
});
