/**
 * Assignment in PostgreSQL (migrations/004_assignment.sql): the configuration the ticket API edits
 * (teams and members, the ordered rules, on-call rotations and their one-off shifts, migration 014)
 * and what the worker's autoAssign activity reads and records (assignment_decisions,
 * assignment_state, open-ticket load). Every configuration
 * change writes its audited event to the outbox in the same transaction; the routes publish it
 * after commit (policyOutbox.publish, policies.ts).
 *
 * People are named by Keycloak username; see the migration for why, and for user_id.
 */
import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA_VERSION, type ActorRef, type EventEnvelope, type WeeklyHours } from '@tierline/contracts';
import { onCallAt, shiftsBetween, type OnCallOverride, type Rotation, type ScheduledShift } from '@tierline/domain';
import type { Sql } from '@tierline/platform';
import type { TransactionSql } from 'postgres';
// The policy outbox is a plain event outbox; sharing it means its flush (already run at start-up
// and every 30 s by the ticket service) also retries assignment events. See 004_assignment.sql.
import { policyOutbox } from './policies.js';
import { CLOSED_STATUSES, type Db } from './tickets.js';

export interface TeamMember {
  username: string;
  userId: string | null;
  displayName: string;
  skills: string[];
  available: boolean;
  updatedBy: string;
  updatedAt: string;
}

export interface TeamFields {
  name: string;
  tier: 1 | 2;
  timeZone: string;
  weeklyHours: WeeklyHours;
  leadUsername: string | null;
}

export interface Team extends TeamFields {
  id: string;
  members: TeamMember[];
  updatedBy: string;
  updatedAt: string;
}

export interface AssignmentRuleFields {
  category: string | null;
  siteId: string | null;
  teamId: string;
  requiredSkills: string[];
  escalationTeamId: string | null;
}

export interface AssignmentRule extends AssignmentRuleFields {
  position: number;
}

export interface OnCallShift {
  id: string;
  teamId: string;
  username: string;
  startsAt: string;
  endsAt: string;
  createdBy: string;
  createdAt: string;
}

interface TeamRow {
  id: string;
  name: string;
  tier: 1 | 2;
  time_zone: string;
  weekly_hours: WeeklyHours;
  lead_username: string | null;
  updated_by: string;
  updated_at: Date;
}

interface MemberRow {
  team_id: string;
  username: string;
  user_id: string | null;
  display_name: string;
  skills: string[];
  available: boolean;
  updated_by: string;
  updated_at: Date;
}

interface ShiftRow {
  id: string;
  team_id: string;
  username: string;
  starts_at: Date;
  ends_at: Date;
  created_by: string;
  created_at: Date;
}

const toMember = (r: MemberRow): TeamMember => ({
  username: r.username,
  userId: r.user_id,
  displayName: r.display_name,
  skills: r.skills,
  available: r.available,
  updatedBy: r.updated_by,
  updatedAt: r.updated_at.toISOString(),
});

const toTeam = (r: TeamRow, members: MemberRow[]): Team => ({
  id: r.id,
  name: r.name,
  tier: r.tier,
  timeZone: r.time_zone,
  weeklyHours: r.weekly_hours,
  leadUsername: r.lead_username,
  members: members.filter((m) => m.team_id === r.id).map(toMember),
  updatedBy: r.updated_by,
  updatedAt: r.updated_at.toISOString(),
});

const toShift = (r: ShiftRow): OnCallShift => ({
  id: r.id,
  teamId: r.team_id,
  username: r.username,
  startsAt: r.starts_at.toISOString(),
  endsAt: r.ends_at.toISOString(),
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
});

/** See policies.ts: a jsonb parameter, not a JSON string. */
const jsonb = (s: Pick<Sql, 'json'>, v: unknown) => s.json(v as Parameters<Sql['json']>[0]);

// ---------------------------------------------------------------------------------------------
// Teams and members

export async function listTeams(sql: Sql): Promise<Team[]> {
  // A clinic has a handful of teams: one query each for teams and members, no paging.
  const teams = await sql<TeamRow[]>`select * from teams order by tier, id`;
  const members = await sql<MemberRow[]>`select * from team_members order by team_id, username`;
  return teams.map((t) => toTeam(t, members));
}

