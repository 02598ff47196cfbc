/**
 * Maintenance windows (migrations/013_maintenance_windows.sql, docs/decisions/0043): what the
 * lead's routes write, what opening a ticket reads (is it held?), what a held ticket's workflow
 * re-reads when told of a change, and the banner rows staff see.
 *
 * Locks carry the guarantee that no change is lost: a change takes the window's row lock and
 * tells the held tickets before it commits; opening a ticket and a held ticket's re-read take a
 * share lock on the same row, so each sees either the state before the change or after it,
 * never a change that later rolls back nor misses one that commits.
 */
import { randomUUID } from 'node:crypto';
import {
  EVENT_SCHEMA_VERSION,
  type ActorRef,
  type EventEnvelope,
  type MaintenanceBanner,
  type MaintenanceEventType,
  type MaintenanceWindow,
  type MaintenanceWindowCreate,
  type MaintenanceWindowEdit,
} from '@tierline/contracts';
import { policyOutbox } from './policies.js';
import { CLOSED_STATUSES, type Db } from './tickets.js';

interface WindowRow {
  id: string;
  title: string;
  category: string | null;
  site_ids: string[];
  starts_at: Date;
  ends_at: Date;
  ended_early_at: Date | null;
  cancelled_at: Date | null;
  created_by: string;
  created_at: Date;
  updated_by: string;
  updated_at: Date;
}

const iso = (d: Date) => d.toISOString();

function toWindow(r: WindowRow, now: number): MaintenanceWindow {
  const state = r.cancelled_at
    ? 'cancelled'
    : r.ends_at.getTime() <= now
      ? 'ended'
      : r.starts_at.getTime() <= now
        ? 'active'
        : 'scheduled';
  return {
    id: r.id,
    title: r.title,
    category: r.category,
    siteIds: r.site_ids,
    startsAt: iso(r.starts_at),
    endsAt: iso(r.ends_at),
    endedEarlyAt: r.ended_early_at ? iso(r.ended_early_at) : null,
    cancelledAt: r.cancelled_at ? iso(r.cancelled_at) : null,
    state,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    updatedBy: r.updated_by,
    updatedAt: iso(r.updated_at),
  };
}

function maintenanceEvent(type: MaintenanceEventType, actor: ActorRef, w: MaintenanceWindow, heldTickets?: number): EventEnvelope {
  return {
    id: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    actor,
    data: {
      windowId: w.id,
      category: w.category,
      siteIds: w.siteIds,
      startsAt: w.startsAt,
      endsAt: w.endsAt,
      ...(heldTickets !== undefined ? { heldTickets } : {}),
    },
    schemaVersion: EVENT_SCHEMA_VERSION,
  };
}

/** Windows that end after `since` (default: all), the newest start first; cancelled ones included. */
export async function listMaintenanceWindows(sql: Db, since: Date | null = null, limit = 200): Promise<MaintenanceWindow[]> {
  const rows = await sql<WindowRow[]>`
    select * from maintenance_windows
    where ${since ? sql`ends_at > ${since}` : sql`true`}
    order by starts_at desc, id limit ${limit}`;
  const now = Date.now();
  return rows.map((r) => toWindow(r, now));
}

export async function getMaintenanceWindow(sql: Db, id: string): Promise<MaintenanceWindow | null> {
  const [row] = await sql<WindowRow[]>`select * from maintenance_windows where id = ${id}`;
  return row ? toWindow(row, Date.now()) : null;
}

/** Schedules a window; its `maintenance.scheduled` event goes to the outbox in the same transaction. */
export async function createMaintenanceWindow(
  sql: Db,
  w: MaintenanceWindowCreate,
  by: ActorRef,
): Promise<{ window: MaintenanceWindow; event: EventEnvelope }> {
  const run = async (tx: Db) => {
    const [row] = await tx<WindowRow[]>`
      insert into maintenance_windows (id, title, category, site_ids, starts_at, ends_at, created_by, updated_by)
      values (${randomUUID()}, ${w.title}, ${w.category}, ${w.siteIds}, ${new Date(w.startsAt)}, ${new Date(w.endsAt)}, ${by.id}, ${by.id})
      returning *`;
    const window = toWindow(row!, Date.now());
    const event = maintenanceEvent('maintenance.scheduled', by, window);
    await policyOutbox.add(tx, event);
    return { window, event };
  };
  return 'begin' in sql ? sql.begin(run) : run(sql);
}

export type MaintenanceChange =
  | { kind: 'edit'; edit: MaintenanceWindowEdit }
  | { kind: 'end' }
  | { kind: 'cancel' };

export type MaintenanceChangeOutcome<P> =
  | { kind: 'changed'; window: MaintenanceWindow; event: EventEnvelope; heldTickets: string[] }
  | { kind: 'not_found' }
  | { kind: 'refused'; problem: P };

/**
 * Changes a window under its row lock: `check` refuses what the window's state does not allow
 * (it sees the locked row and the instant), and `tell` reaches every open ticket the window may
 * hold before the transaction commits (it throws to roll the change back). The event goes to
 * the outbox in the same transaction.
 */
