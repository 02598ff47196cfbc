import { AppError } from '@tierline/platform';
import { ROLES, type Role } from '@tierline/contracts';
import { serviceAccountTokens } from './service-token.js';

/**
 * The slice of Keycloak's admin REST API the identity service uses, called with its own
 * service account (client credentials of tierline-identity, which holds realm-management's
 * view-users, manage-users, query-users, query-groups and view-events in the realm file).
 */
export interface DirectoryEntry {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  /** Keycloak's `emailVerified`: the person proved the address is theirs (or IT or the identity provider vouched for it). */
  emailVerified: boolean;
  roles: Role[];
  sites: string[];
  vendorOrg: string | null;
  enabled: boolean;
}

export interface NewUser {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  roles: Role[];
  sites: string[];
  vendorOrg: string | null;
  requiredActions: string[];
}

/** A user as getUser sees it: the directory entry, and the client whose service account it is, if any. */
export interface KeycloakUser extends DirectoryEntry {
  serviceAccountClientId: string | null;
}

/** One stored Keycloak event (GET /admin/realms/{realm}/events), as far as Tierline reads it. */
export interface KeycloakEvent {
  id: string;
  time: number;
  type: string;
  clientId?: string;
  userId?: string;
  ipAddress?: string;
  error?: string;
  details?: Record<string, string>;
}

export interface KeycloakAdmin {
  listDirectory(): Promise<DirectoryEntry[]>;
  getUser(id: string): Promise<KeycloakUser | null>;
  /** The user's credentials (id and type: `password`, `otp`, `webauthn`, …). */
  credentials(id: string): Promise<{ id: string; type: string }[]>;
  removeCredential(id: string, credentialId: string): Promise<void>;
  /**
   * Keycloak's execute-actions e-mail: a single-use link, valid `lifespanSeconds`, that runs the
   * given required actions (e.g. CONFIGURE_TOTP) without a login; the token is the proof.
   */
  sendActionsEmail(id: string, actions: string[], lifespanSeconds: number): Promise<void>;
  /** Login events, newest first, one page. */
  listEvents(first: number, max: number): Promise<KeycloakEvent[]>;
  createUser(user: NewUser): Promise<string>;
  setEnabled(id: string, enabled: boolean): Promise<void>;
  logout(id: string): Promise<void>;
  setRoles(id: string, roles: Role[]): Promise<void>;
  /** Makes the group /sites/<name> or /vendors/<name> if it is not there (idempotent). */
  ensureGroup(parent: 'sites' | 'vendors', name: string): Promise<void>;
  /** Takes the user out of the group at `path` (e.g. /vendors/acme-it); nothing when not a member. */
  leaveGroup(id: string, path: string): Promise<void>;
}

interface KcUser {
  id: string;
  username: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  emailVerified?: boolean;
  enabled: boolean;
  serviceAccountClientId?: string;
}
interface KcGroup {
  id: string;
  name: string;
  path: string;
  subGroupCount?: number;
}
interface KcRole {
  id: string;
  name: string;
}

const PAGE = 200;

