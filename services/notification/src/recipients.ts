import { z } from 'zod';
import type { EscalationTarget } from '@tierline/contracts';
import type { Sql } from '@tierline/platform';

export interface QuietHours {
  /** Local "HH:MM" in `timeZone`; a window may wrap midnight (22:00–07:00). */
  start: string;
  end: string;
  timeZone: string;
}

export interface Recipient {
  userId: string;
  username: string;
  displayName: string;
  email?: string;
  mobile?: string;
  slackHandle?: string;
  teamsHandle?: string;
  quietHours?: QuietHours;
  isVendor: boolean;
}

export interface ResolveContext {
  ticketId: string;
  siteId: string;
}

/** Turns escalation targets (teams, on-call, IT lead, vendor, user) into people with contacts. */
export interface RecipientResolver {
  resolve(targets: EscalationTarget[], ctx: ResolveContext): Promise<Recipient[]>;
}

const dedupe = (people: Recipient[]) => [...new Map(people.map((p) => [p.userId, p])).values()];

interface RecipientRow {
  user_id: string;
  username: string;
  display_name: string;
  email: string | null;
  mobile: string | null;
  slack_handle: string | null;
  teams_handle: string | null;
  quiet_start: string | null;
  quiet_end: string | null;
  quiet_time_zone: string | null;
  is_vendor: boolean;
}

function fromRow(r: RecipientRow): Recipient {
  return {
    userId: r.user_id,
    username: r.username,
    displayName: r.display_name,
    ...(r.email ? { email: r.email } : {}),
    ...(r.mobile ? { mobile: r.mobile } : {}),
    ...(r.slack_handle ? { slackHandle: r.slack_handle } : {}),
    ...(r.teams_handle ? { teamsHandle: r.teams_handle } : {}),
    ...(r.quiet_start && r.quiet_end && r.quiet_time_zone ? { quietHours: { start: r.quiet_start, end: r.quiet_end, timeZone: r.quiet_time_zone } } : {}),
    isVendor: r.is_vendor,
  };
}

/**
 * Resolves against the service's own `recipients` table. Stands in for the identity service's
 * directory until that API exists; tests and `npm run up` use it.
 */
export class DirectoryRecipientResolver implements RecipientResolver {
  constructor(private readonly sql: Sql) {}
  async resolve(targets: EscalationTarget[]): Promise<Recipient[]> {
    const out: Recipient[] = [];
    for (const t of targets) {
      const rows =
        t.kind === 'team'
          ? await this.sql<RecipientRow[]>`select * from recipients where ${t.teamId} = any(teams) order by username`
          : t.kind === 'on_call'
            ? await this.sql<RecipientRow[]>`select * from recipients where ${t.teamId} = any(on_call_teams) order by username`
            : t.kind === 'it_lead'
              ? await this.sql<RecipientRow[]>`select * from recipients where is_it_lead order by username`
              : t.kind === 'vendor'
                ? await this.sql<RecipientRow[]>`select * from recipients where is_vendor and vendor_org_id = ${t.vendorOrgId} order by username`
                : await this.sql<RecipientRow[]>`select * from recipients where user_id = ${t.userId} or username = ${t.userId}`;
      out.push(...rows.map(fromRow));
    }
    return dedupe(out);
  }
}

/** The identity service's answer, as far as this service relies on it. */
const DirectoryUserSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string().optional(),
  roles: z.array(z.string()).optional(),
  vendorOrg: z.string().nullable().optional(),
  enabled: z.boolean().optional(),
  contacts: z
    .object({
      email: z.string().nullable().optional(),
      mobile: z.string().nullable().optional(),
      slackHandle: z.string().nullable().optional(),
      teamsHandle: z.string().nullable().optional(),
    })
    .partial()
    .optional(),
  quietHours: z.object({ start: z.string(), end: z.string(), timeZone: z.string() }).nullable().optional(),
});
const DirectoryPageSchema = z.object({ users: z.array(DirectoryUserSchema) });

/**
 * Resolves through the identity service's `GET /api/v1/directory/users` (query `id`, `role`,
 * `vendorOrg`), authenticated as the `tierline-notification` service account (client
 * credentials). Written against that route's schema while it was being built; NOT yet tested
 * against the running identity service. Team and on-call membership live in the ticket service,
 * which the identity directory cannot filter by: such targets fail loudly here (the command is
 * retried, then dead-lettered and announced) rather than page the whole directory.
 */
export class IdentityRecipientResolver implements RecipientResolver {
  private token: { value: string; expiresAt: number } | null = null;
  constructor(
    private readonly opts: { baseUrl: string; tokenUrl: string; clientId: string; clientSecret: string; timeoutMs?: number; fetch?: typeof fetch },
  ) {}

  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now() + 10_000) return this.token.value;
    const res = await (this.opts.fetch ?? fetch)(this.opts.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: this.opts.clientId, client_secret: this.opts.clientSecret }),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
    });
    if (!res.ok) throw new Error(`service-account token request failed: HTTP ${res.status}`);
    const body = (await res.json()) as { access_token: string; expires_in: number };
    this.token = { value: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
    return body.access_token;
  }

  async resolve(targets: EscalationTarget[], ctx: ResolveContext): Promise<Recipient[]> {
    const out: Recipient[] = [];
    for (const t of targets) {
      const q = new URLSearchParams();
      if (t.kind === 'team' || t.kind === 'on_call') {
        throw new Error(`${t.kind} targets (team ${t.teamId}) cannot be resolved through the identity directory yet (ticket ${ctx.ticketId})`);
      } else if (t.kind === 'it_lead') q.set('role', 'it_lead');
      else if (t.kind === 'vendor') q.set('vendorOrg', t.vendorOrgId);
      else q.set('id', t.userId);
      const res = await (this.opts.fetch ?? fetch)(`${this.opts.baseUrl.replace(/\/$/, '')}/api/v1/directory/users?${q.toString()}`, {
        headers: { authorization: `Bearer ${await this.accessToken()}` },
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
      if (res.status === 401) this.token = null;
      if (!res.ok) throw new Error(`identity directory answered HTTP ${res.status} for ${t.kind}`);
      const page = DirectoryPageSchema.parse(await res.json());
      for (const u of page.users) {
        if (u.enabled === false) continue;
        if (t.kind === 'vendor' && u.vendorOrg !== t.vendorOrgId) continue;
        const c = u.contacts ?? {};
        out.push({
          userId: u.id,
          username: u.username,
          displayName: u.displayName ?? u.username,
          ...(c.email ? { email: c.email } : {}),
          ...(c.mobile ? { mobile: c.mobile } : {}),
          ...(c.slackHandle ? { slackHandle: c.slackHandle } : {}),
          ...(c.teamsHandle ? { teamsHandle: c.teamsHandle } : {}),
          ...(u.quietHours ? { quietHours: u.quietHours } : {}),
          // Vendor by role or by organisation: either way they get the minimal content and the vendor link.
          isVendor: Boolean(u.vendorOrg) || (u.roles ?? []).includes('vendor'),
        });
      }
    }
    return dedupe(out);
  }
}