export async function getTeam(sql: Db, id: string): Promise<Team | null> {
  const [team] = await sql<TeamRow[]>`select * from teams where id = ${id}`;
  if (!team) return null;
  const members = await sql<MemberRow[]>`select * from team_members where team_id = ${id} order by username`;
  return toTeam(team, members);
}

/** A team's members, by username. */
export async function listMembers(sql: Db, teamId: string): Promise<TeamMember[]> {
  const rows = await sql<MemberRow[]>`select * from team_members where team_id = ${teamId} order by username`;
  return rows.map(toMember);
}

export type SaveTeamOutcome =
  | { kind: 'saved'; team: Team; created: boolean; event: EventEnvelope }
  /** Tier 2 → 1 while rules still escalate to this team. */
  | { kind: 'still_escalation_target'; positions: number[] };

export async function saveTeam(
  sql: Sql,
  args: { id: string; fields: TeamFields; updatedBy: string; event: (team: Team, created: boolean) => EventEnvelope },
): Promise<SaveTeamOutcome> {
  return sql.begin(async (tx) => {
    const f = args.fields;
    if (f.tier !== 2) {
      const refs = await tx<{ position: number }[]>`
        select position from assignment_rules where escalation_team_id = ${args.id} order by position`;
      if (refs.length > 0) return { kind: 'still_escalation_target', positions: refs.map((r) => r.position) } as const;
    }
    const [row] = await tx<{ created: boolean }[]>`
      insert into teams (id, name, tier, time_zone, weekly_hours, lead_username, updated_by)
      values (${args.id}, ${f.name}, ${f.tier}, ${f.timeZone}, ${jsonb(tx, f.weeklyHours)}, ${f.leadUsername}, ${args.updatedBy})
      on conflict (id) do update set name = excluded.name, tier = excluded.tier, time_zone = excluded.time_zone,
        weekly_hours = excluded.weekly_hours, lead_username = excluded.lead_username,
        updated_by = excluded.updated_by, updated_at = now()
      returning (xmax = 0) as created`;
    const team = (await getTeam(tx, args.id))!;
    const event = args.event(team, row!.created);
    await policyOutbox.add(tx, event);
    return { kind: 'saved', team, created: row!.created, event } as const;
  });
}

export interface MemberFields {
  displayName: string;
  skills: string[];
  available: boolean;
  /** undefined: keep what is stored. */
  userId?: string | null;
}

export async function saveMember(
  sql: Sql,
  args: { teamId: string; username: string; fields: MemberFields; updatedBy: string; event: (m: TeamMember, created: boolean) => EventEnvelope },
): Promise<{ member: TeamMember; created: boolean; event: EventEnvelope } | null> {
  return sql.begin(async (tx) => {
    const [team] = await tx`select id from teams where id = ${args.teamId} for update`;
    if (!team) return null;
    const f = args.fields;
    const keepUserId = f.userId === undefined;
    const [row] = await tx<(MemberRow & { created: boolean })[]>`
      insert into team_members (team_id, username, user_id, display_name, skills, available, updated_by)
      values (${args.teamId}, ${args.username}, ${f.userId ?? null}, ${f.displayName}, ${f.skills}, ${f.available}, ${args.updatedBy})
      on conflict (team_id, username) do update set
        user_id = case when ${keepUserId} then team_members.user_id else excluded.user_id end,
        display_name = excluded.display_name, skills = excluded.skills, available = excluded.available,
        updated_by = excluded.updated_by, updated_at = now()
      returning *, (xmax = 0) as created`;
    const member = toMember(row!);
    const event = args.event(member, row!.created);
    await policyOutbox.add(tx, event);
    return { member, created: row!.created, event };
  });
}

export type RemoveMemberOutcome =
  | { kind: 'removed'; event: EventEnvelope }
  | { kind: 'not_found' }
  /** Shifts still to come name this member; the rota must be changed first. */
  | { kind: 'has_shifts'; shiftIds: string[] }
  /** The team's rotation names this member; the rotation must be changed first. */
  | { kind: 'in_rotation' };

