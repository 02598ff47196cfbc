/**
 * The assignment statements against the real PostgreSQL: the configuration the ticket API edits
 * (each change with its outbox event in the same transaction) and what the worker's autoAssign
 * reads and records. The choice itself is @tierline/domain's, tested there and through the
 * activity (workflows/src/activities/assignment.int.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { EventEnvelope, WeeklyHours } from '@tierline/contracts';
import { createSql, type Sql } from '@tierline/platform';
import {
  addShift,
  assignmentEvent,
  defaultTier2Team,
  findDecision,
  getTeam,
  lastAssignedAt,
  listMembers,
  listRules,
  listShifts,
  listTeams,
  getRotation,
  lockTeamForAssignment,
  onCallSchedule,
  removeRotation,
  saveRotation,
  openTicketCounts,
  recordDecision,
  removeMember,
  removeShift,
  replaceRules,
  saveMember,
  saveTeam,
  shiftsCovering,
} from './assignment.js';
import { storeTest as it } from './test/fixtures.js';
import { applyReadModelPatch, insertTicket } from './tickets.js';

const lead = { kind: 'user', id: 'u-lee', role: 'it_lead' } as const;
const HOURS: WeeklyHours = { mon: [{ start: '08:00', end: '18:00' }], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };

/** Events the outbox holds, by id. */
const outboxed = async (sql: Sql, ids: string[]) =>
  (await sql<{ event: EventEnvelope }[]>`select event from policy_outbox where event->>'id' = any(${ids}::text[])`).map((r) => r.event.id);

const openTicket = (sql: Sql, assigneeId: string | null = null) =>
  sql.begin(async (tx) => {
    const id = randomUUID();
    const t = await insertTicket(tx, {
      id,
      title: 'load',
      description: '',
      category: 'network',
      siteId: 'north',
      requesterId: 'u-req',
      impact: 'one_user',
      urgency: 'low',
      patientCareAffected: false,
      priority: 'P3',
      policyVersion: 1,
      workflowId: `ticket-${id}`,
      idempotencyKey: null,
    });
    if (assigneeId) await applyReadModelPatch(tx, id, { assigneeId });
    return t;
  });

