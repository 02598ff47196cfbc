import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import {
  acknowledgeUpdate,
  commentUpdate,
  declareIncidentUpdate,
  getStateQuery,
  incidentStatusPostedUpdate,
  linkChildUpdate,
  reopenUpdate,
  resolveUpdate,
  unlinkChildUpdate,
  type ActionBy,
  type TicketStateView,
} from '@tierline/ticket-workflow';
import type { Ticket } from '@tierline/contracts';
import type { ticketWorkflow } from '../workflows/ticket.js';
import { MIN, input, makeTicket } from './fixtures.js';
import { useTicketWorker } from './time-skipping.js';

const agent: ActionBy = { actor: { id: 'agent-1', role: 'it_agent' } };
const lead: ActionBy = { actor: { id: 'lead-1', role: 'it_lead' } };
const nurse = (id: string): ActionBy => ({ actor: { id, role: 'clinic_staff' } });

// Major incidents (docs/decisions/0040) on the time-skipping server, with the workflow cache and
// with none (every workflow task replays the whole history, catching non-determinism early).
describe.each([
  { cache: 'default', maxCachedWorkflows: undefined },
  { cache: 'none (replay every task)', maxCachedWorkflows: 0 },
])('major incidents on the time-skipping test server, cache $cache', ({ maxCachedWorkflows }) => {
  const w = useTicketWorker({ label: 'incidents', maxCachedWorkflows, historyPrefix: 'incident-' });
  const { rec, open, sleepUntil } = w;

  /** Instants as offsets from t0, never early and at most a few seconds late (activities run in real time). */
  const expectAt = (at: string[], t0: number, expected: number[]) => {
    const actual = at.map((a) => Date.parse(a) - t0);
    expect(actual.length, `instants ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`).toBe(expected.length);
    actual.forEach((a, i) => {
      expect(a - expected[i]!, `instant ${i}: ${a} ms after t0, expected ${expected[i]}`).toBeGreaterThanOrEqual(0);
      expect(a - expected[i]!, `instant ${i}: ${a} ms after t0, expected ${expected[i]}`).toBeLessThan(3_000);
    });
  };
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      return ((err as WorkflowUpdateFailedError).cause as Error).message;
    }
    throw new Error('update was accepted');
  };
  /** Signals between workflows land asynchronously: polls (in real time; the test server's clock stands still meanwhile). */
  const until = async (h: WorkflowHandle<typeof ticketWorkflow>, ok: (s: TicketStateView) => boolean, what: string) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const s = await h.query(getStateQuery);
      if (ok(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; state ${JSON.stringify({ status: s.status, incident: s.incident })}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const linkedTo = (parent: Ticket) => (s: TicketStateView) => s.incident?.role === 'child' && s.incident.parentTicketId === parent.id;
  const typesOf = (t: Ticket) => rec.events(t.id).map((e) => e.type);
  const pagesOf = (t: Ticket) => rec.notifications(t.id);

  async function openMany(t0: number, n: number) {
    const tickets = Array.from({ length: n }, () => makeTicket(t0, 'P1'));
    const handles = await Promise.all(tickets.map((t) => open(input(t))));
    return { tickets, handles };
  }

  it('declares; three linked children neither escalate nor page while the parent pages once per level; resolving the parent resolves them; "not fixed" takes one out', async () => {
    const t0 = await w.env.currentTimeMs();
    const { tickets: [parent, ...children], handles: [ph, ...chs] } = await openMany(t0, 4);
    await sleepUntil(t0, 1 * MIN);
    const declared = await ph!.executeUpdate(declareIncidentUpdate, { args: [lead] });
    expect(declared.incident).toEqual({ role: 'major', children: [], nextUpdateAt: null, declaredBy: 'lead-1' });
    // Idempotent: a second declaration changes nothing and records nothing.
    await ph!.executeUpdate(declareIncidentUpdate, { args: [lead] });
    expect(typesOf(parent!).filter((t) => t === 'ticket.incident_declared')).toHaveLength(1);
    expect(rec.calls(parent!.id).at(-1)!.patch).toMatchObject({ majorIncident: true, incidentParentId: null });

    await sleepUntil(t0, 2 * MIN);
    for (const c of children) await ph!.executeUpdate(linkChildUpdate, { args: [{ ...agent, childTicketId: c.id }] });
    // Linking a child again is idempotent: the child hears of it once.
    const again = await ph!.executeUpdate(linkChildUpdate, { args: [{ ...agent, childTicketId: children[0]!.id }] });
    expect(again.incident).toMatchObject({ role: 'major', children: children.map((c) => c.id) });
    for (const [i, c] of children.entries()) {
      await until(chs[i]!, linkedTo(parent!), `${c.number} linked`);
      const linked = rec.events(c.id).filter((e) => e.type === 'ticket.incident_linked');
      expect(linked.map((e) => [e.data, e.actor])).toEqual([[{ number: c.number, parentTicketId: parent!.id, auto: false }, { kind: 'user', id: 'agent-1', role: 'it_agent' }]]);
      expect(rec.calls(c.id).at(-1)!.patch).toMatchObject({ majorIncident: false, incidentParentId: parent!.id });
    }

    await sleepUntil(t0, 120 * MIN);
    const p = await ph!.query(getStateQuery);
    // The parent's levels: 15, 30, 45 (level 0 and its two repeats), 60 (the vendor), once each.
    expect(p.escalations.map((e) => [e.level, e.repeat])).toEqual([[0, 0], [0, 1], [0, 2], [1, 0]]);
    expectAt(p.escalations.map((e) => e.at), t0, [15 * MIN, 30 * MIN, 45 * MIN, 60 * MIN]);
    expect(pagesOf(parent!).filter((n) => n.targets.some((x) => x.kind === 'vendor'))).toHaveLength(1);
    for (const [i, c] of children.entries()) {
      const s = await chs[i]!.query(getStateQuery);
      expect(s.escalations, `${c.number} did not escalate`).toEqual([]);
      expect(pagesOf(c), `${c.number} paged nobody`).toEqual([]);
      expect(typesOf(c).filter((t) => t.startsWith('ticket.escalat') || t === 'ticket.sla_warning')).toEqual([]);
      // Its clocks kept counting all along, from the opening: the clinic waited all the same.
      const response = s.clocks.find((k) => k.name === 'response')!;
      expect(response.state).toBe('running');
      expect(Date.parse(response.deadlineAt!) - t0).toBe(15 * MIN);
      expect(response.breached, 'a breach is a fact of the clock, kept for when it leaves').toBe(false);
      expect(s.tier).toBe(1);
    }

    const resolutionId = randomUUID();
    await ph!.executeUpdate(acknowledgeUpdate, { args: [agent] });
    await ph!.executeUpdate(resolveUpdate, { args: [{ ...agent, resolution: 'EHR back up', resolutionId }] });
    for (const [i, c] of children.entries()) {
      const s = await until(chs[i]!, (x) => x.status === 'resolved', `${c.number} resolved`);
      expect(s.incident).toEqual({ role: 'child', parentTicketId: parent!.id });
      const resolved = rec.events(c.id).filter((e) => e.type === 'ticket.resolved');
      expect(resolved.map((e) => e.data)).toEqual([{ number: c.number, tier: 1, resolutionId }]);
      expect(resolved[0]!.actor).toEqual({ kind: 'user', id: 'agent-1', role: 'it_agent' });
      expect(s.autoCloseAt).not.toBeNull();
    }

    // The second child's requester says "not fixed": that ticket leaves the incident, the others stay resolved.
    await sleepUntil(t0, 130 * MIN);
    const reopened = await chs[1]!.executeUpdate(reopenUpdate, { args: [{ ...nurse('nurse-1'), reason: 'Still cannot log in' }] });
    expect(reopened.incident).toBeNull();
    expect(reopened.status).toBe('in_progress');
    const left = rec.events(children[1]!.id).filter((e) => e.type === 'ticket.incident_unlinked');
    expect(left.map((e) => e.data)).toEqual([{ number: children[1]!.number, parentTicketId: parent!.id, reason: 'not_fixed' }]);
    expect(rec.calls(children[1]!.id).at(-1)!.patch).toMatchObject({ incidentParentId: null });
    await until(ph!, (s) => s.incident?.role === 'major' && s.incident.children.length === 2, 'the parent dropped the reopened child');
    expect((await ph!.query(getStateQuery)).incident).toMatchObject({ children: [children[0]!.id, children[2]!.id] });
    for (const i of [0, 2]) expect((await chs[i]!.query(getStateQuery)).status).toBe('resolved');
    // On its own again: its resolution clock restarted at the reopen, the 60-minute level fires at 190.
    await sleepUntil(t0, 191 * MIN);
    const c1 = await chs[1]!.query(getStateQuery);
    expect(c1.escalations.map((e) => [e.level, e.repeat])).toEqual([[1, 0]]);
    expectAt(c1.escalations.map((e) => e.at), t0, [190 * MIN]);
    expect(pagesOf(children[1]!).map((n) => n.template)).toContain('escalation');
  });

  it('unlinking puts a child back on its own clocks, elapsed time kept: what fell due while linked fires then', async () => {
    const t0 = await w.env.currentTimeMs();
    const { tickets: [parent, child], handles: [ph, ch] } = await openMany(t0, 2);
    await ph!.executeUpdate(declareIncidentUpdate, { args: [lead] });
    await sleepUntil(t0, 5 * MIN);
    await ph!.executeUpdate(linkChildUpdate, { args: [{ ...agent, childTicketId: child!.id }] });
    await until(ch!, linkedTo(parent!), 'linked');
    await sleepUntil(t0, 40 * MIN);
    expect((await ch!.query(getStateQuery)).escalations).toEqual([]);

    const after = await ph!.executeUpdate(unlinkChildUpdate, { args: [{ ...lead, childTicketId: child!.id }] });
    expect(after.incident).toMatchObject({ role: 'major', children: [] });
    // Unlinking again is idempotent.
    await ph!.executeUpdate(unlinkChildUpdate, { args: [{ ...lead, childTicketId: child!.id }] });
    await until(ch!, (s) => s.incident === null && s.escalations.length >= 2, 'unlinked and escalated');
    const unlinked = rec.events(child!.id).filter((e) => e.type === 'ticket.incident_unlinked');
    expect(unlinked.map((e) => [e.data, e.actor])).toEqual([[{ number: child!.number, parentTicketId: parent!.id, reason: 'unlinked' }, { kind: 'user', id: 'lead-1', role: 'it_lead' }]]);

    await sleepUntil(t0, 61 * MIN);
    const s = await ch!.query(getStateQuery);
    // The response clock counted from the opening, linked time included: level 0 (due at 15) and
    // its first repeat (due at 30) fire at the unlink (40), the second repeat at 45 on the same
    // clock, and the resolution level at 60 as if never linked.
    expect(s.escalations.map((e) => [e.level, e.repeat])).toEqual([[0, 0], [0, 1], [0, 2], [1, 0]]);
    expectAt(s.escalations.map((e) => e.at), t0, [40 * MIN, 40 * MIN, 45 * MIN, 60 * MIN]);
    // The warnings it missed (60 % and 80 % of 15 minutes) went out at the unlink too, once each.
    expectAt(rec.events(child!.id).filter((e) => e.type === 'ticket.sla_warning' && e.data['clock'] === 'response').map((e) => e.occurredAt), t0, [40 * MIN, 40 * MIN]);
    expect(pagesOf(child!).filter((n) => n.template.startsWith('escalation'))).toHaveLength(4);
  });

  it("the parent's acknowledgement meets its children's response target", async () => {
    const t0 = await w.env.currentTimeMs();
    const { tickets: [parent, early, late], handles: [ph, eh, lh] } = await openMany(t0, 3);
    await ph!.executeUpdate(declareIncidentUpdate, { args: [lead] });
    await ph!.executeUpdate(linkChildUpdate, { args: [{ ...agent, childTicketId: early!.id }] });
    await until(eh!, linkedTo(parent!), 'linked');
    await sleepUntil(t0, 10 * MIN);
    await ph!.executeUpdate(acknowledgeUpdate, { args: [agent] });
    const e = await until(eh!, (s) => s.acknowledgedAt !== null, 'the child acknowledged');
    expect(e.status).toBe('acknowledged');
    expect(e.clocks.find((k) => k.name === 'response')).toMatchObject({ state: 'stopped', elapsedMinutes: expect.closeTo(10, 0), breached: false });
    expect(rec.events(early!.id).find((x) => x.type === 'ticket.acknowledged')).toMatchObject({ actor: { kind: 'user', id: 'agent-1' }, data: { tier: 1 } });

    // Linked after the parent's acknowledgement: its response target is met as it joins.
    await sleepUntil(t0, 12 * MIN);
    await ph!.executeUpdate(linkChildUpdate, { args: [{ ...agent, childTicketId: late!.id }] });
    const l = await until(lh!, (s) => s.acknowledgedAt !== null, 'the late child acknowledged');
    expect(l.clocks.find((k) => k.name === 'response')).toMatchObject({ state: 'stopped', elapsedMinutes: expect.closeTo(12, 0) });
  });

  it('refuses what cannot be linked, with a message that says why', async () => {
    const t0 = await w.env.currentTimeMs();
    const { tickets: [parent, other, child, done], handles: [ph, oh, ch, dh] } = await openMany(t0, 4);
    expect(await refusal(ph!.executeUpdate(linkChildUpdate, { args: [{ ...agent, childTicketId: child!.id }] }))).toMatch(/is not a major incident; declare it first/);
    await ph!.executeUpdate(declareIncidentUpdate, { args: [lead] });
    await oh!.executeUpdate(declareIncidentUpdate, { args: [lead] });
    expect(await refusal(ph!.executeUpdate(linkChildUpdate, { args: [{ ...agent, childTicketId: parent!.id }] }))).toMatch(/cannot be linked to itself/);
    expect(await refusal(ph!.executeUpdate(linkChildUpdate, { args: [{ ...agent, childTicketId: other!.id }] }))).toMatch(/is itself a major incident/);
    await dh!.executeUpdate(resolveUpdate, { args: [{ ...agent, resolution: 'Rebooted the printer' }] });
    expect(await refusal(ph!.executeUpdate(linkChildUpdate, { args: [{ ...agent, childTicketId: done!.id }] }))).toMatch(/is resolved; only an open ticket can be linked/);
    expect(await refusal(ph!.executeUpdate(linkChildUpdate, { args: [{ ...agent, childTicketId: randomUUID() }] }))).toMatch(/there is no ticket/);

    await oh!.executeUpdate(linkChildUpdate, { args: [{ ...agent, childTicketId: child!.id }] });
    await until(ch!, linkedTo(other!), 'linked to the other incident');
    expect(await refusal(ph!.executeUpdate(linkChildUpdate, { args: [{ ...agent, childTicketId: child!.id }] }))).toMatch(/already linked to another major incident/);
    expect(await refusal(ch!.executeUpdate(declareIncidentUpdate, { args: [lead] }))).toMatch(/linked to another major incident; unlink it first/);
    expect(await refusal(ch!.executeUpdate(incidentStatusPostedUpdate, { args: [{ ...lead, statusId: randomUUID(), nextUpdateAt: null }] }))).toMatch(/is not a major incident/);
    // Nothing of the refused links reached the parent's list or any child.
    expect((await ph!.query(getStateQuery)).incident).toMatchObject({ children: [] });
    expect(typesOf(done!)).not.toContain('ticket.incident_linked');
  });

  it('reminds the owner when the announced next update passes without a newer post, once', async () => {
    const t0 = await w.env.currentTimeMs();
    const parent = makeTicket(t0, 'P1');
    const ph = await open(input(parent));
    await ph.executeUpdate(declareIncidentUpdate, { args: [lead] });
    const first = randomUUID();
    await sleepUntil(t0, 1 * MIN);
    await ph.executeUpdate(incidentStatusPostedUpdate, { args: [{ ...lead, statusId: first, nextUpdateAt: new Date(t0 + 30 * MIN).toISOString() }] });
    await sleepUntil(t0, 10 * MIN);
    // A newer post before 30 moves the deadline: nothing is due at 30.
    const second = randomUUID();
    const posted = await ph.executeUpdate(incidentStatusPostedUpdate, { args: [{ ...lead, statusId: second, nextUpdateAt: new Date(t0 + 60 * MIN).toISOString() }] });
    expect(posted.incident).toMatchObject({ role: 'major', nextUpdateAt: new Date(t0 + 60 * MIN).toISOString() });
    expect(rec.events(parent.id).filter((e) => e.type === 'ticket.incident_status_posted').map((e) => e.data['statusId'])).toEqual([first, second]);
    await sleepUntil(t0, 59 * MIN);
    expect(typesOf(parent)).not.toContain('ticket.incident_update_due');

    await sleepUntil(t0, 120 * MIN);
    const due = rec.events(parent.id).filter((e) => e.type === 'ticket.incident_update_due');
    expect(due.map((e) => e.data)).toEqual([{ number: parent.number, nextUpdateAt: new Date(t0 + 60 * MIN).toISOString() }]);
    expectAt(due.map((e) => e.occurredAt), t0, [60 * MIN]);
    const reminders = pagesOf(parent).filter((n) => n.template === 'incident_update_due');
    // Nobody is assigned (the rules picked a team only): the one who declared it is reminded.
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toMatchObject({ targets: [{ kind: 'user', userId: 'lead-1' }], channels: ['email'], deadlineAt: new Date(t0 + 60 * MIN).toISOString() });
  });

  it('continue-as-new carries the incident: children, parent, next update', async () => {
    const t0 = await w.env.currentTimeMs();
    const parent = makeTicket(t0, 'P1');
    const child = makeTicket(t0, 'P1');
    const ph = await open(input(parent, undefined, { historyLimit: 40 }));
    const ch = await open(input(child, undefined, { historyLimit: 40 }));
    const [parentRun, childRun] = [(await ph.describe()).runId, (await ch.describe()).runId];
    await ph.executeUpdate(declareIncidentUpdate, { args: [lead] });
    await ph.executeUpdate(linkChildUpdate, { args: [{ ...agent, childTicketId: child.id }] });
    await until(ch, linkedTo(parent), 'linked');
    await ph.executeUpdate(incidentStatusPostedUpdate, { args: [{ ...lead, statusId: randomUUID(), nextUpdateAt: new Date(t0 + 50 * MIN).toISOString() }] });
    for (let i = 0; i < 6; i++) {
      await ph.executeUpdate(commentUpdate, { args: [{ ...agent, commentId: randomUUID(), body: `parent note ${i}`, visibility: 'internal' }] });
      await ch.executeUpdate(commentUpdate, { args: [{ ...agent, commentId: randomUUID(), body: `child note ${i}`, visibility: 'internal' }] });
    }
    await sleepUntil(t0, 1 * MIN);
    const [pl, cl] = [w.env.client.workflow.getHandle(parent.workflowId), w.env.client.workflow.getHandle(child.workflowId)];
    expect((await pl.describe()).runId).not.toBe(parentRun);
    expect((await cl.describe()).runId).not.toBe(childRun);
    expect((await pl.query(getStateQuery)).incident).toMatchObject({ role: 'major', children: [child.id], nextUpdateAt: new Date(t0 + 50 * MIN).toISOString() });
    expect((await cl.query(getStateQuery)).incident).toEqual({ role: 'child', parentTicketId: parent.id });

    // The new runs still behave as an incident: the child stays quiet, the reminder comes at 50,
    // and the parent's resolution reaches the child's new run.
    await sleepUntil(t0, 51 * MIN);
    expect((await cl.query(getStateQuery)).escalations).toEqual([]);
    expect((await pl.query(getStateQuery)).escalations.length).toBeGreaterThan(0);
    expectAt(rec.events(parent.id).filter((e) => e.type === 'ticket.incident_update_due').map((e) => e.occurredAt), t0, [50 * MIN]);
    await pl.executeUpdate(resolveUpdate, { args: [{ ...agent, resolution: 'Switch replaced' }] });
    // Read from what the child recorded, not by a query: with history this short both workflows
    // continue as new again around the resolution, and the time-skipping server can leave a query
    // to a run that has just continued unanswered on a loaded machine.
    for (const end = Date.now() + 20_000; !typesOf(child).includes('ticket.resolved') && Date.now() < end; ) await new Promise((r) => setTimeout(r, 100));
    expect(typesOf(child), 'the child resolved with its parent').toContain('ticket.resolved');
    expect(pagesOf(child)).toEqual([]);
  });
});
