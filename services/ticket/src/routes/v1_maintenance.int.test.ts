/**
 * Maintenance windows (docs/decisions/0043) against the real PostgreSQL, Keycloak, NATS JetStream
 * and Temporal: who may schedule and read them, the 4xx that name what is wrong, the audited
 * events, and a ticket opened in a running window's scope held by its real workflow until the
 * window is ended early, while one outside the scope escalates on its own clocks.
 */
// First: keeps the Temporal worker's own logging to warnings.
import '@tierline/testing/quiet-temporal';
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { EventEnvelope } from '@tierline/contracts';
import type { Sql } from '@tierline/platform';
import { DEFAULT_POLICY } from '@tierline/domain';
import { demoTokens, subjectOf, type HttpCall } from '@tierline/test-fixtures';
import { activeMaintenanceBanners, ensureInitialPolicy } from '@tierline/ticket-store';
import { getStateQuery, ticketWorkflowId } from '@tierline/ticket-workflow';
import { startTicketWorker, ticketAppTest } from '../test/fixtures.js';

const test = ticketAppTest({ label: 'maintenance', categories: ['ehr', 'network'], events: ['tierline.events.maintenance.>', 'tierline.events.ticket.>'] })
  .extend('worker', { scope: 'file' }, async ({ database, nats, app }, hooks) => startTicketWorker(app.taskQueue, { sql: database.sql, js: nats.js }, hooks));
const MIN = 60_000;
let sql: Sql;
let temporal: Client;
let appCall: HttpCall;
let received: EventEnvelope[] = [];
let tokens: Record<'lee' | 'ada' | 'alex' | 'nora' | 'sam', string>;

test.beforeAll(async ({ database, temporal: client, app, events, worker: _worker }) => {
  sql = database.sql;
  temporal = client;
  appCall = app.call;
  received = events.received;
  tokens = await demoTokens({ lee: 'lee.lead', ada: 'ada.admin', alex: 'alex.agent', nora: 'nora.nurse', sam: 'sam.staff' });
  await ensureInitialPolicy(sql, DEFAULT_POLICY, 'system:test');
}, 120_000);

const call = async (who: keyof typeof tokens, method: string, path: string, body?: unknown) => appCall(tokens[who], method, path, body);
const iso = (ms: number) => new Date(ms).toISOString();
const window = (over: Record<string, unknown> = {}) => ({ title: 'EHR upgrade', category: 'ehr', siteIds: ['north'], startsAt: iso(Date.now()), endsAt: iso(Date.now() + 30 * MIN), ...over });
async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const stateOf = (ticketId: string) => temporal.workflow.getHandle(ticketWorkflowId(ticketId)).query(getStateQuery);

