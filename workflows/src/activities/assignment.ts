/**
 * The automated-assignment activity: picks the team and the person for a ticket at a tier, from
 * the rules, teams, rotas and round-robin state of migrations/004_assignment.sql (ticket schema).
 * The decisions themselves are the pure functions of @tierline/domain; this file only loads rows and
 * records the outcome. It never writes the tickets row: the workflow applies the decision through
 * its own state and recordTicketEvent, so the read model keeps a single writer.
 */
import { ApplicationFailure } from '@temporalio/common';
import { PRIORITIES, type Priority, type WeeklyHours } from '@tierline/contracts';
import type { Sql } from '@tierline/platform';
import type { TransactionSql } from 'postgres';
import { chooseAssignee, matchRule, needsOnCall, shiftAt, type AssignmentRule } from '@tierline/domain';

export interface AssignmentActivityDeps {
  /** Pool on the ticket service's schema, where the assignment tables live. */
  sql: Sql;
}

export interface AutoAssignInput {
  ticketId: string;
  category: string;
  siteId: string;
  priority: Priority;
  tier: 1 | 2;
  /** The instant the assignment is for (the workflow's now): decides working hours and on-call. */
  atMs: number;
  /**
   * The team already chosen for this tier (e.g. the `team` target of the escalation level that
   * moved the ticket up). Omitted or null: the rules choose.
   */
  teamId?: string | null;
}

export interface AssignmentDecision {
  teamId: string | null;
  /** Keycloak user id of the assignee (what tickets.assignee_id holds); null = the team's queue. */
  assigneeId: string | null;
  /** The assignee's Keycloak username, for messages and notifications. */
  assigneeUsername: string | null;
  /** rule: least-loaded matching member; on_call: the team's rota out of hours; none: nobody picked. */
  via: 'rule' | 'on_call' | 'none';
}

interface TeamRow {
  id: string;
  tier: number;
  time_zone: string;
  weekly_hours: Partial<WeeklyHours>;
}

interface MemberRow {
  username: string;
  user_id: string | null;
  skills: string[];
  available: boolean;
}

interface DecisionRow {
  team_id: string | null;
  assignee_id: string | null;
  assignee_username: string | null;
  via: AssignmentDecision['via'];
}

const CLOSED_STATUSES = ['resolved', 'closed'];

const toDecision = (r: DecisionRow): AssignmentDecision => ({
  teamId: r.team_id,
  assigneeId: r.assignee_id,
  assigneeUsername: r.assignee_username,
  via: r.via,
});

export function createAssignmentActivities(deps: AssignmentActivityDeps) {
  return {
    /**
     * Decides who works the ticket at `tier`:
     *  - team: `teamId` when given; else at tier 1 the team of the matching rule, at tier 2 the
     *    rule's escalation team or else the default tier-2 team (lowest id);
     *  - person: for P1/P2 outside the team's working hours, whoever's on-call shift covers
     *    `atMs`; otherwise (or when no shift covers it) the available member with every skill the
     *    rule requires and the fewest open tickets, round-robin on ties.
     * Only members whose Keycloak user id is known can be picked (see 004_assignment.sql).
     * Idempotent per (ticket, tier): a retry, or a second call for the same tier, returns the first
     * decision. Decisions for one team are serialised, so concurrent tickets see each other's load.
     */
    async autoAssign(input: AutoAssignInput): Promise<AssignmentDecision> {
      checkInput(input);
      return deps.sql.begin(async (tx) => {
        const [earlier] = await tx<DecisionRow[]>`
          select team_id, assignee_id, assignee_username, via from assignment_decisions
          where ticket_id = ${input.ticketId} and tier = ${input.tier}`;
        if (earlier) return toDecision(earlier);

        const rules = await loadRules(tx);
        const rule = matchRule(rules, { category: input.category, siteId: input.siteId });
        const team = await pickTeam(tx, input, rule);
        if (!team) return record(tx, input, { teamId: null, assigneeId: null, assigneeUsername: null, via: 'none' });

        // One decision at a time per team: the next one must see this one's load and rotation.
        await tx`select pg_advisory_xact_lock(hashtext(${`tierline-assign:${team.id}`}))`;
        const members = await tx<MemberRow[]>`
          select username, user_id, skills, available from team_members where team_id = ${team.id} order by username`;
        const assignable = members.filter((m): m is MemberRow & { user_id: string } => m.user_id !== null);
        const hours = { timeZone: team.time_zone, weeklyHours: team.weekly_hours };

        if (needsOnCall(input.priority, hours, input.atMs)) {
          const shifts = await tx<{ username: string; starts_at: Date; ends_at: Date }[]>`
            select username, starts_at, ends_at from on_call_shifts
            where team_id = ${team.id} and tstzrange(starts_at, ends_at, '[)') @> ${new Date(input.atMs)}::timestamptz`;
          const shift = shiftAt(
            shifts.map((s) => ({ username: s.username, startsAtMs: s.starts_at.getTime(), endsAtMs: s.ends_at.getTime() })),
            input.atMs,
          );
          const onCall = shift ? assignable.find((m) => m.username === shift.username) : undefined;
          if (onCall) {
            return record(tx, input, { teamId: team.id, assigneeId: onCall.user_id, assigneeUsername: onCall.username, via: 'on_call' });
          }
          // No rota coverage: somebody in the team still owns it rather than nobody.
        }

        const userIds = assignable.map((m) => m.user_id);
        const counts = await openCounts(tx, userIds);
        const lastRows = await tx<{ username: string; last_assigned_at: Date }[]>`
          select username, last_assigned_at from assignment_state where team_id = ${team.id}`;
        const chosen = chooseAssignee(assignable, {
          requiredSkills: rule?.requiredSkills ?? [],
          openCounts: Object.fromEntries(assignable.map((m) => [m.username, counts.get(m.user_id) ?? 0])),
          lastAssignedAt: Object.fromEntries(lastRows.map((r) => [r.username, r.last_assigned_at.getTime()])),
        });
        if (!chosen) return record(tx, input, { teamId: team.id, assigneeId: null, assigneeUsername: null, via: 'none' });
        return record(tx, input, { teamId: team.id, assigneeId: chosen.user_id, assigneeUsername: chosen.username, via: 'rule' });
      });
    },
  };
}