describe('assignment configuration', () => {
  it('starts with the migrated teams and rules', async ({ database: { sql } }) => {
    expect((await listTeams(sql)).map((t) => [t.id, t.tier])).toEqual(expect.arrayContaining([['it-tier1', 1], ['it-tier2', 2]]));
    expect((await listRules(sql)).map((r) => [r.position, r.category, r.teamId])).toEqual([
      [0, 'ehr', 'it-tier1'],
      [1, 'network', 'it-tier1'],
      [2, null, 'it-tier1'],
    ]);
    expect((await getTeam(sql, 'it-tier2'))?.members.map((m) => m.username)).toEqual(['lee.lead']);
    expect(await getTeam(sql, 'nope')).toBeNull();
    expect((await defaultTier2Team(sql))?.id).toBe('it-tier2');
  });

  it('saves a team and a member with their outbox events, and keeps a stored user id unless told otherwise', async ({ database: { sql } }) => {
    const saved = await saveTeam(sql, {
      id: 'desk-b',
      fields: { name: 'Desk B', tier: 1, timeZone: 'Europe/Paris', weeklyHours: HOURS, leadUsername: null },
      updatedBy: 'lee.lead',
      event: (team, created) => assignmentEvent('assignment.team_changed', lead, { teamId: team.id, created }),
    });
    if (saved.kind !== 'saved') throw new Error(saved.kind);
    expect(saved).toMatchObject({ created: true, team: { id: 'desk-b', tier: 1, timeZone: 'Europe/Paris', weeklyHours: HOURS, members: [] } });

    const m1 = await saveMember(sql, {
      teamId: 'desk-b',
      username: 'bea.agent',
      fields: { displayName: 'Bea', skills: ['network'], available: true, userId: 'u-bea' },
      updatedBy: 'lee.lead',
      event: (m, created) => assignmentEvent('assignment.team_changed', lead, { member: m.username, created }),
    });
    const m2 = await saveMember(sql, {
      teamId: 'desk-b',
      username: 'bea.agent',
      fields: { displayName: 'Bea A.', skills: ['network', 'ehr'], available: false },
      updatedBy: 'lee.lead',
      event: (m, created) => assignmentEvent('assignment.team_changed', lead, { member: m.username, created }),
    });
    expect(m1?.created).toBe(true);
    expect(m2).toMatchObject({ created: false, member: { displayName: 'Bea A.', skills: ['network', 'ehr'], available: false, userId: 'u-bea' } });
    expect(await listMembers(sql, 'desk-b')).toEqual([m2!.member]);
    expect(await saveMember(sql, { teamId: 'nope', username: 'x', fields: { displayName: 'x', skills: [], available: true }, updatedBy: 'l', event: () => assignmentEvent('assignment.team_changed', lead, {}) })).toBeNull();
    expect(await outboxed(sql, [saved.event.id, m1!.event.id, m2!.event.id])).toHaveLength(3);
  });

  it('replaces the rules only when the check passes against the teams inside the transaction', async ({ database: { sql } }) => {
    const before = await listRules(sql);
    const refused = await replaceRules(sql, {
      rules: [{ category: null, siteId: null, teamId: 'it-tier1', requiredSkills: [], escalationTeamId: 'it-tier1' }],
      check: (teams) => (teams.get('it-tier1')?.tier === 2 ? [] : [{ path: 'rules.0.escalationTeamId', message: 'not a tier-2 team' }]),
      event: () => assignmentEvent('assignment.rules_changed', lead, {}),
    });
    expect(refused).toEqual({ kind: 'invalid', issues: [{ path: 'rules.0.escalationTeamId', message: 'not a tier-2 team' }] });
    expect(await listRules(sql)).toEqual(before);

    const saved = await replaceRules(sql, {
      rules: [...before.map(({ position: _, ...r }) => r), { category: 'printer_scanner', siteId: 'south', teamId: 'it-tier1', requiredSkills: [], escalationTeamId: 'it-tier2' }],
      check: () => [],
      event: (rules) => assignmentEvent('assignment.rules_changed', lead, { count: rules.length }),
    });
    if (saved.kind !== 'saved') throw new Error(saved.kind);
    expect((await listRules(sql)).map((r) => r.position)).toEqual([0, 1, 2, 3]);
    expect((await listRules(sql))[3]).toMatchObject({ siteId: 'south', escalationTeamId: 'it-tier2' });
    expect(await outboxed(sql, [saved.event.id])).toEqual([saved.event.id]);

    // A tier-2 team that rules escalate to cannot become tier 1.
    const demoted = await saveTeam(sql, {
      id: 'it-tier2',
      fields: { name: 'x', tier: 1, timeZone: 'UTC', weeklyHours: HOURS, leadUsername: null },
      updatedBy: 'lee.lead',
      event: () => assignmentEvent('assignment.team_changed', lead, {}),
    });
    expect(demoted).toEqual({ kind: 'still_escalation_target', positions: [3] });
  });

  it('refuses overlapping shifts and removing a member who still has shifts to come', async ({ database: { sql } }) => {
    const shift = (startsAt: string, endsAt: string, username = 'lee.lead') =>
      addShift(sql, { teamId: 'it-tier2', username, startsAt: new Date(startsAt), endsAt: new Date(endsAt), createdBy: 'lee.lead', event: (s) => assignmentEvent('assignment.on_call_changed', lead, { shiftId: s.id }) });
    const first = await shift('2030-05-01T18:00:00Z', '2030-05-02T08:00:00Z');
    if (first.kind !== 'added') throw new Error(first.kind);
    // Back to back is fine; overlapping is not.
    expect((await shift('2030-05-02T08:00:00Z', '2030-05-02T18:00:00Z')).kind).toBe('added');
    expect(await shift('2030-05-01T20:00:00Z', '2030-05-01T22:00:00Z')).toEqual({ kind: 'overlaps', with: first.shift });
    expect((await shift('2030-06-01T00:00:00Z', '2030-06-01T01:00:00Z', 'nobody')).kind).toBe('not_member');
    expect((await addShift(sql, { teamId: 'nope', username: 'x', startsAt: new Date(), endsAt: new Date(Date.now() + 1000), createdBy: 'l', event: () => assignmentEvent('assignment.on_call_changed', lead, {}) })).kind).toBe('no_team');

    expect((await listShifts(sql, 'it-tier2', { from: new Date('2030-05-01T00:00:00Z'), to: new Date('2030-05-02T00:00:00Z') })).map((s) => s.id)).toEqual([first.shift.id]);
    const covering = await shiftsCovering(sql, 'it-tier2', new Date('2030-05-02T08:00:00Z'));
    expect(covering).toEqual([{ username: 'lee.lead', startsAtMs: Date.parse('2030-05-02T08:00:00Z'), endsAtMs: Date.parse('2030-05-02T18:00:00Z') }]);

    const blocked = await removeMember(sql, { teamId: 'it-tier2', username: 'lee.lead', now: new Date('2030-01-01T00:00:00Z'), event: () => assignmentEvent('assignment.team_changed', lead, {}) });
    expect(blocked.kind).toBe('has_shifts');
    const removed = await removeShift(sql, { teamId: 'it-tier2', shiftId: first.shift.id, event: (s) => assignmentEvent('assignment.on_call_changed', lead, { shiftId: s.id }) });
    expect(removed?.shift).toEqual(first.shift);
    expect(await removeShift(sql, { teamId: 'it-tier2', shiftId: first.shift.id, event: () => assignmentEvent('assignment.on_call_changed', lead, {}) })).toBeNull();
    expect(await outboxed(sql, [first.event.id, removed!.event.id])).toHaveLength(2);
  });

  it('a rotation answers for on-call where no override does, and keeps its participants in the team', async ({ database: { sql } }) => {
    const ev = () => assignmentEvent('assignment.on_call_changed', lead, {});
    await saveMember(sql, { teamId: 'it-tier1', username: 'otto.oncall', fields: { displayName: 'Otto', skills: [], available: true }, updatedBy: 'l', event: ev });
    const fields = { participants: ['alex.agent', 'otto.oncall'], handoffWeekday: 'mon' as const, handoffTime: '09:00', lengthDays: 7, timeZone: 'Europe/London', startDate: '2030-04-01' };
    expect(await saveRotation(sql, { teamId: 'it-tier1', fields: { ...fields, participants: ['alex.agent', 'ghost'] }, updatedBy: 'l', event: ev })).toEqual({
      kind: 'not_members',
      missing: [{ index: 1, username: 'ghost' }],
    });
    const saved = await saveRotation(sql, { teamId: 'it-tier1', fields, updatedBy: 'l', event: ev });
    if (saved.kind !== 'saved') throw new Error(saved.kind);
    expect(saved.created).toBe(true);
    expect(await getRotation(sql, 'it-tier1')).toMatchObject({ ...fields, teamId: 'it-tier1', updatedBy: 'l' });
    expect(await outboxed(sql, [saved.event.id])).toHaveLength(1);

    // 2030-04-01 is a Monday: alex from 09:00 BST (08:00Z), otto a week later.
    expect(await shiftsCovering(sql, 'it-tier1', new Date('2030-04-09T02:00:00Z'))).toEqual([
      { username: 'otto.oncall', startsAtMs: Date.parse('2030-04-08T08:00:00Z'), endsAtMs: Date.parse('2030-04-15T08:00:00Z') },
    ]);
    const over = await addShift(sql, { teamId: 'it-tier1', username: 'alex.agent', startsAt: new Date('2030-04-09T00:00:00Z'), endsAt: new Date('2030-04-10T00:00:00Z'), createdBy: 'l', event: ev });
    expect(over.kind).toBe('added');
    expect((await shiftsCovering(sql, 'it-tier1', new Date('2030-04-09T02:00:00Z')))[0]?.username).toBe('alex.agent');
    const schedule = await onCallSchedule(sql, 'it-tier1', { from: new Date('2030-04-08T08:00:00Z'), to: new Date('2030-04-15T08:00:00Z') });
    expect(schedule.map((s) => [s.username, s.source])).toEqual([
      ['otto.oncall', 'rotation'],
      ['alex.agent', 'override'],
      ['otto.oncall', 'rotation'],
    ]);

    const blocked = await removeMember(sql, { teamId: 'it-tier1', username: 'otto.oncall', now: new Date('2030-01-01T00:00:00Z'), event: ev });
    expect(blocked.kind).toBe('in_rotation');
    const gone = await removeRotation(sql, { teamId: 'it-tier1', event: ev });
    expect(gone?.rotation.participants).toEqual(fields.participants);
    expect(await removeRotation(sql, { teamId: 'it-tier1', event: ev })).toBeNull();
    expect(await shiftsCovering(sql, 'it-tier1', new Date('2030-04-11T02:00:00Z'))).toEqual([]);
    expect((await removeMember(sql, { teamId: 'it-tier1', username: 'otto.oncall', now: new Date('2030-01-01T00:00:00Z'), event: ev })).kind).toBe('removed');
  });
});

