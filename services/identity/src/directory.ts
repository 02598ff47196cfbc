import type { Role } from '@tierline/contracts';
import type { Logger, Sql } from '@tierline/platform';
import type { DirectoryEntry, KeycloakAdmin } from './keycloak-admin.js';

export interface DirectoryUser extends DirectoryEntry {
  syncedAt: string;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  email: string | null;
  email_verified: boolean;
  roles: string[];
  sites: string[];
  vendor_org: string | null;
  enabled: boolean;
  synced_at: Date;
}

const toUser = (r: UserRow): DirectoryUser => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  email: r.email,
  emailVerified: r.email_verified,
  roles: r.roles as Role[],
  sites: r.sites,
  vendorOrg: r.vendor_org,
  enabled: r.enabled,
  syncedAt: r.synced_at.toISOString(),
});

export async function upsertUsers(sql: Sql, entries: DirectoryEntry[]): Promise<void> {
  for (const e of entries) {
    await sql`
      insert into users (id, username, display_name, email, email_verified, roles, sites, vendor_org, enabled, synced_at)
      values (${e.id}, ${e.username}, ${e.displayName}, ${e.email}, ${e.emailVerified}, ${e.roles}, ${e.sites}, ${e.vendorOrg}, ${e.enabled}, now())
      on conflict (id) do update set username = excluded.username, display_name = excluded.display_name, email = excluded.email, email_verified = excluded.email_verified,
        roles = excluded.roles, sites = excluded.sites, vendor_org = excluded.vendor_org, enabled = excluded.enabled, synced_at = now()`;
  }
}

/** Mirrors Keycloak into identity.users: upserts everyone, drops users Keycloak no longer has. */
export async function syncDirectory(sql: Sql, kc: KeycloakAdmin): Promise<{ users: number; removed: number }> {
  const entries = await kc.listDirectory();
  return sql.begin(async (tx) => {
    await upsertUsers(tx as unknown as Sql, entries);
    const removed = await tx`delete from users where not (id = any(${entries.map((e) => e.id)}))`;
    return { users: entries.length, removed: removed.count };
  });
}

/** Sync now and then every `intervalMs` (0: only now). A failed round is logged and retried next time. */
export function startDirectorySync(deps: { sql: Sql; kc: KeycloakAdmin; logger: Logger; intervalMs: number }): { first: Promise<void>; stop: () => void } {
  const round = async () => {
    try {
      const r = await syncDirectory(deps.sql, deps.kc);
      deps.logger.info(r, 'directory synced from Keycloak');
    } catch (err) {
      deps.logger.warn({ err }, 'directory sync failed; will retry');
    }
  };
  const first = round();
  const timer = deps.intervalMs > 0 ? setInterval(() => void round(), deps.intervalMs) : null;
  timer?.unref();
  return { first, stop: () => timer && clearInterval(timer) };
}

/**
 * Filters combine with AND; the ids and usernames given in one filter match any of them. `email`
 * matches a verified account address only (Keycloak's emailVerified): who sent a mail is decided
 * on an address the person proved is theirs, never on one anybody could have typed in.
 */
export async function listUsers(
  sql: Sql,
  f: { ids?: string[]; usernames?: string[]; role?: string; site?: string; vendorOrg?: string; email?: string; q?: string; enabled?: boolean },
): Promise<DirectoryUser[]> {
  const like = f.q ? `%${f.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%` : null;
  const rows = await sql<UserRow[]>`
    select * from users
    where ${f.ids ? sql`id = any(${f.ids})` : sql`true`}
      and ${f.usernames ? sql`username = any(${f.usernames})` : sql`true`}
      and ${f.role ? sql`${f.role} = any(roles)` : sql`true`}
      and ${f.site ? sql`${f.site} = any(sites)` : sql`true`}
      and ${f.vendorOrg ? sql`vendor_org = ${f.vendorOrg}` : sql`true`}
      and ${f.email ? sql`lower(email) = lower(${f.email}) and email_verified` : sql`true`}
      and ${like ? sql`(username ilike ${like} or display_name ilike ${like} or email ilike ${like})` : sql`true`}
      and ${f.enabled !== undefined ? sql`enabled = ${f.enabled}` : sql`true`}
    order by username`;
  return rows.map(toUser);
}

export async function findUser(sql: Sql, id: string): Promise<DirectoryUser | null> {
  const [row] = await sql<UserRow[]>`select * from users where id = ${id}`;
  return row ? toUser(row) : null;
}

export interface DeliveryContacts {
  contacts: { email: string | null; mobile: string | null; slackHandle: string | null; teamsHandle: string | null };
  quietHours: { start: string; end: string; timeZone: string } | null;
  preferredChannels: string[];
}

/** What a notifying service needs to reach each of these users; the directory email stands in for a missing one. */
export async function deliveryContacts(sql: Sql, users: DirectoryUser[]): Promise<Map<string, DeliveryContacts>> {
  const rows = await sql<{ user_id: string; email: string | null; mobile: string | null; slack_handle: string | null; teams_handle: string | null; quiet_hours: DeliveryContacts['quietHours']; preferred_channels: string[] }[]>`
    select * from user_contacts where user_id = any(${users.map((u) => u.id)})`;
  const by = new Map(rows.map((r) => [r.user_id, r]));
  return new Map(
    users.map((u) => {
      const r = by.get(u.id);
      return [
        u.id,
        {
          contacts: { email: r?.email ?? u.email, mobile: r?.mobile ?? null, slackHandle: r?.slack_handle ?? null, teamsHandle: r?.teams_handle ?? null },
          quietHours: r?.quiet_hours ?? null,
          preferredChannels: r?.preferred_channels ?? [],
        },
      ];
    }),
  );
}