export function createKeycloakAdmin(opts: { baseUrl: string; realm: string; clientId: string; clientSecret: string }): KeycloakAdmin {
  const base = opts.baseUrl.replace(/\/$/, '');
  const admin = `${base}/admin/realms/${encodeURIComponent(opts.realm)}`;
  const accessToken = serviceAccountTokens(opts);

  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T; location: string | null }> {
    let res: Response;
    try {
      res = await fetch(`${admin}${path}`, {
        method,
        headers: { authorization: `Bearer ${await accessToken()}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('UNAVAILABLE', 'Keycloak is unreachable');
    }
    const text = await res.text();
    if (res.status === 404) throw new AppError('NOT_FOUND', `Keycloak: not found (${method} ${path.split('?')[0]})`);
    if (res.status === 409) throw new AppError('CONFLICT', 'a user with this username or email exists already');
    if (res.status === 400 && path.includes('/execute-actions-email')) {
      throw new AppError('BAD_REQUEST', 'Keycloak cannot e-mail this user (no e-mail address, or the account is disabled)');
    }
    if (res.status >= 400) throw new AppError('UNAVAILABLE', `Keycloak admin API answered ${res.status} to ${method} ${path.split('?')[0]}`);
    return { status: res.status, data: (text ? JSON.parse(text) : undefined) as T, location: res.headers.get('location') };
  }

  async function paged<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    const sep = path.includes('?') ? '&' : '?';
    for (let first = 0; ; first += PAGE) {
      const { data } = await call<T[]>('GET', `${path}${sep}first=${first}&max=${PAGE}`);
      out.push(...data);
      if (data.length < PAGE) return out;
    }
  }

  /** Site and vendor groups: children of /sites and /vendors, by path. */
  async function tierlineGroups(): Promise<KcGroup[]> {
    const tops = await paged<KcGroup>('/groups?briefRepresentation=true');
    const out: KcGroup[] = [];
    for (const top of tops.filter((g) => g.path === '/sites' || g.path === '/vendors')) {
      out.push(...(await paged<KcGroup>(`/groups/${top.id}/children?briefRepresentation=true`)));
    }
    return out;
  }

  const entry = (u: KcUser, roles: Role[], groups: string[]): DirectoryEntry => {
    const vendor = groups.find((g) => g.startsWith('/vendors/'));
    return {
      id: u.id,
      username: u.username,
      displayName: [u.firstName, u.lastName].filter(Boolean).join(' ') || u.username,
      email: u.email ?? null,
      emailVerified: u.emailVerified === true,
      roles,
      sites: groups.filter((g) => g.startsWith('/sites/')).map((g) => g.slice('/sites/'.length)).sort(),
      vendorOrg: vendor ? vendor.slice('/vendors/'.length) : null,
      enabled: u.enabled,
    };
  };

  async function describe(u: KcUser): Promise<DirectoryEntry> {
    const { data: mapped } = await call<KcRole[]>('GET', `/users/${encodeURIComponent(u.id)}/role-mappings/realm`);
    const { data: groups } = await call<KcGroup[]>('GET', `/users/${encodeURIComponent(u.id)}/groups?briefRepresentation=true`);
    const roles = mapped.map((r) => r.name).filter((n): n is Role => (ROLES as readonly string[]).includes(n)).sort();
    return entry(u, roles, groups.map((g) => g.path));
  }

  /** The top-level group /sites or /vendors, made if the realm lacks it. */
  async function topGroup(parent: 'sites' | 'vendors'): Promise<KcGroup> {
    const find = async () => (await paged<KcGroup>('/groups?briefRepresentation=true')).find((g) => g.path === `/${parent}`);
    const found = await find();
    if (found) return found;
    await call('POST', '/groups', { name: parent }).catch((err: unknown) => {
      if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err;
    });
    const made = await find();
    if (!made) throw new AppError('UNAVAILABLE', `Keycloak has no group /${parent}`);
    return made;
  }

  return {
    async ensureGroup(parent, name) {
      const top = await topGroup(parent);
      const children = await paged<KcGroup>(`/groups/${top.id}/children?briefRepresentation=true`);
      if (children.some((g) => g.name === name)) return;
      // Two admins at once: the second POST answers 409, and the group is there either way.
      await call('POST', `/groups/${top.id}/children`, { name }).catch((err: unknown) => {
        if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err;
      });
    },
    async leaveGroup(id, path) {
      const { data: groups } = await call<KcGroup[]>('GET', `/users/${encodeURIComponent(id)}/groups?briefRepresentation=true`);
      const group = groups.find((g) => g.path === path);
      if (group) await call('DELETE', `/users/${encodeURIComponent(id)}/groups/${group.id}`);
    },
    // Two calls per user (role mappings, groups): the service account needs only view-users, not
    // view-realm. Fine for a clinic-sized realm; a few requests run at once.
    async listDirectory() {
      const users = (await paged<KcUser>('/users?briefRepresentation=true')).filter((u) => !u.serviceAccountClientId && !u.username.startsWith('service-account-'));
      const out: DirectoryEntry[] = [];
      for (let i = 0; i < users.length; i += 8) {
        const batch = await Promise.all(users.slice(i, i + 8).map((u) => describe(u)));
        out.push(...batch);
      }
      return out;
    },
    async getUser(id) {
      try {
        const { data: u } = await call<KcUser>('GET', `/users/${encodeURIComponent(id)}`);
        const serviceAccountClientId = u.serviceAccountClientId ?? (u.username.startsWith('service-account-') ? u.username.slice('service-account-'.length) : null);
        return { ...(await describe(u)), serviceAccountClientId };
      } catch (err) {
        if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
        throw err;
      }
    },
    async createUser(user) {
      const groups = [...user.sites.map((s) => `/sites/${s}`), ...(user.vendorOrg ? [`/vendors/${user.vendorOrg}`] : [])];
      const known = new Set((await tierlineGroups()).map((g) => g.path));
      const unknown = groups.filter((g) => !known.has(g));
      if (unknown.length) throw new AppError('BAD_REQUEST', `no such site or vendor group: ${unknown.join(', ')}`);
      const res = await call<undefined>('POST', '/users', {
        username: user.username,
        email: user.email,
        firstName: user.firstName,
        lastName: user.lastName,
        enabled: true,
        emailVerified: false,
        requiredActions: user.requiredActions,
        groups,
      });
      const id = res.location?.split('/').pop();
      if (!id) throw new AppError('UNAVAILABLE', 'Keycloak created the user but did not say its id');
      await this.setRoles(id, user.roles);
      return id;
    },
    async credentials(id) {
      const { data } = await call<{ id: string; type: string }[]>('GET', `/users/${encodeURIComponent(id)}/credentials`);
      return data.map((c) => ({ id: c.id, type: c.type }));
    },
    async removeCredential(id, credentialId) {
      await call('DELETE', `/users/${encodeURIComponent(id)}/credentials/${encodeURIComponent(credentialId)}`);
    },
    async sendActionsEmail(id, actions, lifespanSeconds) {
      await call('PUT', `/users/${encodeURIComponent(id)}/execute-actions-email?lifespan=${lifespanSeconds}`, actions);
    },
    async listEvents(first, max) {
      const { data } = await call<KeycloakEvent[]>('GET', `/events?first=${first}&max=${max}`);
      return data;
    },
    async setEnabled(id, enabled) {
      await call('PUT', `/users/${encodeURIComponent(id)}`, { enabled });
    },
    async logout(id) {
      await call('POST', `/users/${encodeURIComponent(id)}/logout`);
    },
    async setRoles(id, wanted) {
      const { data: available } = await call<KcRole[]>('GET', `/users/${encodeURIComponent(id)}/role-mappings/realm/available`);
      const { data: current } = await call<KcRole[]>('GET', `/users/${encodeURIComponent(id)}/role-mappings/realm`);
      const have = current.filter((r) => (ROLES as readonly string[]).includes(r.name));
      const add = available.filter((r) => wanted.includes(r.name as Role));
      const remove = have.filter((h) => !wanted.includes(h.name as Role));
      if (add.length) await call('POST', `/users/${encodeURIComponent(id)}/role-mappings/realm`, add);
      if (remove.length) await call('DELETE', `/users/${encodeURIComponent(id)}/role-mappings/realm`, remove);
    },
  };
}