describe('assignment decisions', () => {
  it('records one decision per ticket and tier; a later one for the same key returns the first', async ({ database: { sql } }) => {
    const ticket = await openTicket(sql);
    const at = new Date('2030-03-04T17:00:00Z');
    const key = { ticketId: ticket.id, tier: 1, at };
    expect(await findDecision(sql, ticket.id, 1)).toBeNull();
    const first = await sql.begin((tx) => recordDecision(tx, key, { teamId: 'it-tier1', assigneeId: 'u-alex', assigneeUsername: 'alex.agent', via: 'rule' }));
    const second = await sql.begin((tx) => recordDecision(tx, { ...key, at: new Date(at.getTime() + 60_000) }, { teamId: 'it-tier1', assigneeId: 'u-bea', assigneeUsername: 'bea.agent', via: 'rule' }));
    expect(second).toEqual(first);
    expect(await findDecision(sql, ticket.id, 1)).toEqual({ teamId: 'it-tier1', assigneeId: 'u-alex', assigneeUsername: 'alex.agent', via: 'rule' });
    // The round-robin state moved for the first decision only.
    expect((await lastAssignedAt(sql, 'it-tier1'))['alex.agent']).toBe(at.getTime());
    expect((await lastAssignedAt(sql, 'it-tier1'))['bea.agent']).toBeUndefined();
    // A decision for nobody leaves the rotation alone.
    const none = await openTicket(sql);
    await sql.begin((tx) => recordDecision(tx, { ticketId: none.id, tier: 1, at: new Date(at.getTime() + 1000) }, { teamId: 'it-tier1', assigneeId: null, assigneeUsername: null, via: 'none' }));
    expect((await lastAssignedAt(sql, 'it-tier1'))['alex.agent']).toBe(at.getTime());
  });

  it('counts open tickets per person, including decisions the workflow has not written yet', async ({ database: { sql } }) => {
    const ids = ['u-load-a', 'u-load-b', 'u-load-c'];
    await openTicket(sql, 'u-load-a');
    await openTicket(sql, 'u-load-a');
    const closed = await openTicket(sql, 'u-load-b');
    await applyReadModelPatch(sql, closed.id, { status: 'closed' });
    const pending = await openTicket(sql);
    await sql.begin((tx) => recordDecision(tx, { ticketId: pending.id, tier: 1, at: new Date() }, { teamId: 'it-tier1', assigneeId: 'u-load-c', assigneeUsername: 'c', via: 'rule' }));
    expect(Object.fromEntries(await openTicketCounts(sql, ids))).toEqual({ 'u-load-a': 2, 'u-load-c': 1 });
    // Once the workflow writes an assignee, the decision no longer counts on its own.
    await applyReadModelPatch(sql, pending.id, { assigneeId: 'u-load-a' });
    expect(Object.fromEntries(await openTicketCounts(sql, ids))).toEqual({ 'u-load-a': 3 });
    expect(await openTicketCounts(sql, [])).toEqual(new Map());
  });

  it("serialises decisions for one team until the holder's transaction ends", async ({ database: { sql, url } }) => {
    const other = createSql(url, 'ticket', 1);
    try {
      const order: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const first = sql.begin(async (tx) => {
        await lockTeamForAssignment(tx, 'it-tier1');
        order.push('first locked');
        await held;
        order.push('first done');
      });
      await new Promise((r) => setTimeout(r, 200));
      const second = other.begin(async (tx) => {
        await lockTeamForAssignment(tx, 'it-tier1');
        order.push('second locked');
      });
      // Another team's lock is not held up.
      await sql.begin((tx) => lockTeamForAssignment(tx, 'it-tier2'));
      await new Promise((r) => setTimeout(r, 300));
      expect(order).toEqual(['first locked']);
      release();
      await Promise.all([first, second]);
      expect(order).toEqual(['first locked', 'first done', 'second locked']);
    } finally {
      await other.end();
    }
  });
});