export async function removeMember(
  sql: Sql,
  args: { teamId: string; username: string; now: Date; event: () => EventEnvelope },
): Promise<RemoveMemberOutcome> {
  return sql.begin(async (tx) => {
    const [team] = await tx`select id from teams where id = ${args.teamId} for update`;
    if (!team) return { kind: 'not_found' } as const;
    const future = await tx<{ id: string }[]>`
      select id from on_call_shifts where team_id = ${args.teamId} and username = ${args.username} and ends_at > ${args.now}
      order by starts_at`;
    if (future.length > 0) return { kind: 'has_shifts', shiftIds: future.map((s) => s.id) } as const;
    const [inRotation] = await tx`select 1 from on_call_rotations where team_id = ${args.teamId} and ${args.username} = any(participants)`;
    if (inRotation) return { kind: 'in_rotation' } as const;
    const gone = await tx`delete from team_members where team_id = ${args.teamId} and username = ${args.username}`;
    if (gone.count === 0) return { kind: 'not_found' } as const;
    await tx`delete from assignment_state where team_id = ${args.teamId} and username = ${args.username}`;
    const event = args.event();
    await policyOutbox.add(tx, event);
    return { kind: 'removed', event } as const;
  });
}

// ---------------------------------------------------------------------------------------------
// Rules

