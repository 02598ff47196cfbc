import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { EVENT_SCHEMA_VERSION, type EventEnvelope, type Role } from '@tierline/contracts';
import { AppError, hasRole, revokeTokensIssuedBefore, type Actor, type Sql, errorResponse } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import type { KeycloakUser } from '../keycloak-admin.js';
import { vendorLinkOutbox } from '../vendor-links.js';

export const authErrorResponses = {
  ...errorResponse(401, 'Missing, expired, invalid or revoked access token'),
  ...errorResponse(403, 'Authenticated, but not allowed'),
};
export const badRequestResponse = {
  ...errorResponse(400, 'Invalid request; `details` names each field'),
};
export const notFoundResponse = {
  ...errorResponse(404, 'No such user'),
};
export const conflictResponse = {
  ...errorResponse(409, 'The change conflicts with the current state'),
};

/** Roles that must pass a second factor: the contracts' list, shared with the portal's admin screens. */
export { MFA_ROLES } from '@tierline/contracts';

/**
 * The client whose service account made the call, or null for a person. Service tokens
 * (client credentials) carry `client_id` (the service_account scope); they lack
 * `preferred_username` when the client has no profile scope, so Actor.isServiceAccount alone
 * cannot tell. `azp` names the client either way.
 */
export function callerServiceClient(c: Context<IdentityAppEnv>): string | null {
  const token = c.req.header('authorization')?.replace(/^Bearer\s+/i, '');
  if (!token) return null;
  // The token was verified by requireAuth before any handler runs; this only reads claims from it.
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  const isService = typeof claims['client_id'] === 'string' || c.get('actor').isServiceAccount;
  const azp = claims['azp'] ?? claims['client_id'];
  return isService && typeof azp === 'string' ? azp : null;
}

/** Sites and vendor organisations, and vendor people: admins only. */
export function requireAdmin(actor: Actor): void {
  if (actor.isServiceAccount || !hasRole(actor, 'admin')) throw new AppError('FORBIDDEN', 'only admins manage sites, vendor organisations and their people');
}

/** People who manage accounts: IT leads and admins. */
export function requireUserManager(actor: Actor): void {
  if (actor.isServiceAccount || !hasRole(actor, 'it_lead', 'admin')) throw new AppError('FORBIDDEN', 'only IT leads and admins manage users');
}

/** Only an admin may create, change or disable an admin: an IT lead cannot raise anyone, themselves included, to admin. */
export function requireAdminFor(actor: Actor, roles: readonly Role[]): void {
  if (roles.includes('admin') && !hasRole(actor, 'admin')) throw new AppError('FORBIDDEN', 'only an admin may grant, change or disable the admin role');
}

/**
 * Service accounts (Keycloak's `service-account-<client>` users) are Tierline's own services: an IT
 * lead or admin may not disable, enable or re-role them through the directory API. They are
 * managed in the realm file and the deployment.
 */
export function refuseServiceAccount(user: KeycloakUser): void {
  if (user.serviceAccountClientId) {
    throw new AppError('FORBIDDEN', `${user.username} is the service account of client ${user.serviceAccountClientId}; service accounts are managed in the realm, not through the directory API`);
  }
}

/** Whether a credential type is a second factor (OTP or WebAuthn). */
export const isSecondFactor = (type: string): boolean => type === 'otp' || type.startsWith('webauthn');

/** Default lifetime of an e-mailed enrolment link (IdentityDeps.enrolmentLinkLifespanSeconds). */
export const ENROLMENT_LINK_LIFESPAN_SECONDS = 24 * 3600;

/**
 * The safe path to a second factor (decision 19): Keycloak e-mails the user a single-use, expiring
 * link that runs `actions` (CONFIGURE_TOTP, and UPDATE_PASSWORD for a new account). The password
 * alone never enrols a factor: the realm refuses a login that needs one and has none.
 * When `endSessions`, the user's sessions end and every token they hold now is refused by every
 * service (revocation bucket), so a role that needs a factor is never used without one.
 */
