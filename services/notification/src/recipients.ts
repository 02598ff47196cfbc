import { z } from 'zod';
import { NotificationChannelSchema, type EscalationTarget, type NotificationChannel } from '@tierline/contracts';
import type { Logger } from '@tierline/platform';
import type { ServiceToken } from '@tierline/platform';

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
  /** The channels the person chose on their profile, in their order; empty when they chose none. */
  preferredChannels?: NotificationChannel[];
  isVendor: boolean;
  /** The vendor organisation a vendor recipient is paged for: their signed link is minted for it. */
  vendorOrgId?: string;
}

export interface ResolveContext {
  ticketId: string;
  siteId: string;
}

export interface Resolution {
  recipients: Recipient[];
  /**
   * Targets that definitely name nobody right now (an empty vendor organisation, a team without
   * members, a user not in the directory). Announced, not retried forever: the other targets of
   * the command are still paged. A lookup that merely failed throws instead, so it is retried.
   */
  unresolved: { target: EscalationTarget; reason: string }[];
}

/** Turns escalation targets (teams, on-call, IT lead, vendor, user) into people with contacts. */
export interface RecipientResolver {
  resolve(targets: EscalationTarget[], ctx: ResolveContext): Promise<Resolution>;
  /** The leads of these teams, as people; empty when none has a lead in the directory. */
  teamLeads?(teamIds: string[]): Promise<Recipient[]>;
}

/** The identity service's directory entry, as far as this service relies on it. */
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
  preferredChannels: z.array(z.string()).optional(),
});
type DirectoryUser = z.infer<typeof DirectoryUserSchema>;
const DirectoryPageSchema = z.object({ users: z.array(DirectoryUserSchema) });

/** The ticket service's team and rota, as far as this service relies on them. */
const TeamSchema = z.object({
  id: z.string(),
  leadUsername: z.string().nullable(),
  members: z.array(z.object({ username: z.string(), available: z.boolean() })),
});
const OnCallSchema = z.object({ items: z.array(z.object({ username: z.string(), startsAt: z.string(), endsAt: z.string() })) });

/** Thrown for an answer that a retry may change (unreachable, 5xx, 401): the command is redelivered. */
export class LookupFailed extends Error {
  override name = 'LookupFailed';
}

const slashless = (u: string) => u.replace(/\/$/, '');
/** The identity service allows up to 100 values of one filter per call. */
const CHUNK = 100;

/**
 * Resolves targets through the services that own the facts, as the `tierline-notification`
 * service account:
 * - people, roles, vendor organisations, contacts and quiet hours: the identity service's
 *   `GET /api/v1/directory/users` (users mirrored from Keycloak, contacts set by each person);
 * - team members and the on-call rota: the ticket service's `GET /api/v1/teams/{id}` and
 *   `GET /api/v1/teams/{id}/on-call/schedule` (the rotation and its overrides), which name people by
 *   username, then the directory.
 */
export class IdentityRecipientResolver implements RecipientResolver {
  constructor(
    private readonly opts: { identityUrl: string; ticketUrl: string; token: ServiceToken; timeoutMs?: number; logger?: Logger; fetch?: typeof fetch; now?: () => Date },
  ) {}

