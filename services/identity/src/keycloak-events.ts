import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { EVENT_SCHEMA_VERSION, ROLES, type EventEnvelope, type Role } from '@tierline/contracts';
import { publishEvent, type JetStreamClient, type Logger, type Sql } from '@tierline/platform';
import type { KeycloakAdmin, KeycloakEvent } from './keycloak-admin.js';

/**
 * Keycloak's login events into the audit log (decision 19). Keycloak stores the realm's events
 * (`eventsEnabled` in the realm); this reads them through the admin API and publishes each as an
 * identity event, which the audit service records like any other. Data are ids and codes only,
 * never free text: a failed login's typed username becomes the user's id when it names a user
 * of the directory, and is dropped otherwise.
 *
 * Nothing lost: a round reads back to a few minutes before the newest event it published (an
 * event may be stored after a newer one), and an event counts as done only once its publish was
 * acknowledged. Nothing doubled: done ids are kept in the database, and the Keycloak event id is
 * the envelope's id, so a publish repeated after a crash (or by a second replica) is dropped by
 * JetStream's duplicate window and by the audit log's unique event id.
 */
export const KEYCLOAK_EVENT_TYPES: Readonly<Record<string, string>> = {
  LOGIN: 'identity.login_succeeded',
  LOGIN_ERROR: 'identity.login_failed',
  UPDATE_TOTP: 'identity.credential_changed',
  UPDATE_TOTP_ERROR: 'identity.credential_changed',
  REMOVE_TOTP: 'identity.credential_changed',
  REMOVE_TOTP_ERROR: 'identity.credential_changed',
  UPDATE_CREDENTIAL: 'identity.credential_changed',
  UPDATE_CREDENTIAL_ERROR: 'identity.credential_changed',
  REMOVE_CREDENTIAL: 'identity.credential_changed',
  REMOVE_CREDENTIAL_ERROR: 'identity.credential_changed',
  EXECUTE_ACTION_TOKEN: 'identity.action_link_used',
  EXECUTE_ACTION_TOKEN_ERROR: 'identity.action_link_used',
};

/** How far back of the newest published event each round reads again. */
const LOOKBACK_MS = 5 * 60_000;
const PAGE = 100;
const ROLE_RANK: Role[] = ['admin', 'it_lead', 'it_agent', 'auditor', 'vendor', 'clinic_staff'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const code = (v: string | undefined, re: RegExp): string | null => (v !== undefined && re.test(v) ? v : null);

/** The envelope id: Keycloak's event id (a UUID), or a UUID-shaped hash of it. */
function envelopeId(kcId: string): string {
  if (UUID.test(kcId)) return kcId.toLowerCase();
  const h = createHash('sha256').update(`keycloak-event:${kcId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

interface KnownUser {
  id: string;
  roles: string[];
}

export function keycloakEventEnvelope(e: KeycloakEvent, byId: Map<string, KnownUser>, byUsername: Map<string, KnownUser>): EventEnvelope | null {
  const type = KEYCLOAK_EVENT_TYPES[e.type];
  if (!type) return null;
  const user = (e.userId ? (byId.get(e.userId) ?? { id: e.userId, roles: [] }) : undefined) ?? (e.details?.['username'] ? byUsername.get(e.details['username'].toLowerCase()) : undefined);
  const role = ROLE_RANK.find((r) => user?.roles.includes(r));
  return {
    id: envelopeId(e.id),
    type,
    occurredAt: new Date(e.time).toISOString(),
    actor: user && role && (ROLES as readonly string[]).includes(role) ? { kind: 'user', id: user.id, role } : { kind: 'system', id: 'keycloak' },
    data: {
      keycloakEventId: e.id,
      keycloakType: e.type,
      userId: user?.id ?? null,
      clientId: code(e.clientId, /^[A-Za-z0-9._-]{1,100}$/),
      ipAddress: e.ipAddress && isIP(e.ipAddress) ? e.ipAddress : null,
      error: code(e.error, /^[a-z_]{1,64}$/),
      credentialType: code(e.details?.['credential_type'], /^[a-z0-9_-]{1,40}$/),
    },
    schemaVersion: EVENT_SCHEMA_VERSION,
  };
}

/** One round: publishes every stored Keycloak event of the types above that was not published yet. */
export async function pollKeycloakEvents(deps: { sql: Sql; kc: KeycloakAdmin; js: JetStreamClient }): Promise<{ published: number }> {
  const { sql, kc, js } = deps;
  const [last] = await sql<{ max: Date | null }[]>`select max(time) as max from keycloak_events_published`;
  const since = last?.max ? last.max.getTime() - LOOKBACK_MS : 0;
  const fresh: KeycloakEvent[] = [];
  for (let first = 0; ; first += PAGE) {
    const page = await kc.listEvents(first, PAGE);
    fresh.push(...page.filter((e) => e.time >= since && KEYCLOAK_EVENT_TYPES[e.type]));
    if (page.length < PAGE || page.some((e) => e.time < since)) break;
  }
  if (!fresh.length) return { published: 0 };
  const done = new Set((await sql<{ id: string }[]>`select id::text from keycloak_events_published where id = any(${fresh.map((e) => envelopeId(e.id))}::uuid[])`).map((r) => r.id));
  const todo = fresh.filter((e) => !done.has(envelopeId(e.id))).sort((a, b) => a.time - b.time);
  if (!todo.length) return { published: 0 };
  const users = await sql<{ id: string; username: string; roles: string[] }[]>`select id, username, roles from users`;
  const byId = new Map(users.map((u) => [u.id, u]));
  const byUsername = new Map(users.map((u) => [u.username.toLowerCase(), u]));
  let published = 0;
  for (const e of todo) {
    const envelope = keycloakEventEnvelope(e, byId, byUsername);
    if (!envelope) continue;
    await publishEvent(js, envelope);
    await sql`insert into keycloak_events_published (id, time) values (${envelope.id}, ${new Date(e.time)}) on conflict (id) do nothing`;
    published++;
  }
  // Ids older than what any round reads again are no longer needed.
  await sql`delete from keycloak_events_published where time < (select max(time) from keycloak_events_published) - interval '1 day'`;
  return { published };
}

/**
 * A round now and every `intervalMs` (0: none); a failed round is logged and retried next time;
 * rounds never overlap. `stop()` starts no further round and resolves once a round in flight has
 * finished, so the service closes its database and NATS connections only after the round's last
 * publish and its record of it.
 */
export function startKeycloakEventPoller(deps: { sql: Sql; kc: KeycloakAdmin; js: JetStreamClient; logger: Logger; intervalMs: number }): {
  stop: () => Promise<void>;
  round: () => Promise<void>;
} {
  let running: Promise<void> | null = null;
  let stopped = false;
  const round = () => {
    if (stopped) return running ?? Promise.resolve();
    running ??= pollKeycloakEvents(deps)
      .then((r) => {
        if (r.published) deps.logger.info(r, 'Keycloak login events published');
      })
      .catch((err: unknown) => deps.logger.warn({ err }, 'reading Keycloak login events failed; will retry'))
      .finally(() => (running = null));
    return running;
  };
  const timer = deps.intervalMs > 0 ? setInterval(() => void round(), deps.intervalMs) : null;
  timer?.unref();
  if (timer) void round();
  const stop = async () => {
    stopped = true;
    if (timer) clearInterval(timer);
    await running;
  };
  return { stop, round };
}
