/**
 * autoAssign against a real PostgreSQL database migrated with the ticket schema's migrations
 * (004 seeds teams it-tier1 and it-tier2 and three rules). Each test resets the tables it uses.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { createSql, migrate, type Sql } from '@tierline/platform';
import { createTestDatabase } from '@tierline/testing';
import { TICKET_MIGRATIONS_DIR } from '@tierline/ticket-store';
import { createAssignmentActivities, type AutoAssignInput } from './assignment.js';

const MIGRATIONS = fileURLToPath(TICKET_MIGRATIONS_DIR);

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: Sql;
let acts: ReturnType<typeof createAssignmentActivities>;

// 2026-03-04 is a Wednesday. New York (the seeded teams' zone, 08:00–18:00 Mon–Fri) is UTC−5.
const WED_NOON = Date.parse('2026-03-04T17:00:00Z');
const WED_NIGHT = Date.parse('2026-03-05T03:00:00Z'); // 22:00 in New York

beforeAll(async () => {
  db = await createTestDatabase('assign-act');
  sql = createSql(db.url, 'ticket', 4);
  await migrate(sql, { schema: 'ticket', dir: MIGRATIONS });
  acts = createAssignmentActivities({ sql });
});

afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

beforeEach(async () => {
  await sql`truncate assignment_decisions, assignment_state, on_call_shifts`;
  await sql`delete from tickets`;
  await sql`delete from team_members`;
  await addMember('it-tier1', 'alex.agent', 'u-alex', ['ehr', 'network']);
  await addMember('it-tier1', 'bea.agent', 'u-bea', ['network']);
  await addMember('it-tier2', 'lee.lead', 'u-lee', ['ehr', 'network']);
});

async function addMember(teamId: string, username: string, userId: string | null, skills: string[], available = true) {
  await sql`
    insert into team_members (team_id, username, user_id, display_name, skills, available, updated_by)
    values (${teamId}, ${username}, ${userId}, ${username}, ${skills}, ${available}, 'test')`;
}

/** An open (or closed) ticket assigned to `assigneeId`, for load. */
async function addTicket(assigneeId: string | null, status = 'in_progress', id: string = randomUUID()) {
  await sql`
    insert into tickets (id, number, title, category, site_id, requester_id, impact, urgency, priority, status, workflow_id, assignee_id)
    values (${id}, ${'T-' + id.slice(0, 8)}, 'load', 'network', 'north', 'u-req', 'one_user', 'low', 'P3', ${status}, ${'ticket-' + id}, ${assigneeId})`;
  return id;
}

const input = (over: Partial<AutoAssignInput> = {}): AutoAssignInput => ({
  ticketId: randomUUID(),
  category: 'network',
  siteId: 'north',
  priority: 'P3',
  tier: 1,
  atMs: WED_NOON,
  ...over,
});

