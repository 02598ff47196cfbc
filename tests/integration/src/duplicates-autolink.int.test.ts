import { describe, expect } from 'vitest';
import { DEFAULT_CATEGORIES } from '@tierline/contracts';
import { TEST_FAST_POLICY } from '@tierline/domain';
import { createLogger } from '@tierline/platform';
import { demoTokens, subjectOf } from '@tierline/test-fixtures';
import { AUTO_LINK_ACTOR, sendAutoLink, sendPendingAutoLinks } from '@tierline/ticket';
import { declareIncidentUpdate, getStateQuery, ticketWorkflowId } from '@tierline/ticket-workflow';
import { api, eventually, sliceTest, type Slice } from './harness.js';

/**
 * Automatic linking of likely duplicates end to end (docs/decisions/0042), on the real ticket
 * service, worker and audit consumer, with a policy that turns `duplicates.autoLink` on: a new
 * report of the site and category of an open major incident becomes its child without a click,
 * the link is in the audit log as `ticket.incident_linked` { auto: true }, and a link left pending
 * by a crash after the ticket's commit is made by the retry round, once.
 */
const test = sliceTest('autolink', { policy: { ...TEST_FAST_POLICY, duplicates: { windowMinutes: 120, autoLink: true } } });
const logger = createLogger('it-autolink', 'silent');