describe('maintenance windows', () => {
  it('only IT leads schedule; leads and admins read; the rest are refused', async () => {
    expect((await call('ada', 'POST', '/api/v1/maintenance-windows', window())).status).toBe(403);
    expect((await call('alex', 'POST', '/api/v1/maintenance-windows', window())).status).toBe(403);
    expect((await call('nora', 'GET', '/api/v1/maintenance-windows')).status).toBe(403);
    expect((await call('alex', 'GET', '/api/v1/maintenance-windows')).status).toBe(403);
    expect((await call('ada', 'GET', '/api/v1/maintenance-windows')).status).toBe(200);
    expect((await appCall('', 'GET', '/api/v1/maintenance-windows')).status).toBe(401);
  });

  it('names the field of bad input with a 400', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ endsAt: iso(Date.now() - MIN), startsAt: iso(Date.now()) }, 'endsAt', /after startsAt/],
      [{ category: 'coffee' }, 'category', /unknown category "coffee"/],
      [{ siteIds: [] }, 'siteIds', /at least one site/],
      [{ siteIds: ['north', 'north'] }, 'siteIds', /repeat/],
      [{ startsAt: iso(Date.now() - 60 * MIN) }, 'startsAt', /past/],
      [{ endsAt: iso(Date.now() + 8 * 24 * 60 * MIN) }, 'endsAt', /at most 7 days/],
      [{ title: '' }, 'title', /./],
      [{ startsAt: 'next sunday' }, 'startsAt', /./],
    ];
    for (const [over, field, message] of cases) {
      const r = await call('lee', 'POST', '/api/v1/maintenance-windows', window(over));
      expect(r.status, `${JSON.stringify(over)}: ${JSON.stringify(r.body)}`).toBe(400);
      const detail = (r.body.error.details as { path: string; message: string }[]).find((d) => d.path === field);
      expect(detail?.message, JSON.stringify(r.body)).toMatch(message);
    }
  });

  it('holds a ticket opened in scope until the window ends early; one outside it keeps its clocks; every change is audited', async () => {
    const lee = subjectOf(tokens.lee);
    const made = await call('lee', 'POST', '/api/v1/maintenance-windows', window({ category: null, siteIds: ['north'] }));
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const w = made.body;
    expect(w).toMatchObject({ state: 'active', category: null, siteIds: ['north'], createdBy: lee, endedEarlyAt: null, cancelledAt: null });
    expect((await activeMaintenanceBanners(sql, ['north', 'east'])).find((b) => b.id === w.id)).toEqual({ id: w.id, title: 'EHR upgrade', category: null, siteIds: ['north'], startsAt: w.startsAt, endsAt: w.endsAt });
    expect((await activeMaintenanceBanners(sql, null)).map((b) => b.id), 'IT sees every site').toContain(w.id);
    expect((await activeMaintenanceBanners(sql, ['south'])).map((b) => b.id)).not.toContain(w.id);

    const report = { title: 'EHR will not load', description: 'Blank screen at the front desk', category: 'ehr', impact: 'whole_site', urgency: 'high', patientCareAffected: true };
    const held = await call('nora', 'POST', '/api/v1/tickets', { ...report, siteId: 'north' });
    expect(held.status, JSON.stringify(held.body)).toBe(201);
    const free = await call('sam', 'POST', '/api/v1/tickets', { ...report, siteId: 'south' });
    expect(free.status, JSON.stringify(free.body)).toBe(201);

    const heldState = await until('held ticket opened', () => stateOf(held.body.id), (s) => s.nextDeadline?.kind === 'maintenance window ends');
    expect(heldState.nextDeadline?.at).toBe(w.endsAt);
    expect(heldState.clocks.find((c) => c.name === 'response')?.state).toBe('paused');
    const freeState = await stateOf(free.body.id);
    expect(freeState.clocks.find((c) => c.name === 'response')?.state).toBe('running');
    expect(freeState.nextDeadline?.kind).not.toBe('maintenance window ends');

    // An edit must change something: no body, or an empty one, is a 400.
    for (const body of [undefined, {}]) {
      const nothing = await call('lee', 'PATCH', `/api/v1/maintenance-windows/${w.id}`, body);
      expect(nothing.status, JSON.stringify(nothing.body)).toBe(400);
      expect(JSON.stringify(nothing.body.error)).toContain('at least one of title');
    }
    // A running window's scope cannot change; its end can.
    const moveStart = await call('lee', 'PATCH', `/api/v1/maintenance-windows/${w.id}`, { startsAt: iso(Date.now() + 5 * MIN) });
    expect(moveStart.status).toBe(400);
    expect(moveStart.body.error.details[0]).toMatchObject({ path: 'startsAt' });
    const longer = await call('lee', 'PATCH', `/api/v1/maintenance-windows/${w.id}`, { endsAt: iso(Date.now() + 60 * MIN) });
    expect(longer.status, JSON.stringify(longer.body)).toBe(200);
    await until('held ticket told of the new end', () => stateOf(held.body.id), (s) => s.nextDeadline?.at === longer.body.endsAt);

    // Ended early: the held ticket's clocks start now.
    const ended = await call('lee', 'POST', `/api/v1/maintenance-windows/${w.id}/end`);
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    expect(ended.body).toMatchObject({ state: 'ended' });
    expect(ended.body.endedEarlyAt).toBe(ended.body.endsAt);
    const released = await until('held ticket released', () => stateOf(held.body.id), (s) => s.clocks.find((c) => c.name === 'response')?.state === 'running');
    expect(released.nextDeadline?.kind).not.toBe('maintenance window ends');
    expect((await activeMaintenanceBanners(sql, ['north'])).map((b) => b.id)).not.toContain(w.id);

    // Finished: nothing more to change.
    const late = await call('lee', 'PATCH', `/api/v1/maintenance-windows/${w.id}`, { title: 'Renamed' });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/ended at/);
    expect((await call('lee', 'POST', `/api/v1/maintenance-windows/${w.id}/end`)).status).toBe(409);
    expect((await call('lee', 'POST', `/api/v1/maintenance-windows/${w.id}/cancel`)).status).toBe(409);

    // Audited: every change published with who did it, scope and instants (never the title).
    const mine = await until('maintenance events', async () => received.filter((e) => e.type.startsWith('maintenance.') && e.data['windowId'] === w.id), (es) => es.length >= 3);
    expect(mine.map((e) => e.type)).toEqual(['maintenance.scheduled', 'maintenance.changed', 'maintenance.ended']);
    for (const e of mine) expect(e.actor).toMatchObject({ kind: 'user', id: lee, role: 'it_lead' });
    expect(mine[1]!.data).toMatchObject({ endsAt: longer.body.endsAt, heldTickets: 1 });
    expect(JSON.stringify(mine)).not.toContain('EHR upgrade');
    const heldEvents = await until('ticket hold events', async () => received.filter((e) => e.ticketId === held.body.id && e.type.startsWith('ticket.maintenance_')), (es) => es.length >= 2);
    expect(heldEvents.map((e) => e.type)).toEqual(['ticket.maintenance_held', 'ticket.maintenance_released']);
  });

  it('a scheduled window may change anything and be cancelled; a running one cannot be cancelled; unknown ids are 404', async () => {
    const later = await call('lee', 'POST', '/api/v1/maintenance-windows', window({ startsAt: iso(Date.now() + 60 * MIN), endsAt: iso(Date.now() + 120 * MIN) }));
    expect(later.status).toBe(201);
    expect(later.body.state).toBe('scheduled');
    const moved = await call('lee', 'PATCH', `/api/v1/maintenance-windows/${later.body.id}`, { category: 'network', siteIds: ['north', 'south'] });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ category: 'network', siteIds: ['north', 'south'] });
    const backwards = await call('lee', 'PATCH', `/api/v1/maintenance-windows/${later.body.id}`, { endsAt: iso(Date.now() + 30 * MIN) });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details[0]).toMatchObject({ path: 'endsAt' });
    expect((await call('lee', 'POST', `/api/v1/maintenance-windows/${later.body.id}/end`)).status).toBe(409);
    const cancelled = await call('lee', 'POST', `/api/v1/maintenance-windows/${later.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');

    const running = await call('lee', 'POST', '/api/v1/maintenance-windows', window({ siteIds: ['east'] }));
    expect((await call('lee', 'POST', `/api/v1/maintenance-windows/${running.body.id}/cancel`)).status).toBe(409);
    expect((await call('lee', 'POST', `/api/v1/maintenance-windows/${running.body.id}/end`)).status).toBe(200);
    expect((await call('lee', 'POST', '/api/v1/maintenance-windows/6f1d7f3e-6a4c-4a43-9d4e-2c9a9f0a1b2c/end')).status).toBe(404);

    const list = await call('ada', 'GET', '/api/v1/maintenance-windows');
    const states = Object.fromEntries((list.body.items as { id: string; state: string }[]).map((i) => [i.id, i.state]));
    expect(states[later.body.id]).toBe('cancelled');
    expect(states[running.body.id]).toBe('ended');
  });
});
