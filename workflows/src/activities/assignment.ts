/**
 * The automated-assignment activity: picks the team and the person for a ticket at a tier, from
 * the rules, teams, rotas and round-robin state of the ticket schema (004_assignment.sql).
 * The decisions themselves are the pure functions of @tierline/domain, the rows are read and the
 * outcome recorded by @tierline/ticket-store (assignment.ts); this file only puts them together in
 * one transaction. It never writes the tickets row: the workflow applies the decision through
 * its own state and recordTicketEvent, so the read model keeps a single writer.
 */
import { ApplicationFailure } from '@temporalio/common';
import { PRIORITIES, type Priority } from '@tierline/contracts';
import type { Sql } from '@tierline/platform';
import { chooseAssignee, matchRule, needsOnCall, shiftAt, type AssignmentRule } from '@tierline/domain';
import {
  defaultTier2Team,
  findDecision,
  getTeam,
  lastAssignedAt,
  listMembers,
  listRules,
  lockTeamForAssignment,
  openTicketCounts,
  recordDecision,
  shiftsCovering,
  type AssignmentDecision,
  type Team,
} from '@tierline/ticket-store';
import type { TransactionSql } from 'postgres';

export type { AssignmentDecision } from '@tierline/ticket-store';

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
        const earlier = await findDecision(tx, input.ticketId, input.tier);
        if (earlier) return earlier;
        const record = (d: AssignmentDecision) => recordDecision(tx, { ticketId: input.ticketId, tier: input.tier, at: new Date(input.atMs) }, d);

        const rules = await listRules(tx);
        const rule = matchRule(rules, { category: input.category, siteId: input.siteId });
        const team = await pickTeam(tx, input, rule);
        if (!team) return record({ teamId: null, assigneeId: null, assigneeUsername: null, via: 'none' });

        // One decision at a time per team: the next one must see this one's load and rotation.
        await lockTeamForAssignment(tx, team.id);
        const members = await listMembers(tx, team.id);
        const assignable = members.filter((m): m is typeof m & { userId: string } => m.userId !== null);
        const hours = { timeZone: team.timeZone, weeklyHours: team.weeklyHours };

        if (needsOnCall(input.priority, hours, input.atMs)) {
          const shift = shiftAt(await shiftsCovering(tx, team.id, new Date(input.atMs)), input.atMs);
          const onCall = shift ? assignable.find((m) => m.username === shift.username) : undefined;
          if (onCall) return record({ teamId: team.id, assigneeId: onCall.userId, assigneeUsername: onCall.username, via: 'on_call' });
          // No rota coverage: somebody in the team still owns it rather than nobody.
        }

        const counts = await openTicketCounts(tx, assignable.map((m) => m.userId));
        const chosen = chooseAssignee(assignable, {
          requiredSkills: rule?.requiredSkills ?? [],
          openCounts: Object.fromEntries(assignable.map((m) => [m.username, counts.get(m.userId) ?? 0])),
          lastAssignedAt: await lastAssignedAt(tx, team.id),
        });
        if (!chosen) return record({ teamId: team.id, assigneeId: null, assigneeUsername: null, via: 'none' });
        return record({ teamId: team.id, assigneeId: chosen.userId, assigneeUsername: chosen.username, via: 'rule' });
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

async function pickTeam(tx: TransactionSql, input: AutoAssignInput, rule: AssignmentRule | null): Promise<Team | null> {
  if (input.teamId) {
    // A team named by the policy but not (or no longer) configured: fall back to the rules.
    const named = await getTeam(tx, input.teamId);
    if (named) return named;
  }
  if (input.tier === 1) return rule ? getTeam(tx, rule.teamId) : null;
  if (rule?.escalationTeamId) {
    const escalation = await getTeam(tx, rule.escalationTeamId);
    if (escalation) return escalation;
  }
  return defaultTier2Team(tx);
}
