import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';

/** Served by the portal server from its environment, so the bundle has no baked-in URLs. */
export interface PortalConfig {
  keycloakUrl: string;
  realm: string;
  clientId: string;
}

export async function loadConfig(): Promise<PortalConfig> {
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`could not load configuration (HTTP ${res.status})`);
  return (await res.json()) as PortalConfig;
}

export const CALLBACK_PATH = '/auth/callback';

/**
 * Authorization code + PKCE (S256) on Keycloak's own login page. Tokens live in sessionStorage
 * (gone when the tab closes) and are renewed with the refresh token before they expire.
 */
export function createUserManager(config: PortalConfig): UserManager {
  const origin = window.location.origin;
  return new UserManager({
    authority: `${config.keycloakUrl}/realms/${encodeURIComponent(config.realm)}`,
    client_id: config.clientId,
    redirect_uri: `${origin}${CALLBACK_PATH}`,
    post_logout_redirect_uri: `${origin}/`,
    response_type: 'code',
    scope: 'openid profile email',
    automaticSilentRenew: true,
    monitorSession: false,
    loadUserInfo: false,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
}

const TIERLINE_ROLES = ['clinic_staff', 'it_agent', 'it_lead', 'vendor', 'auditor', 'admin'];

/** Who is signed in, as the portal shows it. Display only: the services verify the token. */
export interface Identity {
  /** The token's subject: the id the services record as the actor (assignee, requester). */
  id: string;
  name: string;
  username: string;
  roles: string[];
  sites: string[];
}

function decodeJwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) return {};
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Roles come from the access token's `realm_access.roles`, sites from `groups` like "/sites/north". */
export function identityOf(user: User): Identity {
  const claims = decodeJwtPayload(user.access_token);
  const realmAccess = claims['realm_access'] as { roles?: unknown } | undefined;
  // Only Tierline's roles: the realm also hands out technical ones (offline_access, mfa_required…).
  const roles = strings(realmAccess?.roles).filter((r) => TIERLINE_ROLES.includes(r));
  const sites = strings(claims['groups'])
    .filter((g) => g.startsWith('/sites/'))
    .map((g) => g.slice('/sites/'.length))
    .filter(Boolean);
  const username = user.profile.preferred_username ?? (typeof claims['preferred_username'] === 'string' ? claims['preferred_username'] : '');
  const name = user.profile.name ?? ([user.profile.given_name, user.profile.family_name].filter(Boolean).join(' ') || username);
  const id = typeof claims['sub'] === 'string' ? claims['sub'] : (user.profile.sub ?? '');
  return { id, name, username, roles, sites };
}

/** IT works the queue; everyone else reports and follows their own tickets. */
export function isIt(identity: Pick<Identity, 'roles'>): boolean {
  return identity.roles.includes('it_agent') || identity.roles.includes('it_lead');
}