describe('autoAssign', () => {
  it('routes by rule to the least-loaded member, counting only open tickets', async () => {
    await addTicket('u-alex');
    await addTicket('u-bea');
    await addTicket('u-bea');
    await addTicket('u-alex', 'resolved');
    const got = await acts.autoAssign(input());
    expect(got, JSON.stringify(got)).toEqual({ teamId: 'it-tier1', assigneeId: 'u-alex', assigneeUsername: 'alex.agent', via: 'rule' });
  });

  it("keeps to the rule's required skills", async () => {
    await addTicket('u-alex');
    await addTicket('u-alex');
    // ehr requires the ehr skill: bea (no load) does not have it.
    const got = await acts.autoAssign(input({ category: 'ehr' }));
    expect(got.assigneeUsername, JSON.stringify(got)).toBe('alex.agent');
  });

  it('rotates round-robin on equal load, counting decisions the workflow has not written yet', async () => {
    const picked: (string | null)[] = [];
    for (let i = 0; i < 4; i++) {
      const ticketId = await addTicket(null, 'new');
      picked.push((await acts.autoAssign(input({ ticketId, atMs: WED_NOON + i * 1000 }))).assigneeUsername);
    }
    expect(picked).toEqual(['alex.agent', 'bea.agent', 'alex.agent', 'bea.agent']);
    // Round-robin state was recorded at the assignment instants.
    const state = await sql<{ username: string; last_assigned_at: Date }[]>`select username, last_assigned_at from assignment_state order by username`;
    expect(state.map((s) => [s.username, s.last_assigned_at.getTime()])).toEqual([
      ['alex.agent', WED_NOON + 2000],
      ['bea.agent', WED_NOON + 3000],
    ]);
  });

  it('skips unavailable members and members whose user id is not known yet', async () => {
    await sql`update team_members set available = false where username = 'alex.agent'`;
    await addMember('it-tier1', 'new.agent', null, ['network']);
    await addTicket('u-bea');
    await addTicket('u-bea');
    const got = await acts.autoAssign(input());
    expect(got.assigneeUsername).toBe('bea.agent');
  });

  it('leaves the ticket with the team when nobody qualifies', async () => {
    await sql`update team_members set available = false where team_id = 'it-tier1'`;
    const got = await acts.autoAssign(input());
    expect(got).toEqual({ teamId: 'it-tier1', assigneeId: null, assigneeUsername: null, via: 'none' });
  });

  it('sends an out-of-hours P1 to the on-call person, even when unavailable or busiest', async () => {
    await addTicket('u-bea');
    await addTicket('u-bea');
    await sql`update team_members set available = false where username = 'bea.agent'`;
    await sql`
      insert into on_call_shifts (id, team_id, username, starts_at, ends_at, created_by) values
        (${randomUUID()}, 'it-tier1', 'alex.agent', ${new Date(WED_NIGHT - 6 * 3600_000)}, ${new Date(WED_NIGHT)}, 'test'),
        (${randomUUID()}, 'it-tier1', 'bea.agent', ${new Date(WED_NIGHT)}, ${new Date(WED_NIGHT + 8 * 3600_000)}, 'test')`;
    const p1 = await acts.autoAssign(input({ priority: 'P1', atMs: WED_NIGHT }));
    expect(p1, JSON.stringify(p1)).toEqual({ teamId: 'it-tier1', assigneeId: 'u-bea', assigneeUsername: 'bea.agent', via: 'on_call' });
    // P3 at the same time waits for the least-loaded available member instead.
    const p3 = await acts.autoAssign(input({ priority: 'P3', atMs: WED_NIGHT }));
    expect(p3.via).toBe('rule');
    expect(p3.assigneeUsername).toBe('alex.agent');
    // A P2 in working hours ignores the rota.
    const p2 = await acts.autoAssign(input({ priority: 'P2', atMs: WED_NOON }));
    expect(p2.via).toBe('rule');
  });

  it('falls back to the normal choice when no shift covers an out-of-hours P1', async () => {
    const got = await acts.autoAssign(input({ priority: 'P1', atMs: WED_NIGHT }));
    expect(got.via).toBe('rule');
    expect(got.teamId).toBe('it-tier1');
  });

  it('reassigns at tier 2 to the tier-2 team, or to the team the caller names', async () => {
    const ticketId = randomUUID();
    const t1 = await acts.autoAssign(input({ ticketId }));
    const t2 = await acts.autoAssign(input({ ticketId, tier: 2 }));
    expect(t1.teamId).toBe('it-tier1');
    expect(t2).toEqual({ teamId: 'it-tier2', assigneeId: 'u-lee', assigneeUsername: 'lee.lead', via: 'rule' });

    await sql`
      insert into teams (id, name, tier, time_zone, weekly_hours, updated_by)
      values ('ehr-specialists', 'EHR specialists', 2, 'UTC', '{}', 'test')`;
    await addMember('ehr-specialists', 'erin.ehr', 'u-erin', ['ehr']);
    const named = await acts.autoAssign(input({ tier: 2, category: 'ehr', teamId: 'ehr-specialists' }));
    expect(named.assigneeUsername).toBe('erin.ehr');
    // A rule's escalation team is used at tier 2 when the caller names none.
    await sql`update assignment_rules set escalation_team_id = 'ehr-specialists' where category = 'ehr'`;
    const byRule = await acts.autoAssign(input({ tier: 2, category: 'ehr' }));
    expect(byRule.teamId).toBe('ehr-specialists');
    await sql`update assignment_rules set escalation_team_id = null`;
    await sql`delete from team_members where team_id = 'ehr-specialists'`;
    await sql`delete from teams where id = 'ehr-specialists'`;
  });

  it('is idempotent per ticket and tier: a retry returns the first decision and changes nothing', async () => {
    const ticketId = randomUUID();
    const first = await acts.autoAssign(input({ ticketId }));
    await addTicket(first.assigneeId); // alex's load changes…
    await addTicket(first.assigneeId);
    const again = await acts.autoAssign(input({ ticketId, atMs: WED_NOON + 60_000 }));
    expect(again).toEqual(first); // …but the decision stands
    const [count] = await sql<{ n: number }[]>`select count(*)::int as n from assignment_decisions where ticket_id = ${ticketId}`;
    expect(count?.n).toBe(1);
    const [state] = await sql<{ last_assigned_at: Date }[]>`select last_assigned_at from assignment_state where username = ${first.assigneeUsername}`;
    expect(state!.last_assigned_at.getTime()).toBe(WED_NOON);
  });

  it('spreads concurrent tickets of one team instead of piling them on one member', async () => {
    const ids = await Promise.all([addTicket(null, 'new'), addTicket(null, 'new')]);
    const got = await Promise.all(ids.map((ticketId) => acts.autoAssign(input({ ticketId }))));
    expect(got.map((g) => g.assigneeUsername).sort()).toEqual(['alex.agent', 'bea.agent']);
  });

  it('never writes the tickets row', async () => {
    const ticketId = await addTicket(null, 'new');
    const before = await sql`select * from tickets where id = ${ticketId}`;
    await acts.autoAssign(input({ ticketId }));
    expect(await sql`select * from tickets where id = ${ticketId}`).toEqual(before);
  });

  it('returns no team when no rule matches', async () => {
    await sql`delete from assignment_rules where category is null`;
    try {
      expect(await acts.autoAssign(input({ category: 'phone' }))).toEqual({ teamId: null, assigneeId: null, assigneeUsername: null, via: 'none' });
    } finally {
      await sql`insert into assignment_rules (position, team_id) values (2, 'it-tier1')`;
    }
  });

  it('refuses malformed input with a non-retryable failure', async () => {
    const err = await acts.autoAssign(input({ tier: 3 as never, ticketId: 'nope' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).message).toMatch(/tier must be 1 or 2.*ticketId must be a uuid/);
  });
});