describe('automatic links to an open major incident', () => {
  let slice: Slice;
  let tokens: Record<'nurse' | 'southNurse' | 'agent', string>;
  let parent: { id: string; number: string };
  const report = { title: 'EHR will not load', description: 'Spinner forever', category: 'ehr', siteId: 'north', impact: 'department', urgency: 'high' };

  const auditRows = (ticketId: string) =>
    slice.auditSql<{ actor_id: string; content: string }[]>`
      select actor_id, content::text as content from audit_log where event_type = 'ticket.incident_linked' and ticket_id = ${ticketId} order by seq`;
  // The link rows of the ticket schema (migration 015), read and written as the ticket service does.
  const findAutoLink = async (childId: string) => {
    const [r] = await slice.ticketSql<{ parent_ticket_id: string; outcome: string | null; attempts: number }[]>`
      select parent_ticket_id, outcome, attempts from incident_autolinks where child_ticket_id = ${childId}`;
    return r ? { parentTicketId: r.parent_ticket_id, outcome: r.outcome, attempts: r.attempts } : null;
  };
  const addAutoLink = async (childId: string, parentId: string) =>
    void (await slice.ticketSql`insert into incident_autolinks (child_ticket_id, parent_ticket_id) values (${childId}, ${parentId})`);
  const children = async () => {
    const state = await slice.temporal.workflow.getHandle(ticketWorkflowId(parent.id)).query(getStateQuery);
    return state.incident?.role === 'major' ? state.incident.children : [];
  };

  test.beforeAll(async ({ slice: running }) => {
    slice = running;
    expect(DEFAULT_CATEGORIES).toContain('ehr');
    tokens = await demoTokens({ nurse: 'nora.nurse', southNurse: 'sam.staff', agent: 'alex.agent' });
    const opened = await api(slice.baseUrl, tokens.agent)('POST', '/api/v1/tickets', { ...report, title: 'EHR down at North', impact: 'whole_site' });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    parent = opened.body;
    await slice.temporal.workflow.getHandle(ticketWorkflowId(parent.id)).executeUpdate(declareIncidentUpdate, { args: [{ actor: { id: subjectOf(tokens.agent), role: 'it_agent' } }] });
    await eventually('the read model shows the major incident', async () => {
      const r = await api(slice.baseUrl, tokens.agent)('GET', `/api/v1/tickets/${parent.id}`);
      return r.body.majorIncident === true ? r.body : undefined;
    });
  }, 60_000);

  test('links a new report of the same site and category on its own, audited with auto: true', { timeout: 60_000 }, async () => {
    const created = await api(slice.baseUrl, tokens.nurse)('POST', '/api/v1/tickets', report);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const child = created.body as { id: string };
    expect(await findAutoLink(child.id)).toMatchObject({ parentTicketId: parent.id, outcome: 'linked' });

    const linked = await eventually('the child names its parent in the read model', async () => {
      const r = await api(slice.baseUrl, tokens.nurse)('GET', `/api/v1/tickets/${child.id}`);
      return r.body.incidentParentId === parent.id ? r.body : undefined;
    });
    expect(linked.majorIncident).toBe(false);
    expect(await children()).toContain(child.id);

    const rows = await eventually('ticket.incident_linked in the audit log', async () => ((await auditRows(child.id)).length > 0 ? auditRows(child.id) : undefined));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.actor_id).toBe(AUTO_LINK_ACTOR.id);
    expect(JSON.parse(rows[0]!.content)).toMatchObject({ type: 'ticket.incident_linked', ticketId: child.id, data: { parentTicketId: parent.id, auto: true } });
  });

  test('a report of another site is not linked', async () => {
    const created = await api(slice.baseUrl, tokens.southNurse)('POST', '/api/v1/tickets', { ...report, siteId: 'south' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(await findAutoLink(created.body.id)).toBeNull();
    expect(await children()).not.toContain(created.body.id);
  });

  test('a link left pending by a crash after the commit is made by the retry round, and only once', { timeout: 60_000 }, async () => {
    // A ticket committed with its link row, whose process died before sending it: the row alone.
    const created = await api(slice.baseUrl, tokens.southNurse)('POST', '/api/v1/tickets', { ...report, siteId: 'south', title: 'EHR slow at South' });
    expect(created.status).toBe(201);
    const orphan = created.body as { id: string };
    await addAutoLink(orphan.id, parent.id);
    expect(await findAutoLink(orphan.id)).toMatchObject({ outcome: null, attempts: 0 });

    const deps = { sql: slice.ticketSql, temporal: slice.temporal, logger };
    expect(await sendPendingAutoLinks(deps)).toBeGreaterThanOrEqual(1);
    expect(await findAutoLink(orphan.id)).toMatchObject({ outcome: 'linked', attempts: 1 });
    // Sent again (two replicas' rounds, a resend after a lost answer): still one link, one event.
    expect(await sendAutoLink(deps, { childTicketId: orphan.id, parentTicketId: parent.id })).toBe('linked');
    expect((await children()).filter((id) => id === orphan.id)).toHaveLength(1);
    await eventually('the late link in the audit log', async () => ((await auditRows(orphan.id)).length > 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await auditRows(orphan.id)).toHaveLength(1);
  });

  test('a link the would-be parent refuses is recorded as refused with its reason, and not retried', { timeout: 60_000 }, async () => {
    const ordinary = (await api(slice.baseUrl, tokens.agent)('POST', '/api/v1/tickets', { ...report, category: 'network', title: 'Switch in room 2 blinks' })).body as { id: string };
    const child = (await api(slice.baseUrl, tokens.southNurse)('POST', '/api/v1/tickets', { ...report, siteId: 'south', category: 'network' })).body as { id: string };
    await addAutoLink(child.id, ordinary.id);
    const deps = { sql: slice.ticketSql, temporal: slice.temporal, logger };
    // Not a major incident: its workflow refuses to take a child.
    expect(await sendAutoLink(deps, { childTicketId: child.id, parentTicketId: ordinary.id })).toBe('refused');
    const row = await slice.ticketSql<{ outcome: string; last_error: string | null }[]>`select outcome, last_error from incident_autolinks where child_ticket_id = ${child.id}`;
    expect(row[0]?.outcome).toBe('refused');
    expect(row[0]?.last_error, 'the reason is kept').toBeTruthy();
    await sendPendingAutoLinks(deps);
    expect((await findAutoLink(child.id))?.attempts).toBe(1);
    const r = await api(slice.baseUrl, tokens.southNurse)('GET', `/api/v1/tickets/${child.id}`);
    expect(r.body.incidentParentId).toBeNull();
  });
});
