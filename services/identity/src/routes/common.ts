import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { EVENT_SCHEMA_VERSION, type Role } from '@tierline/contracts';
import { AppError, hasRole, publishEvent, revokeTokensIssuedBefore, type Actor, errorResponse } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import type { KeycloakUser } from '../keycloak-admin.js';

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

/** Roles that must pass a second factor (they include `mfa_required` in the realm). */
export const MFA_ROLES: readonly Role[] = ['it_agent', 'it_lead', 'vendor', 'auditor', 'admin'];

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

/** Publishes one audited directory event. Data carries ids and usernames only, never contact details. */
export async function publishIdentityEvent(c: Context<IdentityAppEnv>, type: string, data: Record<string, unknown>): Promise<void> {
  const actor = c.get('actor');
  await publishEvent(c.get('deps').js, {
    id: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    actor: { kind: 'user', id: actor.id, role: actor.primaryRole },
    data,
    schemaVersion: EVENT_SCHEMA_VERSION,
  });
}
