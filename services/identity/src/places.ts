import type { CreateSite, CreateVendorOrg, Site, UpdateSite, VendorOrg } from '@tierline/contracts';
import type { Sql } from '@tierline/platform';

/**
 * Sites and vendor organisations (migration 001): what Tierline knows about each place and
 * vendor. Membership is the Keycloak group of the same id (/sites/<id>, /vendors/<id>); the
 * routes make the group with the row (docs/decisions/0044).
 */
interface SiteRow {
  id: string;
  name: string;
  time_zone: string;
  created_at: Date;
}
const toSite = (r: SiteRow): Site => ({ id: r.id, name: r.name, timeZone: r.time_zone, createdAt: r.created_at.toISOString() });

export async function listSites(sql: Sql): Promise<Site[]> {
  return (await sql<SiteRow[]>`select * from sites order by name, id`).map(toSite);
}

export async function findSite(sql: Sql, id: string): Promise<Site | null> {
  const [row] = await sql<SiteRow[]>`select * from sites where id = ${id}`;
  return row ? toSite(row) : null;
}

/** Inserts the site; null when one with this id exists already. */
export async function insertSite(sql: Sql, s: CreateSite): Promise<Site | null> {
  const [row] = await sql<SiteRow[]>`insert into sites (id, name, time_zone) values (${s.id}, ${s.name}, ${s.timeZone}) on conflict (id) do nothing returning *`;
  return row ? toSite(row) : null;
}

/** Changes what is given; the site before and after, or null when there is no such site. */
export async function updateSite(sql: Sql, id: string, change: UpdateSite): Promise<{ before: Site; after: Site } | null> {
  const [old] = await sql<SiteRow[]>`select * from sites where id = ${id} for update`;
  if (!old) return null;
  const [row] = await sql<SiteRow[]>`
    update sites set name = ${change.name ?? old.name}, time_zone = ${change.timeZone ?? old.time_zone} where id = ${id} returning *`;
  return { before: toSite(old), after: toSite(row!) };
}

interface VendorOrgRow {
  id: string;
  name: string;
  created_at: Date;
  people: number;
}
const toVendorOrg = (r: VendorOrgRow): VendorOrg => ({ id: r.id, name: r.name, people: r.people, createdAt: r.created_at.toISOString() });

/** Each organisation with how many people of the directory (enabled or not) belong to it. */
export async function listVendorOrgs(sql: Sql, id?: string): Promise<VendorOrg[]> {
  const rows = await sql<VendorOrgRow[]>`
    select v.id, v.name, v.created_at, (select count(*)::int from users u where u.vendor_org = v.id) as people
    from vendor_orgs v where ${id ? sql`v.id = ${id}` : sql`true`} order by v.name, v.id`;
  return rows.map(toVendorOrg);
}

export async function findVendorOrg(sql: Sql, id: string): Promise<VendorOrg | null> {
  return (await listVendorOrgs(sql, id))[0] ?? null;
}

/** Inserts the organisation; false when one with this id exists already. */
export async function insertVendorOrg(sql: Sql, v: CreateVendorOrg): Promise<boolean> {
  const rows = await sql`insert into vendor_orgs (id, name) values (${v.id}, ${v.name}) on conflict (id) do nothing returning id`;
  return rows.length === 1;
}

/** Renames the organisation; false when there is no such organisation. */
export async function renameVendorOrg(sql: Sql, id: string, name: string): Promise<boolean> {
  const rows = await sql`update vendor_orgs set name = ${name} where id = ${id} returning id`;
  return rows.length === 1;
}
