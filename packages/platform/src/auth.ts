import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { createMiddleware } from 'hono/factory';
import { ROLES, type Role } from '@tierline/contracts';
import { AppError } from './errors.js';

/** The signed-in person, as every Tierline service sees them after token verification. */
export interface Actor {
  id: string;
  username: string;
  roles: Role[];
  /** Site ids from groups `/sites/<id>`. */
  sites: string[];
  /** Vendor organisation id from group `/vendors/<id>`, if any. */
  vendorOrg: string | null;
  /** The highest-privilege role, used when an event needs one role to name. */
  primaryRole: Role;
  isServiceAccount: boolean;
  /** For a service account, the Keycloak client it belongs to (e.g. `tierline-notification`); else null. */
  serviceClient: string | null;
  /** When the verified token expires (ms since the epoch, its `exp`); absent for actors not made from a token. */
  tokenExpiresAt?: number;
}

export interface TokenVerifierOptions {
  /** Exact `iss` expected, e.g. http://localhost:8180/realms/tierline. */
  issuer: string;
  /** Where to fetch the realm's signing keys; may be an internal address. */
  jwksUrl: string;
  /** This service's audience, e.g. tierline-ticket. */
  audience: string;
  /** Injected key set, for tests that sign their own tokens. */
  keySet?: JWTVerifyGetKey;
  /**
   * Consulted after a token verified, with its subject and `iat`: true means the account was
   * disabled, or its sessions were ended by an IT lead, since the token was issued, so the token is
   * refused (401 'access token revoked') although unexpired. See createRevocationWatcher
   * (revocation.ts) for the shared implementation.
   */
  isRevoked?: (sub: string, issuedAt?: number) => boolean | Promise<boolean>;
}

const ROLE_RANK: Role[] = ['admin', 'it_lead', 'it_agent', 'auditor', 'vendor', 'clinic_staff'];

export function actorFromClaims(payload: JWTPayload): Actor {
  const realmAccess = payload['realm_access'] as { roles?: unknown } | undefined;
  const rawRoles = Array.isArray(realmAccess?.roles) ? (realmAccess.roles as unknown[]) : [];
  const roles = rawRoles.filter((r): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r));
  const groups = Array.isArray(payload['groups']) ? (payload['groups'] as unknown[]).filter((g) => typeof g === 'string') : [];
  const sites = (groups).filter((g) => g.startsWith('/sites/')).map((g) => g.slice('/sites/'.length));
  const vendor = (groups).find((g) => g.startsWith('/vendors/'));
  const username = typeof payload['preferred_username'] === 'string' ? payload['preferred_username'] : '';
  const primaryRole = ROLE_RANK.find((r) => roles.includes(r)) ?? 'clinic_staff';
  // Keycloak puts `client_id` on client-credentials tokens; the username prefix covers tokens
  // without the profile scope's claims.
  const clientIdClaim = typeof payload['client_id'] === 'string' ? payload['client_id'] : null;
  const isServiceAccount = clientIdClaim !== null || username.startsWith('service-account-');
  const serviceClient = isServiceAccount
    ? (clientIdClaim ?? (typeof payload['azp'] === 'string' ? payload['azp'] : username.slice('service-account-'.length)))
    : null;
  return {
    id: payload.sub ?? '',
    username,
    roles,
    sites,
    vendorOrg: vendor ? vendor.slice('/vendors/'.length) : null,
    primaryRole,
    isServiceAccount,
    serviceClient,
    ...(typeof payload.exp === 'number' ? { tokenExpiresAt: payload.exp * 1000 } : {}),
  };
}

/**
 * Verifies Keycloak access tokens locally: signature against the realm JWKS (refetched when an
 * unknown key id appears, so key rotation needs no restart), issuer, audience, expiry, and the
 * algorithm pinned to RS256 so `alg: none` or an HMAC downgrade can never pass.
 */
export function createTokenVerifier(opts: TokenVerifierOptions) {
  const keySet = opts.keySet ?? createRemoteJWKSet(new URL(opts.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
  return async function verify(token: string): Promise<Actor> {
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer: opts.issuer,
        audience: opts.audience,
        algorithms: ['RS256'],
        clockTolerance: 5,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      if (payload['typ'] !== undefined && payload['typ'] !== 'Bearer') {
        throw new AppError('UNAUTHORIZED', 'not an access token');
      }
      if (opts.isRevoked && (await opts.isRevoked(payload.sub!, payload.iat))) throw new AppError('UNAUTHORIZED', 'access token revoked (account disabled or signed out by an IT lead)');
      return actorFromClaims(payload);
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new AppError('UNAUTHORIZED', 'access token expired');
      if (err instanceof joseErrors.JWTClaimValidationFailed) {
        throw new AppError('UNAUTHORIZED', `access token rejected: ${err.claim} claim invalid`);
      }
      if (err instanceof joseErrors.JOSEError) throw new AppError('UNAUTHORIZED', 'access token rejected: invalid signature or format');
      throw new AppError('UNAVAILABLE', 'cannot verify access tokens right now');
    }
  };
}

export type TokenVerifier = ReturnType<typeof createTokenVerifier>;

/** The token of an `Authorization: Bearer <token>` header (any whitespace after the scheme), or null. */
export function bearerToken(header: string | undefined): string | null {
  return header?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? null;
}

/**
 * Requires a valid bearer token and puts the actor on the context as `actor`. Typed by the app it
 * runs in (AppEnv), so a service calls it from its own middleware without a cast.
 */
export function requireAuth<E extends { Variables: { actor: Actor } } = { Variables: { actor: Actor } }>(verify: TokenVerifier) {
  return createMiddleware<E>(async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new AppError('UNAUTHORIZED', 'missing bearer token');
    c.set('actor', await verify(token));
    await next();
  });
}

export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return roles.some((r) => actor.roles.includes(r));
}
