import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { DEMO_PASSWORD, loginAs } from '@tierline/testing';
import { eventually, sliceTest } from './harness.js';

/**
 * The demo's worked tickets (scripts/demo-history.mjs, decision 47), seeded by `npm run up`
 * through the ticket API: here against the ticket service, the worker and the audit consumer of a
 * slice. Every ticket ends in the status its plan names, the service-level report has them, their
 * steps are in the audit log, and a second run opens nothing.
 */
interface DemoTicket {
  key: string;
  title: string;
  ends: string;
  steps: { as: string; do: string }[];
  childOf?: string;
}
interface DemoHistory {
  DEMO_HISTORY: DemoTicket[];
  DEMO_MAINTENANCE: { title: string };
  seedDemoMaintenance: (o: { baseUrl: string; tokenOf: (user: string) => Promise<string> }) => Promise<boolean>;
  seedDemoHistory(o: { baseUrl: string; tokenOf: (user: string) => Promise<string> }): Promise<{ opened: number; existing: number }>;
}
const MODULE = pathToFileURL(fileURLToPath(new URL('../../../scripts/demo-history.mjs', import.meta.url))).href;
const { DEMO_HISTORY, DEMO_MAINTENANCE, seedDemoHistory, seedDemoMaintenance } = (await import(MODULE)) as DemoHistory;

const test = sliceTest('demo-history');

const tokens = new Map<string, string>();
async function tokenOf(username: string): Promise<string> {
  if (!tokens.has(username)) tokens.set(username, (await loginAs(username, DEMO_PASSWORD)).access_token);
  return tokens.get(username)!;
}

async function get<T>(baseUrl: string, user: string, path: string): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${await tokenOf(user)}` } });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as T;
}

interface Listed {
  id: string;
  title: string;
  status: string;
  acknowledgedAt: string | null;
}

test('the demo history is worked through the API, reported, audited, and seeded once', { timeout: 180_000 }, async ({ slice }) => {
  const first = await seedDemoHistory({ baseUrl: slice.baseUrl, tokenOf });
  expect(first).toEqual({ opened: DEMO_HISTORY.length, existing: 0 });

  // Every ticket ends where its plan says, in the read model the queue reads.
  const byTitle = async () => {
    const { items } = await get<{ items: Listed[] }>(slice.baseUrl, 'lee.lead', '/api/v1/tickets?status=new,acknowledged,in_progress,waiting_on_requester,waiting_on_vendor,resolved,closed&limit=100');
    return new Map(items.map((t) => [t.title, t]));
  };
  await eventually('every demo ticket in the status its plan names', async () => {
    const listed = await byTitle();
    for (const t of DEMO_HISTORY) expect(listed.get(t.title)?.status, t.title).toBe(t.ends);
    return true;
  });
  const statuses = new Set(DEMO_HISTORY.map((t) => t.ends));
  expect(statuses.size, 'the demo shows tickets in many states').toBeGreaterThanOrEqual(5);

  // The service level has them: acknowledged and resolved ones, so MTTA and MTTR are figures.
  const to = new Date(Date.now() + 60_000).toISOString();
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const report = await get<{ rows: { key: string; tickets: number; acknowledged: number; resolved: number; mttaMinutes: number | null; mttrMinutes: number | null }[] }>(
    slice.baseUrl,
    'lee.lead',
    `/api/v1/reports/sla?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&groupBy=site`,
  );
  const sum = (k: 'tickets' | 'acknowledged' | 'resolved') => report.rows.reduce((n, r) => n + r[k], 0);
  expect(sum('tickets')).toBe(DEMO_HISTORY.length);
  // The children of the demo's major incident are acknowledged by the parent's acknowledgement.
  expect(sum('acknowledged')).toBe(DEMO_HISTORY.filter((t) => t.steps.some((s) => s.do === 'acknowledge') || t.childOf).length);
  expect(sum('resolved')).toBeGreaterThan(0);
  expect(report.rows.map((r) => r.key).sort()).toEqual(['north', 'south']);
  for (const r of report.rows) expect(r.mttaMinutes, r.key).not.toBeNull();

  // Each step went through the workflow and is in the audit log, as any action is.
  await eventually('the steps in the audit log', async () => {
    const rows = await slice.auditSql<{ type: string; n: number }[]>`select event_type as type, count(*)::int as n from audit_log group by event_type`;
    const count = new Map(rows.map((r) => [r.type, r.n]));
    expect(count.get('ticket.created')).toBe(DEMO_HISTORY.length);
    // Resolving the major incident resolved its children too (decision 40).
    expect(count.get('ticket.resolved')).toBe(DEMO_HISTORY.flatMap((t) => t.steps).filter((s) => s.do === 'resolve').length + DEMO_HISTORY.filter((t) => t.childOf).length);
    expect(count.get('ticket.incident_declared')).toBe(1);
    expect(count.get('ticket.incident_linked')).toBe(DEMO_HISTORY.filter((t) => t.childOf).length);
    expect(count.get('ticket.incident_status_posted')).toBe(1);
    expect(count.get('ticket.reopened')).toBe(1);
    expect(count.get('ticket.vendor_acknowledged')).toBe(1);
    return true;
  });

  // The major incident lists its children.
  const incident = DEMO_HISTORY.find((t) => t.steps.some((s) => s.do === 'declare-incident'))!;
  const parent = (await byTitle()).get(incident.title)!;
  const view = await get<{ children: { number: string }[] }>(slice.baseUrl, 'lee.lead', `/api/v1/tickets/${parent.id}/incident`);
  expect(view.children).toHaveLength(DEMO_HISTORY.filter((t) => t.childOf === incident.key).length);

  // The planned downtime is scheduled through the API, once.
  expect(await seedDemoMaintenance({ baseUrl: slice.baseUrl, tokenOf })).toBe(true);
  expect(await seedDemoMaintenance({ baseUrl: slice.baseUrl, tokenOf })).toBe(false);
  const windows = await get<{ items: { title: string; startsAt: string }[] }>(slice.baseUrl, 'lee.lead', '/api/v1/maintenance-windows');
  const demo = windows.items.filter((w) => w.title === DEMO_MAINTENANCE.title);
  expect(demo).toHaveLength(1);
  expect(new Date(demo[0]!.startsAt).getUTCDay(), 'on a Sunday').toBe(0);

  // A second `npm run up` adds nothing.
  const again = await seedDemoHistory({ baseUrl: slice.baseUrl, tokenOf });
  expect(again).toEqual({ opened: 0, existing: DEMO_HISTORY.length });
  expect((await byTitle()).size).toBe(DEMO_HISTORY.length);
});
