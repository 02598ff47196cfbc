/** ticket_watchers (migrations/001_tickets.sql): who follows a ticket besides its own people. */
import type { Db } from './tickets.js';

export interface Watcher {
  userId: string;
  addedAt: string;
}

export async function listWatchers(sql: Db, ticketId: string): Promise<Watcher[]> {
  const rows = await sql<{ user_id: string; added_at: Date }[]>`
    select user_id, added_at from ticket_watchers where ticket_id = ${ticketId} order by added_at, user_id`;
  return rows.map((r) => ({ userId: r.user_id, addedAt: r.added_at.toISOString() }));
}

/** True when the user was not watching yet. */
export async function addWatcher(sql: Db, ticketId: string, userId: string): Promise<boolean> {
  const r = await sql`insert into ticket_watchers (ticket_id, user_id) values (${ticketId}, ${userId}) on conflict do nothing`;
  return r.count > 0;
}

/** True when the user was watching. */
export async function removeWatcher(sql: Db, ticketId: string, userId: string): Promise<boolean> {
  const r = await sql`delete from ticket_watchers where ticket_id = ${ticketId} and user_id = ${userId}`;
  return r.count > 0;
}