  private async getJson(url: string, what: string): Promise<{ status: number; body: unknown }> {
    let res: Response;
    try {
      res = await (this.opts.fetch ?? fetch)(url, {
        headers: { authorization: `Bearer ${await this.opts.token.get()}` },
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new LookupFailed(`${what}: unreachable (${(err as Error).message})`);
    }
    if (res.status === 401) this.opts.token.invalidate();
    if (res.status === 404) return { status: 404, body: null };
    // 401/403 too: a token or realm misconfiguration is fixed by a person, and the retries,
    // dead letter and delivery_failed event are how that person hears of it.
    if (!res.ok) throw new LookupFailed(`${what}: HTTP ${res.status}`);
    return { status: res.status, body: await res.json() };
  }

  private async directory(filter: { role?: string; vendorOrg?: string; id?: string[]; username?: string[] }): Promise<DirectoryUser[]> {
    const many = filter.id ? { key: 'id', values: filter.id } : filter.username ? { key: 'username', values: filter.username } : null;
    if (many && many.values.length === 0) return [];
    const out: DirectoryUser[] = [];
    const chunks = many ? Array.from({ length: Math.ceil(many.values.length / CHUNK) }, (_, i) => many.values.slice(i * CHUNK, (i + 1) * CHUNK)) : [[]];
    for (const chunk of chunks) {
      const q = new URLSearchParams();
      if (filter.role) q.set('role', filter.role);
      if (filter.vendorOrg) q.set('vendorOrg', filter.vendorOrg);
      if (many) for (const v of chunk) q.append(many.key, v);
      const { body } = await this.getJson(`${slashless(this.opts.identityUrl)}/api/v1/directory/users?${q.toString()}`, 'identity directory');
      const parsed = DirectoryPageSchema.safeParse(body);
      if (!parsed.success) throw new LookupFailed(`identity directory: unexpected answer (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      out.push(...parsed.data.users);
    }
    return out;
  }

  private async team(teamId: string) {
    const { status, body } = await this.getJson(`${slashless(this.opts.ticketUrl)}/api/v1/teams/${encodeURIComponent(teamId)}`, `team ${teamId}`);
    if (status === 404) return null;
    const parsed = TeamSchema.safeParse(body);
    if (!parsed.success) throw new LookupFailed(`team ${teamId}: unexpected answer`);
    return parsed.data;
  }

  /** Usernames of whoever's shift covers now; the team lead when nobody's does (someone must hear it). */
  private async onCall(teamId: string): Promise<{ usernames: string[]; reason?: string }> {
    const now = (this.opts.now ?? (() => new Date()))();
    const to = new Date(now.getTime() + 1);
    const q = new URLSearchParams({ from: now.toISOString(), to: to.toISOString() });
    const { status, body } = await this.getJson(`${slashless(this.opts.ticketUrl)}/api/v1/teams/${encodeURIComponent(teamId)}/on-call/schedule?${q.toString()}`, `on-call rota of ${teamId}`);
    if (status === 404) return { usernames: [], reason: `team ${teamId} does not exist` };
    const parsed = OnCallSchema.safeParse(body);
    if (!parsed.success) throw new LookupFailed(`on-call rota of ${teamId}: unexpected answer`);
    const covering = parsed.data.items.filter((s) => Date.parse(s.startsAt) <= now.getTime() && now.getTime() < Date.parse(s.endsAt)).map((s) => s.username);
    if (covering.length > 0) return { usernames: covering };
    const team = await this.team(teamId);
    if (team?.leadUsername) {
      this.opts.logger?.warn({ teamId }, 'nobody is on call; paging the team lead instead');
      return { usernames: [team.leadUsername] };
    }
    return { usernames: [], reason: `nobody is on call for ${teamId} and it has no lead` };
  }

  /** Who a target names, as directory entries, or why nobody. */
  private async people(t: EscalationTarget): Promise<{ users: DirectoryUser[]; reason?: string }> {
    switch (t.kind) {
      case 'it_lead':
        return { users: await this.directory({ role: 'it_lead' }) };
      case 'vendor':
        return { users: (await this.directory({ vendorOrg: t.vendorOrgId })).filter((u) => u.vendorOrg === t.vendorOrgId) };
      case 'user': {
        // Policies and assignments name a person by Keycloak id; a hand-written policy may use the username.
        const byId = await this.directory({ id: [t.userId] });
        return { users: byId.length > 0 ? byId : await this.directory({ username: [t.userId] }) };
      }
      case 'team': {
        const team = await this.team(t.teamId);
        if (!team) return { users: [], reason: `team ${t.teamId} does not exist` };
        // Members marked unavailable (leave, sickness) are not paged; a team with nobody available pages its lead.
        const available = team.members.filter((m) => m.available).map((m) => m.username);
        const usernames = available.length > 0 ? available : team.leadUsername ? [team.leadUsername] : [];
        return { users: await this.directory({ username: usernames }) };
      }
      case 'on_call': {
        const { usernames, reason } = await this.onCall(t.teamId);
        return { users: await this.directory({ username: usernames }), ...(reason ? { reason } : {}) };
      }
    }
  }

  async teamLeads(teamIds: string[]): Promise<Recipient[]> {
    const leads: string[] = [];
    for (const id of new Set(teamIds)) {
      const team = await this.team(id);
      if (team?.leadUsername && !leads.includes(team.leadUsername)) leads.push(team.leadUsername);
    }
    if (leads.length === 0) return [];
    return (await this.directory({ username: leads })).filter((u) => u.enabled !== false).map((u) => toRecipient(u));
  }

  async resolve(targets: EscalationTarget[]): Promise<Resolution> {
    const byId = new Map<string, Recipient>();
    const unresolved: Resolution['unresolved'] = [];
    for (const t of targets) {
      const { users, reason } = await this.people(t);
      const enabled = users.filter((u) => u.enabled !== false);
      if (enabled.length === 0) {
        unresolved.push({ target: t, reason: reason ?? `${describeTarget(t)} names nobody (enabled) in the directory` });
        continue;
      }
      for (const u of enabled) {
        if (byId.has(u.id)) continue;
        byId.set(u.id, toRecipient(u, t.kind === 'vendor' ? t.vendorOrgId : undefined));
      }
    }
    return { recipients: [...byId.values()], unresolved };
  }
}

function toRecipient(u: DirectoryUser, targetVendorOrg?: string): Recipient {
  const c = u.contacts ?? {};
  // Vendor by role or by organisation: either way they get the minimal content and a signed link.
  const isVendor = Boolean(u.vendorOrg) || (u.roles ?? []).includes('vendor');
  const vendorOrgId = targetVendorOrg ?? u.vendorOrg ?? undefined;
  return {
    userId: u.id,
    username: u.username,
    displayName: u.displayName ?? u.username,
    ...(c.email ? { email: c.email } : {}),
    ...(c.mobile ? { mobile: c.mobile } : {}),
    ...(c.slackHandle ? { slackHandle: c.slackHandle } : {}),
    ...(c.teamsHandle ? { teamsHandle: c.teamsHandle } : {}),
    ...(u.quietHours ? { quietHours: u.quietHours } : {}),
    // A channel this service does not know (a newer identity service) is ignored, not fatal.
    ...(u.preferredChannels?.length ? { preferredChannels: u.preferredChannels.flatMap((ch) => (NotificationChannelSchema.safeParse(ch).success ? [ch as NotificationChannel] : [])) } : {}),
    isVendor,
    ...(isVendor && vendorOrgId ? { vendorOrgId } : {}),
  };
}

export function describeTarget(t: EscalationTarget): string {
  switch (t.kind) {
    case 'team':
    case 'on_call':
      return `${t.kind} ${t.teamId}`;
    case 'vendor':
      return `vendor ${t.vendorOrgId}`;
    case 'user':
      return `user ${t.userId}`;
    case 'it_lead':
      return 'it_lead';
  }
}