export async function sendEnrolmentLink(
  c: Context<IdentityAppEnv>,
  user: KeycloakUser,
  actions: string[],
  opts: { endSessions: boolean; reason: 'invited' | 'role_granted' | 'password_not_set' },
): Promise<void> {
  const { kc, nc, enrolmentLinkLifespanSeconds } = c.get('deps');
  const lifespan = enrolmentLinkLifespanSeconds ?? ENROLMENT_LINK_LIFESPAN_SECONDS;
  if (opts.endSessions) {
    await kc.logout(user.id);
    // After the logout: a token refreshed in between is older than this mark too. A disabled
    // account's mark refuses every token already; it stays as it is.
    if (user.enabled) await revokeTokensIssuedBefore(nc, user.id);
  }
  await kc.sendActionsEmail(user.id, actions, lifespan);
  await publishIdentityEvent(c, 'identity.enrolment_link_sent', {
    userId: user.id,
    username: user.username,
    actions,
    reason: opts.reason,
    sessionsEnded: opts.endSessions,
    expiresAt: new Date(Date.now() + lifespan * 1000).toISOString(),
  });
}

/**
 * The last admin stays (decision 44). Only an admin may change or disable an admin and nobody
 * their own account, so the last one could go only in a race: two admins removing each other at
 * once, each on a token that still says admin. Removals of an admin take one lock in turn, and
 * each asks Keycloak, not the token or the mirror, whether another enabled admin remains.
 * `run` makes the change while the lock is held.
 */
export async function keepingAnAdmin<T>(c: Context<IdentityAppEnv>, user: KeycloakUser, after: { roles: readonly Role[]; enabled: boolean }, run: () => Promise<T>): Promise<T> {
  const removesAdmin = user.roles.includes('admin') && user.enabled && (!after.roles.includes('admin') || !after.enabled);
  if (!removesAdmin) return run();
  const { sql, kc } = c.get('deps');
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('identity:admin-removal'))`;
    const candidates = await tx<{ id: string }[]>`select id from users where 'admin' = any(roles) and enabled and id <> ${user.id} order by id`;
    let another = false;
    for (const { id } of candidates) {
      const other = await kc.getUser(id);
      if (other?.enabled && other.roles.includes('admin') && !other.serviceAccountClientId) {
        another = true;
        break;
      }
    }
    if (!another) throw new AppError('CONFLICT', `${user.username} is the last enabled admin; make someone else an admin first`);
    return run();
  }) as Promise<T>;
}

/** One directory event (ids, usernames and field names only, never contact details or free text), by the signed-in actor. */
export function identityEvent(c: Context<IdentityAppEnv>, type: string, data: Record<string, unknown>): EventEnvelope {
  const actor = c.get('actor');
  return {
    id: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    actor: { kind: 'user', id: actor.id, role: actor.primaryRole },
    data,
    schemaVersion: EVENT_SCHEMA_VERSION,
  };
}

/**
 * Records one audited directory event through the service's outbox (vendor_link_outbox, named for
 * its first use): written first, then published; what NATS did not take goes out with the next
 * flush. With `tx`, it is written in the caller's transaction and published by `afterCommit`.
 */
export async function publishIdentityEvent(c: Context<IdentityAppEnv>, type: string, data: Record<string, unknown>): Promise<void> {
  const { sql, js, logger } = c.get('deps');
  const event = identityEvent(c, type, data);
  await vendorLinkOutbox.add(sql, event);
  await vendorLinkOutbox.publish(sql, js, event, logger);
}

/** Adds an event to the outbox inside `tx`; call the returned function after the commit to publish it. */
export async function addIdentityEvent(c: Context<IdentityAppEnv>, tx: Sql, type: string, data: Record<string, unknown>): Promise<() => Promise<void>> {
  const { sql, js, logger } = c.get('deps');
  const event = identityEvent(c, type, data);
  await vendorLinkOutbox.add(tx, event);
  return async () => void (await vendorLinkOutbox.publish(sql, js, event, logger));
}
