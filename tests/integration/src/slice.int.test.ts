import { describe, expect, it } from 'vitest';
import { publishEvent } from '@tierline/platform';
import { demoTokens } from '@tierline/test-fixtures';
import { SA } from '@tierline/ticket-workflow';
import type { EventEnvelope } from '@tierline/contracts';
import { api, eventually, sliceTest, type Slice } from './harness.js';

const test = sliceTest('slice');

/**
 * The foundation's vertical slice on real servers: a clinic nurse's Keycloak token opens a
 * ticket over HTTP; its workflow runs on the worker; ticket.created reaches JetStream and is
 * recorded once by the audit consumer; the ticket reads back.
 */
describe('one ticket through every part', () => {
  let slice: Slice;
  let noraToken: string;
  let samToken: string;

  test.beforeAll(async ({ slice: running }) => {
    slice = running;
    ({ nora: noraToken, sam: samToken } = await demoTokens({ nora: 'nora.nurse', sam: 'sam.staff' }));
  });

  const newTicket = {
    title: 'EHR will not open at the north front desk',
    description: 'Error 503 when opening charts',
    category: 'ehr',
    siteId: 'north',
    impact: 'department',
    urgency: 'high',
    patientCareAffected: true,
  };

  it('creates the ticket, runs its workflow, records exactly one audit row, and reads it back', async () => {
    const call = api(slice.baseUrl, noraToken);
    const created = await call('POST', '/api/v1/tickets', newTicket);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const t = created.body;
    expect(t).toMatchObject({ title: newTicket.title, siteId: 'north', priority: 'P1', status: 'new', tier: 1 });
    expect(t.number).toMatch(/^IT-\d+$/);
    expect(t.workflowId).toBe(`ticket-${t.id}`);
    expect(created.headers.get('location')).toBe(`/api/v1/tickets/${t.id}`);

    const description = await slice.temporal.workflow.getHandle(t.workflowId).describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.type).toBe('ticketWorkflow');
    expect(description.taskQueue).toBe(slice.taskQueue);
    expect(description.typedSearchAttributes.get(SA.TicketNumber)).toBe(t.number);
    expect(description.typedSearchAttributes.get(SA.Priority)).toBe('P1');
    expect(description.typedSearchAttributes.get(SA.Site)).toBe('north');

    const rows = await eventually('the audit row of ticket.created', async () => {
      const r = await slice.auditSql`select event_id, event_type, actor_id, content from audit_log where ticket_id = ${t.id} and event_type = 'ticket.created'`;
      return r.length > 0 ? r : undefined;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.event_type).toBe('ticket.created');
    expect(rows[0]!.actor_id).toBe(t.requesterId);
    const recorded = JSON.parse(rows[0]!.content as string) as EventEnvelope;
    expect(recorded.data).toMatchObject({ number: t.number, priority: 'P1', siteId: 'north' });
    // No free text in events: they feed the audit log and notifications.
    expect(rows[0]!.content).not.toContain('Error 503');

    // The same event delivered again (a retried publish past the dedupe window, or a
    // redelivery) must not add a row.
    await publishEvent(slice.js, { ...recorded });
    await new Promise((r) => setTimeout(r, 1_500));
    const again = await slice.auditSql`select count(*)::int as n from audit_log where event_id = ${recorded.id}`;
    expect(again[0]!.n).toBe(1);

    const read = await call('GET', `/api/v1/tickets/${t.id}`);
    expect(read.status).toBe(200);
    const { updatedAt: _u, nextDeadlineAt: _n, nextDeadlineKind: _k, teamId: _t, ...fixed } = t;
    expect(read.body).toMatchObject(fixed);
    // The assignment rules routed it to the help desk (EHR → it-tier1).
    expect(read.body.teamId).toBe('it-tier1');
    // The workflow's first activity filled in when it acts next: the P1 response level.
    expect(read.body.nextDeadlineAt).toEqual(expect.any(String));
  });

  it('returns the same ticket for a repeated Idempotency-Key', async () => {
    const call = api(slice.baseUrl, noraToken);
    const key = `retry-${Date.now()}`;
    const first = await call('POST', '/api/v1/tickets', newTicket, { 'idempotency-key': key });
    const second = await call('POST', '/api/v1/tickets', newTicket, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const n = await slice.ticketSql`select count(*)::int as n from tickets where idempotency_key = ${key}`;
    expect(n[0]!.n).toBe(1);
  });

  it('keeps sites apart: staff of another site can neither open tickets there nor read them', async () => {
    const nora = api(slice.baseUrl, noraToken);
    const sam = api(slice.baseUrl, samToken);
    const created = await nora('POST', '/api/v1/tickets', newTicket);
    expect(created.status).toBe(201);

    const read = await sam('GET', `/api/v1/tickets/${created.body.id}`);
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe('NOT_FOUND');

    const open = await sam('POST', '/api/v1/tickets', newTicket);
    expect(open.status).toBe(403);
    expect(open.body.error).toMatchObject({ code: 'FORBIDDEN' });
    expect(open.body.error.requestId).toEqual(expect.any(String));
  });

  it('refuses a malformed body with 400 naming each field', async () => {
    const call = api(slice.baseUrl, noraToken);
    const res = await call('POST', '/api/v1/tickets', { title: 'x', category: 'ehr', siteId: 'north', impact: 'galaxy' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    const paths = (res.body.error.details as { path: string }[]).map((d) => d.path).sort();
    expect(paths).toEqual(['impact', 'title', 'urgency']);

    const notJson = await call('POST', '/api/v1/tickets', '{"title": ', {});
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('BAD_REQUEST');

    const unknownCategory = await call('POST', '/api/v1/tickets', { ...newTicket, category: 'coffee' });
    expect(unknownCategory.status).toBe(400);
    expect(unknownCategory.body.error.details[0].path).toBe('category');
  });
});