export type AssignmentActivities = ReturnType<typeof createAssignmentActivities>;

function checkInput(input: AutoAssignInput): void {
  const problems: string[] = [];
  if (input.tier !== 1 && input.tier !== 2) problems.push(`tier must be 1 or 2 (got ${String(input.tier)})`);
  if (!PRIORITIES.includes(input.priority)) problems.push(`unknown priority ${String(input.priority)}`);
  if (!Number.isFinite(input.atMs)) problems.push('atMs must be epoch milliseconds');
  if (!/^[0-9a-f-]{36}$/i.test(input.ticketId)) problems.push('ticketId must be a uuid');
  // Retrying cannot fix a malformed request.
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(`autoAssign: ${problems.join('; ')}`, 'InvalidAssignmentInput');
}

async function loadRules(tx: TransactionSql): Promise<AssignmentRule[]> {
  const rows = await tx<
    { position: number; category: string | null; site_id: string | null; team_id: string; required_skills: string[]; escalation_team_id: string | null }[]
  >`select position, category, site_id, team_id, required_skills, escalation_team_id from assignment_rules order by position`;
  return rows.map((r) => ({
    position: r.position,
    category: r.category,
    siteId: r.site_id,
    teamId: r.team_id,
    requiredSkills: r.required_skills,
    escalationTeamId: r.escalation_team_id,
  }));
}

async function pickTeam(tx: TransactionSql, input: AutoAssignInput, rule: AssignmentRule | null): Promise<TeamRow | null> {
  const byId = async (id: string) => (await tx<TeamRow[]>`select id, tier, time_zone, weekly_hours from teams where id = ${id}`)[0] ?? null;
  if (input.teamId) {
    // A team named by the policy but not (or no longer) configured: fall back to the rules.
    const named = await byId(input.teamId);
    if (named) return named;
  }
  if (input.tier === 1) return rule ? byId(rule.teamId) : null;
  if (rule?.escalationTeamId) {
    const escalation = await byId(rule.escalationTeamId);
    if (escalation) return escalation;
  }
  const [first] = await tx<TeamRow[]>`select id, tier, time_zone, weekly_hours from teams where tier = 2 order by id limit 1`;
  return first ?? null;
}

/**
 * Open tickets per user id. A ticket counts for its assignee; a ticket whose assignee this
 * activity chose but the workflow has not written yet (assignee still null, row not updated since
 * the decision) counts for the chosen person, so a burst of tickets does not all land on one.
 */
async function openCounts(tx: TransactionSql, userIds: string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await tx<{ user_id: string; n: number }[]>`
    select user_id, count(*)::int as n from (
      select t.assignee_id as user_id from tickets t
      where t.status not in ${tx(CLOSED_STATUSES)} and t.assignee_id = any(${userIds}::text[])
      union all
      select d.assignee_id from assignment_decisions d join tickets t on t.id = d.ticket_id
      where d.assignee_id = any(${userIds}::text[]) and t.assignee_id is null
        and t.status not in ${tx(CLOSED_STATUSES)} and t.updated_at <= d.decided_at
    ) open
    group by user_id`;
  return new Map(rows.map((r) => [r.user_id, r.n]));
}

async function record(tx: TransactionSql, input: AutoAssignInput, d: AssignmentDecision): Promise<AssignmentDecision> {
  const [row] = await tx<DecisionRow[]>`
    insert into assignment_decisions (ticket_id, tier, team_id, assignee_id, assignee_username, via)
    values (${input.ticketId}, ${input.tier}, ${d.teamId}, ${d.assigneeId}, ${d.assigneeUsername}, ${d.via})
    on conflict (ticket_id, tier) do nothing
    returning team_id, assignee_id, assignee_username, via`;
  if (!row) {
    // A concurrent attempt for the same ticket and tier decided first; its decision stands.
    const [first] = await tx<DecisionRow[]>`
      select team_id, assignee_id, assignee_username, via from assignment_decisions
      where ticket_id = ${input.ticketId} and tier = ${input.tier}`;
    return toDecision(first!);
  }
  if (d.teamId && d.assigneeUsername) {
    await tx`
      insert into assignment_state (team_id, username, last_assigned_at)
      values (${d.teamId}, ${d.assigneeUsername}, ${new Date(input.atMs)})
      on conflict (team_id, username) do update
        set last_assigned_at = greatest(assignment_state.last_assigned_at, excluded.last_assigned_at)`;
  }
  return toDecision(row);
}