export async function listRules(sql: Db): Promise<AssignmentRule[]> {
  const rows = await sql<
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

export interface RuleIssue {
  path: string;
  message: string;
}

/**
 * Replaces the whole ordered list (positions 0..n-1 in the order given) if `check` finds no
 * issue against the teams as they are inside the transaction (so a team cannot change tier or
 * vanish between the check and the write).
 */
export async function replaceRules(
  sql: Sql,
  args: {
    rules: AssignmentRuleFields[];
    check: (teams: Map<string, { tier: number }>) => RuleIssue[];
    event: (rules: AssignmentRule[]) => EventEnvelope;
  },
): Promise<{ kind: 'saved'; rules: AssignmentRule[]; event: EventEnvelope } | { kind: 'invalid'; issues: RuleIssue[] }> {
  return sql.begin(async (tx) => {
    // Share-lock the teams: a concurrent tier change waits for this list to be written.
    const teams = await tx<{ id: string; tier: number }[]>`select id, tier from teams for share`;
    const issues = args.check(new Map(teams.map((t) => [t.id, { tier: t.tier }])));
    if (issues.length > 0) return { kind: 'invalid', issues } as const;
    await tx`delete from assignment_rules`;
    const rules: AssignmentRule[] = args.rules.map((r, position) => ({ position, ...r }));
    if (rules.length > 0) {
      await tx`insert into assignment_rules ${tx(
        rules.map((r) => ({
          position: r.position,
          category: r.category,
          site_id: r.siteId,
          team_id: r.teamId,
          required_skills: r.requiredSkills,
          escalation_team_id: r.escalationTeamId,
        })),
      )}`;
    }
    const event = args.event(rules);
    await policyOutbox.add(tx, event);
    return { kind: 'saved', rules, event } as const;
  });
}

// ---------------------------------------------------------------------------------------------
// On-call

export async function listShifts(sql: Sql, teamId: string, range: { from: Date; to: Date | null }): Promise<OnCallShift[]> {
  const rows = await sql<ShiftRow[]>`
    select * from on_call_shifts
    where team_id = ${teamId} and ends_at > ${range.from} ${range.to ? sql`and starts_at < ${range.to}` : sql``}
    order by starts_at`;
  return rows.map(toShift);
}

export type AddShiftOutcome =
  | { kind: 'added'; shift: OnCallShift; event: EventEnvelope }
  | { kind: 'no_team' }
  | { kind: 'not_member' }
  | { kind: 'overlaps'; with: OnCallShift };

/**
 * Adds a shift unless it overlaps another of the team's shifts ([start, end) ranges: back-to-back
 * is fine). The team row is locked for the check and insert, so two leads adding overlapping shifts
 * at once cannot both succeed (this stands in for an exclusion constraint; see the migration).
 */
export async function addShift(
  sql: Sql,
  args: { teamId: string; username: string; startsAt: Date; endsAt: Date; createdBy: string; event: (s: OnCallShift) => EventEnvelope },
): Promise<AddShiftOutcome> {
  return sql.begin(async (tx) => {
    const [team] = await tx`select id from teams where id = ${args.teamId} for update`;
    if (!team) return { kind: 'no_team' } as const;
    const [member] = await tx`select 1 from team_members where team_id = ${args.teamId} and username = ${args.username}`;
    if (!member) return { kind: 'not_member' } as const;
    const [clash] = await tx<ShiftRow[]>`
      select * from on_call_shifts
      where team_id = ${args.teamId}
        and tstzrange(starts_at, ends_at, '[)') && tstzrange(${args.startsAt}::timestamptz, ${args.endsAt}::timestamptz, '[)')
      order by starts_at limit 1`;
    if (clash) return { kind: 'overlaps', with: toShift(clash) } as const;
    const [row] = await tx<ShiftRow[]>`
      insert into on_call_shifts (id, team_id, username, starts_at, ends_at, created_by)
      values (${randomUUID()}, ${args.teamId}, ${args.username}, ${args.startsAt}, ${args.endsAt}, ${args.createdBy})
      returning *`;
    const shift = toShift(row!);
    const event = args.event(shift);
    await policyOutbox.add(tx, event);
    return { kind: 'added', shift, event } as const;
  });
}

export async function removeShift(
  sql: Sql,
  args: { teamId: string; shiftId: string; event: (s: OnCallShift) => EventEnvelope },
): Promise<{ shift: OnCallShift; event: EventEnvelope } | null> {
  return sql.begin(async (tx) => {
    const [row] = await tx<ShiftRow[]>`
      delete from on_call_shifts where team_id = ${args.teamId} and id = ${args.shiftId} returning *`;
    if (!row) return null;
    const shift = toShift(row);
    const event = args.event(shift);
    await policyOutbox.add(tx, event);
    return { shift, event };
  });
}

// ---------------------------------------------------------------------------------------------
// Rotations (migrations/014_on_call_rotations.sql): one per team; the shifts are computed by
// @tierline/domain from it and the overrides, which are the one-off shifts above.

export interface StoredRotation extends Rotation {
  teamId: string;
  participants: string[];
  updatedBy: string;
  updatedAt: string;
}

export type RotationFields = Omit<Rotation, 'participants'> & { participants: string[] };

interface RotationRow {
  team_id: string;
  participants: string[];
  handoff_weekday: Rotation['handoffWeekday'];
  handoff_time: string;
  length_days: number;
  time_zone: string;
  start_date: string;
  updated_by: string;
  updated_at: Date;
}

const toRotation = (r: RotationRow): StoredRotation => ({
  teamId: r.team_id,
  participants: r.participants,
  handoffWeekday: r.handoff_weekday,
  handoffTime: r.handoff_time,
  lengthDays: r.length_days,
  timeZone: r.time_zone,
  startDate: r.start_date,
  updatedBy: r.updated_by,
  updatedAt: r.updated_at.toISOString(),
});

const toOverride = (r: ShiftRow): OnCallOverride => ({ id: r.id, username: r.username, startsAtMs: r.starts_at.getTime(), endsAtMs: r.ends_at.getTime() });

export async function getRotation(sql: Db, teamId: string): Promise<StoredRotation | null> {
  const [row] = await sql<RotationRow[]>`
    select team_id, participants, handoff_weekday, handoff_time, length_days, time_zone,
      to_char(start_date, 'YYYY-MM-DD') as start_date, updated_by, updated_at
    from on_call_rotations where team_id = ${teamId}`;
  return row ? toRotation(row) : null;
}

export type SaveRotationOutcome =
  | { kind: 'saved'; rotation: StoredRotation; created: boolean; event: EventEnvelope }
  | { kind: 'no_team' }
  /** Participants who are not members of the team, with their index in the list. */
  | { kind: 'not_members'; missing: { index: number; username: string }[] };

/** Sets the team's rotation (creates or replaces it), if every participant is a member. */
export async function saveRotation(
  sql: Sql,
  args: { teamId: string; fields: RotationFields; updatedBy: string; event: (r: StoredRotation, created: boolean) => EventEnvelope },
): Promise<SaveRotationOutcome> {
  return sql.begin(async (tx) => {
    // The team row lock orders this against member removal (removeMember locks it too).
    const [team] = await tx`select id from teams where id = ${args.teamId} for update`;
    if (!team) return { kind: 'no_team' } as const;
    const f = args.fields;
    const members = new Set((await tx<{ username: string }[]>`select username from team_members where team_id = ${args.teamId}`).map((m) => m.username));
    const missing = f.participants.flatMap((username, index) => (members.has(username) ? [] : [{ index, username }]));
    if (missing.length > 0) return { kind: 'not_members', missing } as const;
    const [row] = await tx<{ created: boolean }[]>`
      insert into on_call_rotations (team_id, participants, handoff_weekday, handoff_time, length_days, time_zone, start_date, updated_by)
      values (${args.teamId}, ${f.participants}, ${f.handoffWeekday}, ${f.handoffTime}, ${f.lengthDays}, ${f.timeZone}, ${f.startDate}, ${args.updatedBy})
      on conflict (team_id) do update set participants = excluded.participants, handoff_weekday = excluded.handoff_weekday,
        handoff_time = excluded.handoff_time, length_days = excluded.length_days, time_zone = excluded.time_zone,
        start_date = excluded.start_date, updated_by = excluded.updated_by, updated_at = now()
      returning (xmax = 0) as created`;
    const rotation = (await getRotation(tx, args.teamId))!;
    const event = args.event(rotation, row!.created);
    await policyOutbox.add(tx, event);
    return { kind: 'saved', rotation, created: row!.created, event } as const;
  });
}

/** Ends the team's rotation (overrides stay). Null when it had none. */
export async function removeRotation(
  sql: Sql,
  args: { teamId: string; event: (r: StoredRotation) => EventEnvelope },
): Promise<{ rotation: StoredRotation; event: EventEnvelope } | null> {
  return sql.begin(async (tx) => {
    const rotation = await getRotation(tx, args.teamId);
    if (!rotation) return null;
    await tx`delete from on_call_rotations where team_id = ${args.teamId}`;
    const event = args.event(rotation);
    await policyOutbox.add(tx, event);
    return { rotation, event };
  });
}

/** Who is on call for the team over [from, to): rotation shifts cut around the overrides, by start. */
export async function onCallSchedule(sql: Db, teamId: string, range: { from: Date; to: Date }): Promise<ScheduledShift[]> {
  const rotation = await getRotation(sql, teamId);
  const rows = await sql<ShiftRow[]>`
    select * from on_call_shifts
    where team_id = ${teamId} and ends_at > ${range.from} and starts_at < ${range.to}
    order by starts_at`;
  return shiftsBetween(rotation, rows.map(toOverride), range.from.getTime(), range.to.getTime());
}

// ---------------------------------------------------------------------------------------------
// Decisions (the worker's autoAssign activity; the choice itself is @tierline/domain's)

/** What autoAssign decided for a ticket at a tier. */
export interface AssignmentDecision {
  teamId: string | null;
  /** Keycloak user id of the assignee (what tickets.assignee_id holds); null = the team's queue. */
  assigneeId: string | null;
  /** The assignee's Keycloak username, for messages and notifications. */
  assigneeUsername: string | null;
  /** rule: least-loaded matching member; on_call: the team's rota out of hours; none: nobody picked. */
  via: 'rule' | 'on_call' | 'none';
}

interface DecisionRow {
  team_id: string | null;
  assignee_id: string | null;
  assignee_username: string | null;
  via: AssignmentDecision['via'];
}

const toDecision = (r: DecisionRow): AssignmentDecision => ({
  teamId: r.team_id,
  assigneeId: r.assignee_id,
  assigneeUsername: r.assignee_username,
  via: r.via,
});

/** The decision already recorded for (ticket, tier), if any. */
export async function findDecision(sql: Db, ticketId: string, tier: number): Promise<AssignmentDecision | null> {
  const [row] = await sql<DecisionRow[]>`
    select team_id, assignee_id, assignee_username, via from assignment_decisions
    where ticket_id = ${ticketId} and tier = ${tier}`;
  return row ? toDecision(row) : null;
}

/**
 * Records the decision for (ticket, tier) and, when it names a person, their last assignment in
 * the team (the round-robin state). A decision already there — a concurrent attempt decided first —
 * stands, and is what this returns.
 */
export async function recordDecision(
  tx: TransactionSql,
  key: { ticketId: string; tier: number; at: Date },
  d: AssignmentDecision,
): Promise<AssignmentDecision> {
  const [row] = await tx<DecisionRow[]>`
    insert into assignment_decisions (ticket_id, tier, team_id, assignee_id, assignee_username, via)
    values (${key.ticketId}, ${key.tier}, ${d.teamId}, ${d.assigneeId}, ${d.assigneeUsername}, ${d.via})
    on conflict (ticket_id, tier) do nothing
    returning team_id, assignee_id, assignee_username, via`;
  if (!row) return (await findDecision(tx, key.ticketId, key.tier))!;
  if (d.teamId && d.assigneeUsername) {
    await tx`
      insert into assignment_state (team_id, username, last_assigned_at)
      values (${d.teamId}, ${d.assigneeUsername}, ${key.at})
      on conflict (team_id, username) do update
        set last_assigned_at = greatest(assignment_state.last_assigned_at, excluded.last_assigned_at)`;
  }
  return toDecision(row);
}

/** The tier-2 team that takes escalations no rule directs elsewhere: the lowest id. */
export async function defaultTier2Team(sql: Db): Promise<Team | null> {
  const [first] = await sql<{ id: string }[]>`select id from teams where tier = 2 order by id limit 1`;
  return first ? getTeam(sql, first.id) : null;
}

/**
 * Serialises assignment decisions for one team until the transaction ends, so the next decision
 * sees this one's load and rotation.
 */
export async function lockTeamForAssignment(tx: TransactionSql, teamId: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtext(${`tierline-assign:${teamId}`}))`;
}

/**
 * Who is on call for the team at the instant `at`: the override (one-off shift) covering it, else
 * the rotation's shift ([start, end)); empty when neither covers it.
 */
export async function shiftsCovering(sql: Db, teamId: string, at: Date): Promise<{ username: string; startsAtMs: number; endsAtMs: number }[]> {
  const rotation = await getRotation(sql, teamId);
  const rows = await sql<ShiftRow[]>`
    select * from on_call_shifts
    where team_id = ${teamId} and tstzrange(starts_at, ends_at, '[)') @> ${at}::timestamptz`;
  const shift = onCallAt(rotation, rows.map(toOverride), at.getTime());
  return shift ? [{ username: shift.username, startsAtMs: shift.startsAtMs, endsAtMs: shift.endsAtMs }] : [];
}

/** When each of the team's members was last assigned a ticket (epoch ms, by username). */
export async function lastAssignedAt(sql: Db, teamId: string): Promise<Record<string, number>> {
  const rows = await sql<{ username: string; last_assigned_at: Date }[]>`
    select username, last_assigned_at from assignment_state where team_id = ${teamId}`;
  return Object.fromEntries(rows.map((r) => [r.username, r.last_assigned_at.getTime()]));
}

/**
 * Open tickets per user id. A ticket counts for its assignee; a ticket whose assignee autoAssign
 * chose but the workflow has not written yet (assignee still null, row not updated since the
 * decision) counts for the chosen person, so a burst of tickets does not all land on one.
 */
export async function openTicketCounts(sql: Db, userIds: string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await sql<{ user_id: string; n: number }[]>`
    select user_id, count(*)::int as n from (
      select t.assignee_id as user_id from tickets t
      where t.status not in ${sql(CLOSED_STATUSES)} and t.assignee_id = any(${userIds}::text[])
      union all
      select d.assignee_id from assignment_decisions d join tickets t on t.id = d.ticket_id
      where d.assignee_id = any(${userIds}::text[]) and t.assignee_id is null
        and t.status not in ${sql(CLOSED_STATUSES)} and t.updated_at <= d.decided_at
    ) open
    group by user_id`;
  return new Map(rows.map((r) => [r.user_id, r.n]));
}

// ---------------------------------------------------------------------------------------------
// Events

export function assignmentEvent(
  type: 'assignment.rules_changed' | 'assignment.team_changed' | 'assignment.on_call_changed',
  actor: ActorRef,
  data: Record<string, unknown>,
): EventEnvelope {
  return { id: randomUUID(), type, occurredAt: new Date().toISOString(), actor, data, schemaVersion: EVENT_SCHEMA_VERSION };
}
