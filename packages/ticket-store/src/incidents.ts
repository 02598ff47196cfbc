/**
 * Major incidents in the ticket tables: the status posts IT writes (migrations/012_incident_status.sql)
 * and the read of who is linked to whom (`tickets.major_incident`, `tickets.incident_parent_id`,
 * written by the workflow's read-model patches, migrations/011_major_incidents.sql). The ticket service's incident routes and the
 * status banner read and write through these (docs/decisions/0041).
 */
import type { Db } from './tickets.js';

export interface IncidentStatusPost {
  id: string;
  ticketId: string;
  message: string;
  postedBy: string;
  postedByRole: string;
  postedAt: string;
  nextUpdateAt: string | null;
}

interface PostRow {
  id: string;
  ticket_id: string;
  message: string;
  posted_by: string;
  posted_by_role: string;
  posted_at: Date;
  next_update_at: Date | null;
}

const toPost = (r: PostRow): IncidentStatusPost => ({
  id: r.id,
  ticketId: r.ticket_id,
  message: r.message,
  postedBy: r.posted_by,
  postedByRole: r.posted_by_role,
  postedAt: r.posted_at.toISOString(),
  nextUpdateAt: r.next_update_at?.toISOString() ?? null,
});

/** Idempotent on the post's id: a retried request writes nothing more. */
export async function insertIncidentStatus(sql: Db, p: Omit<IncidentStatusPost, 'postedAt'> & { postedAt?: string }): Promise<IncidentStatusPost> {
  await sql`
    insert into incident_status_posts (id, ticket_id, message, posted_by, posted_by_role, posted_at, next_update_at)
    values (${p.id}, ${p.ticketId}, ${p.message}, ${p.postedBy}, ${p.postedByRole}, ${p.postedAt ?? new Date().toISOString()}, ${p.nextUpdateAt})
    on conflict (id) do nothing`;
  const [row] = await sql<PostRow[]>`select * from incident_status_posts where id = ${p.id}`;
  return toPost(row!);
}

/** An incident's status posts, newest first. */
export async function listIncidentStatuses(sql: Db, ticketId: string): Promise<IncidentStatusPost[]> {
  const rows = await sql<PostRow[]>`select * from incident_status_posts where ticket_id = ${ticketId} order by posted_at desc, id`;
  return rows.map(toPost);
}

export interface IncidentChild {
  id: string;
  number: string;
  title: string;
  siteId: string;
  requesterId: string;
  status: string;
  priority: string;
}

/**
 * The tickets linked to `parentId`, oldest first: as the read model has them, or, given `ids` (the
 * parent workflow's own list, ahead of the read model), those tickets.
 */
export async function listIncidentChildren(sql: Db, parentId: string, ids?: readonly string[]): Promise<IncidentChild[]> {
  return sql<IncidentChild[]>`
    select id, number, title, site_id as "siteId", requester_id as "requesterId", status, priority
    from tickets where ${ids ? sql`id = any(${[...ids]}::uuid[])` : sql`incident_parent_id = ${parentId}`}
    order by created_at, number`;
}

export interface IncidentBanner {
  ticketId: string;
  number: string;
  category: string;
  /** The parent's site and its children's: whom the outage touches. */
  siteIds: string[];
  childCount: number;
  /** The latest status post, or null when none is posted yet. */
  status: { id: string; message: string; postedAt: string; nextUpdateAt: string | null } | null;
}

/**
 * Open major incidents as banners (the ticket's number, category and sites and what IT posted;
 * never the requester's words, which staff of other sites may not read), newest first. `siteIds` null: every incident (IT); otherwise
 * only those whose parent or a child is at one of those sites (clinic staff of those sites).
 */
export async function activeIncidentBanners(sql: Db, siteIds: readonly string[] | null): Promise<IncidentBanner[]> {
  const rows = await sql<
    { id: string; number: string; category: string; site_ids: string[]; child_count: number; status_id: string | null; message: string | null; posted_at: Date | null; next_update_at: Date | null }[]
  >`
    with incident as (
      select p.id, p.number, p.category, p.site_id, p.created_at,
        coalesce(array_agg(c.site_id) filter (where c.id is not null), '{}') as child_sites,
        count(c.id)::int as child_count
      from tickets p
      left join tickets c on c.incident_parent_id = p.id
      where p.major_incident and p.status not in ('resolved', 'closed')
      group by p.id
    )
    select i.id, i.number, i.category, i.child_count,
      array(select distinct x from unnest(array[i.site_id] || i.child_sites) x order by x) as site_ids,
      s.id as status_id, s.message, s.posted_at, s.next_update_at
    from incident i
    left join lateral (
      select id, message, posted_at, next_update_at from incident_status_posts
      where ticket_id = i.id order by posted_at desc, id limit 1
    ) s on true
    where ${siteIds === null} or (array[i.site_id] || i.child_sites) && ${siteIds === null ? [] : [...siteIds]}::text[]
    order by i.created_at desc`;
  return rows.map((r) => ({
    ticketId: r.id,
    number: r.number,
    category: r.category,
    siteIds: r.site_ids,
    childCount: r.child_count,
    status: r.status_id ? { id: r.status_id, message: r.message!, postedAt: r.posted_at!.toISOString(), nextUpdateAt: r.next_update_at?.toISOString() ?? null } : null,
  }));
}
