import { describe, expect, it } from 'vitest';
import { EscalationStateSchema } from '@tierline/contracts';
import { demoTokens } from '@tierline/test-fixtures';
import { api, eventually, sliceTest, type Slice } from './harness.js';

const test = sliceTest('actions');

/** Every ticket action through the HTTP API, each going through the ticket's workflow. */
describe('ticket actions over HTTP', () => {
  let slice: Slice;
  let nurse: ReturnType<typeof api>;
  let agent: ReturnType<typeof api>;
  let otherNurse: ReturnType<typeof api>;
  let vendor: ReturnType<typeof api>;
  const ticket = {
    title: 'Label printer prints blank labels',
    description: 'Exam room 3',
    category: 'printer_scanner',
    siteId: 'north',
    impact: 'one_user',
    urgency: 'medium',
  };

  test.beforeAll(async ({ slice: running }) => {
    slice = running;
    const tokens = await demoTokens({ nurse: 'nora.nurse', agent: 'alex.agent', otherNurse: 'sam.staff', vendor: 'val.vendor' });
    nurse = api(slice.baseUrl, tokens.nurse);
    agent = api(slice.baseUrl, tokens.agent);
    otherNurse = api(slice.baseUrl, tokens.otherNurse);
    vendor = api(slice.baseUrl, tokens.vendor);
  });

  it('acknowledge, assign, wait, a reply that resumes, hand to vendor, vendor acknowledge, resolve, close', async () => {
    const t = (await nurse('POST', '/api/v1/tickets', ticket)).body;
    expect(t.priority).toBe('P3');

    expect((await nurse('POST', `/api/v1/tickets/${t.id}/acknowledge`, {})).status, 'clinic staff cannot acknowledge').toBe(403);
    const acked = await agent('POST', `/api/v1/tickets/${t.id}/acknowledge`, {});
    expect(acked.status, JSON.stringify(acked.body)).toBe(200);
    expect(acked.body.ticket).toMatchObject({ status: 'acknowledged', acknowledgedAt: expect.any(String) });
    expect(acked.body.escalation.clocks.find((c: { name: string }) => c.name === 'response').state).toBe('stopped');
    expect(EscalationStateSchema.safeParse(acked.body.escalation).error, 'the action answers the documented workflow state').toBeUndefined();
    const again = await agent('POST', `/api/v1/tickets/${t.id}/acknowledge`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already acknowledged/);

    const assigned = await agent('POST', `/api/v1/tickets/${t.id}/assign`, { teamId: 'it-tier1', assigneeId: 'alex' });
    expect(assigned.body.ticket).toMatchObject({ teamId: 'it-tier1', assigneeId: 'alex', status: 'in_progress' });

    const waiting = await agent('POST', `/api/v1/tickets/${t.id}/wait-on-requester`, { reason: 'Which printer model?' });
    expect(waiting.body.ticket.status).toBe('waiting_on_requester');
    expect(waiting.body.escalation.clocks.find((c: { name: string }) => c.name === 'resolution').state).toBe('paused');

    const note = await agent('POST', `/api/v1/tickets/${t.id}/comments`, { body: 'Probably the thermal head', visibility: 'internal' });
    expect(note.status).toBe(200);
    expect((await nurse('POST', `/api/v1/tickets/${t.id}/comments`, { body: 'sneaky', visibility: 'internal' })).status).toBe(403);
    const reply = await nurse('POST', `/api/v1/tickets/${t.id}/comments`, { body: 'It is the Zebra ZD421', visibility: 'public' });
    expect(reply.status).toBe(200);
    const afterReply = await agent('GET', `/api/v1/tickets/${t.id}`);
    expect(afterReply.body.status, 'the requester’s public reply resumes the clocks').toBe('in_progress');

    // The question IT put to the requester is stored with the ticket as a public note.
    const nurseComments = await nurse('GET', `/api/v1/tickets/${t.id}/comments`);
    expect(nurseComments.body.items.map((c: { kind: string; body: string }) => [c.kind, c.body])).toEqual([
      ['question', 'Which printer model?'],
      ['comment', 'It is the Zebra ZD421'],
    ]);
    const agentComments = await agent('GET', `/api/v1/tickets/${t.id}/comments`);
    expect(agentComments.body.items).toHaveLength(3);
    const nurseTimeline = await nurse('GET', `/api/v1/tickets/${t.id}/timeline`);
    expect(nurseTimeline.body.items.filter((e: { type: string }) => e.type === 'ticket.commented')).toHaveLength(1);
    expect(JSON.stringify(nurseTimeline.body)).not.toContain('thermal head');

    expect((await vendor('GET', `/api/v1/tickets/${t.id}`)).status, 'not the vendor’s ticket yet').toBe(404);
    const handed = await agent('POST', `/api/v1/tickets/${t.id}/hand-to-vendor`, { vendorOrgId: 'acme-it' });
    expect(handed.body.ticket).toMatchObject({ tier: 3, vendorOrgId: 'acme-it', status: 'waiting_on_vendor' });
    expect((await vendor('GET', `/api/v1/tickets/${t.id}`)).status).toBe(200);
    const vack = await vendor('POST', `/api/v1/tickets/${t.id}/vendor-acknowledge`, {});
    expect(vack.status, JSON.stringify(vack.body)).toBe(200);
    // P3 has no vendor contract in the test policy: no contract clock, but the acknowledgement is recorded.
    expect(vack.body.escalation.clocks.find((c: { name: string }) => c.name === 'vendor_response').state).toBe('not_started');
    expect(vack.body.escalation.events.map((e: { type: string }) => e.type)).toContain('ticket.vendor_acknowledged');

    expect((await otherNurse('POST', `/api/v1/tickets/${t.id}/close`, {})).status, 'another site').toBe(404);
    const early = await nurse('POST', `/api/v1/tickets/${t.id}/close`, {});
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/only a resolved ticket can be closed/);
    const bad = await agent('POST', `/api/v1/tickets/${t.id}/resolve`, { resolution: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('resolution');
    const resolved = await vendor('POST', `/api/v1/tickets/${t.id}/resolve`, { resolution: 'Replaced the print head' });
    expect(resolved.body.ticket.status).toBe('resolved');
    const closed = await nurse('POST', `/api/v1/tickets/${t.id}/close`, {});
    expect(closed.status).toBe(200);
    expect(closed.body.ticket).toMatchObject({ status: 'closed', closedAt: expect.any(String) });
    const ended = await agent('POST', `/api/v1/tickets/${t.id}/reopen`, { reason: 'It broke again' });
    expect(ended.status).toBe(409);

    // Every action is exactly one audit row (reads are recorded too, as ticket.content_read: not actions).
    const expected = [
      'ticket.created',
      'ticket.assigned', // by the assignment rules, at opening
      'ticket.acknowledged',
      'ticket.assigned',
      'ticket.waiting_on_requester',
      'ticket.commented',
      'ticket.commented',
      'ticket.handed_to_vendor',
      'ticket.vendor_acknowledged',
      'ticket.resolved',
      'ticket.closed',
    ];
    const rows = await eventually('all audit rows', async () => {
      const r = await slice.auditSql`select event_type from audit_log where ticket_id = ${t.id} and event_type <> 'ticket.content_read' order by seq`;
      return r.length >= expected.length ? r : undefined;
    });
    expect(rows.map((r) => r.event_type)).toEqual(expected);
  });

  it('lets people watch a ticket: themselves, or others when IT adds them', async () => {
    const t = (await nurse('POST', '/api/v1/tickets', { ...ticket, title: 'Watched ticket' })).body;
    const me = (await nurse('GET', `/api/v1/tickets/${t.id}`)).body.requesterId as string;
    const watched = await nurse('PUT', `/api/v1/tickets/${t.id}/watchers/${me}`);
    expect(watched.status).toBe(200);
    expect(watched.body.items.map((w: { userId: string }) => w.userId)).toEqual([me]);
    expect((await nurse('PUT', `/api/v1/tickets/${t.id}/watchers/someone-else`)).status).toBe(403);
    expect((await agent('PUT', `/api/v1/tickets/${t.id}/watchers/someone-else`)).body.items).toHaveLength(2);
    expect((await otherNurse('GET', `/api/v1/tickets/${t.id}/watchers`)).status).toBe(404);
    const removed = await nurse('DELETE', `/api/v1/tickets/${t.id}/watchers/${me}`);
    expect(removed.body.items.map((w: { userId: string }) => w.userId)).toEqual(['someone-else']);
  });

  it('changes priority only with a reason, and lists the queue by next deadline with filters and a cursor', async () => {
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await nurse('POST', '/api/v1/tickets', { ...ticket, title: `Queue ticket ${i}` })).body);
    const noReason = await agent('POST', `/api/v1/tickets/${made[0].id}/priority`, { priority: 'P1' });
    expect(noReason.status).toBe(400);
    // No body at all (no content type): the action's schema still applies, as a 400 naming the fields.
    const noBody = await agent('POST', `/api/v1/tickets/${made[0].id}/priority`);
    expect(noBody.status, JSON.stringify(noBody.body)).toBe(400);
    expect(noBody.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['priority', 'reason']);
    const raised = await agent('POST', `/api/v1/tickets/${made[0].id}/priority`, { priority: 'P1', reason: 'Blocks all check-ins' });
    expect(raised.status).toBe(200);
    expect(raised.body.ticket.priority).toBe('P1');

    const queue = await agent('GET', '/api/v1/tickets?open=true&sort=next_deadline&limit=2');
    expect(queue.status).toBe(200);
    expect(queue.body.items).toHaveLength(2);
    // P1 has the soonest deadline.
    expect(queue.body.items[0].id).toBe(made[0].id);
    const deadlines = queue.body.items.map((x: { nextDeadlineAt: string }) => Date.parse(x.nextDeadlineAt));
    expect(deadlines[0]).toBeLessThanOrEqual(deadlines[1]);
    const page2 = await agent('GET', `/api/v1/tickets?open=true&sort=next_deadline&limit=2&cursor=${queue.body.nextCursor}`);
    const seen = new Set([...queue.body.items, ...page2.body.items].map((x: { id: string }) => x.id));
    expect(seen.size).toBe(queue.body.items.length + page2.body.items.length);

    const p1 = await agent('GET', '/api/v1/tickets?priority=P1');
    expect(p1.body.items.map((x: { id: string }) => x.id)).toContain(made[0].id);
    expect(p1.body.items.every((x: { priority: string }) => x.priority === 'P1')).toBe(true);
    const south = await otherNurse('GET', '/api/v1/tickets');
    expect(south.body.items.every((x: { siteId: string }) => x.siteId === 'south')).toBe(true);
    const badFilter = await agent('GET', '/api/v1/tickets?priority=P9');
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error.details[0].path).toMatch(/^priority/);
  });
});