export async function changeMaintenanceWindow<P>(
  sql: Db,
  id: string,
  change: MaintenanceChange,
  by: ActorRef,
  check: (current: MaintenanceWindow, now: number) => P | null,
  tell: (ticketIds: string[]) => Promise<void>,
): Promise<MaintenanceChangeOutcome<P>> {
  const run = async (tx: Db): Promise<MaintenanceChangeOutcome<P>> => {
    const [locked] = await tx<WindowRow[]>`select * from maintenance_windows where id = ${id} for update`;
    if (!locked) return { kind: 'not_found' };
    const now = Date.now();
    const current = toWindow(locked, now);
    const problem = check(current, now);
    if (problem) return { kind: 'refused', problem };
    let row: WindowRow | undefined;
    let type: MaintenanceEventType;
    if (change.kind === 'edit') {
      const e = change.edit;
      [row] = await tx<WindowRow[]>`
        update maintenance_windows set
          title = ${e.title ?? locked.title},
          category = ${e.category === undefined ? locked.category : e.category},
          site_ids = ${e.siteIds ?? locked.site_ids},
          starts_at = ${e.startsAt ? new Date(e.startsAt) : locked.starts_at},
          ends_at = ${e.endsAt ? new Date(e.endsAt) : locked.ends_at},
          updated_by = ${by.id}, updated_at = now()
        where id = ${id} returning *`;
      type = 'maintenance.changed';
    } else if (change.kind === 'end') {
      [row] = await tx<WindowRow[]>`
        update maintenance_windows set ended_early_at = ${new Date(now)}, ends_at = ${new Date(now)}, updated_by = ${by.id}, updated_at = now()
        where id = ${id} returning *`;
      type = 'maintenance.ended';
    } else {
      [row] = await tx<WindowRow[]>`
        update maintenance_windows set cancelled_at = ${new Date(now)}, updated_by = ${by.id}, updated_at = now()
        where id = ${id} returning *`;
      type = 'maintenance.cancelled';
    }
    const window = toWindow(row!, now);
    // Every open ticket opened in the scope since the window began may be held by it (the
    // workflow knows whether it is, and re-reads the window): telling a few too many is harmless.
    const scope = { ...current, startsAt: current.startsAt < window.startsAt ? current.startsAt : window.startsAt };
    const held = current.state === 'active' ? await ticketsInScope(tx, scope) : [];
    await tell(held);
    const event = maintenanceEvent(type, by, window, held.length);
    await policyOutbox.add(tx, event);
    return { kind: 'changed', window, event, heldTickets: held };
  };
  return 'begin' in sql ? sql.begin(run) : run(sql);
}

async function ticketsInScope(tx: Db, w: Pick<MaintenanceWindow, 'category' | 'siteIds' | 'startsAt'>): Promise<string[]> {
  const rows = await tx<{ id: string }[]>`
    select id from tickets
    where site_id = any(${w.siteIds}) and ${w.category ? tx`category = ${w.category}` : tx`true`}
      and created_at >= ${new Date(w.startsAt)} and status not in ${tx(CLOSED_STATUSES)}
    order by created_at`;
  return rows.map((r) => r.id);
}

/**
 * The running window that holds a ticket opened now at `siteId` in `category`, with a share lock
 * on it until the caller's transaction ends (so a change waits for the ticket to be stored, and
 * then tells it). The one ending last when several overlap.
 */
export async function activeMaintenanceFor(tx: Db, siteId: string, category: string, at: Date): Promise<{ windowId: string; until: string } | null> {
  const [row] = await tx<{ id: string; ends_at: Date }[]>`
    select id, ends_at from maintenance_windows
    where cancelled_at is null and starts_at <= ${at} and ends_at > ${at}
      and ${siteId} = any(site_ids) and (category is null or category = ${category})
    order by ends_at desc, id limit 1
    for share`;
  return row ? { windowId: row.id, until: iso(row.ends_at) } : null;
}

/**
 * When a window holds its tickets until now, as committed: its end (moved by edits and an early
 * end), or null when it was cancelled. Waits for a change in progress to commit or roll back.
 */
export async function maintenanceWindowEnd(sql: Db, id: string): Promise<string | null> {
  const run = async (tx: Db) => {
    const [row] = await tx<{ ends_at: Date; cancelled_at: Date | null }[]>`
      select ends_at, cancelled_at from maintenance_windows where id = ${id} for share`;
    if (!row || row.cancelled_at) return null;
    return iso(row.ends_at);
  };
  return 'begin' in sql ? sql.begin(run) : run(sql);
}

/**
 * The banner rows for people of `siteIds` (null: every site, for IT): the windows running now at
 * any of them, for GET /api/v1/status-banners.
 */
export async function activeMaintenanceBanners(sql: Db, siteIds: readonly string[] | null): Promise<MaintenanceBanner[]> {
  if (siteIds !== null && siteIds.length === 0) return [];
  const rows = await sql<WindowRow[]>`
    select * from maintenance_windows
    where cancelled_at is null and starts_at <= now() and ends_at > now()
      and ${siteIds === null ? sql`true` : sql`site_ids && ${[...siteIds]}::text[]`}
    order by starts_at, id`;
  return rows.map((r) => ({ id: r.id, title: r.title, category: r.category, siteIds: r.site_ids, startsAt: iso(r.starts_at), endsAt: iso(r.ends_at) }));
}
