/**
 * The admin's forms bound to the identity service's own body schemas (@tierline/contracts
 * directory.ts): what the browser checks is what the route checks, and the server's field errors
 * land on the same fields (lib/forms.ts).
 */
import {
  CreateSiteSchema,
  CreateVendorOrgSchema,
  InviteUserSchema,
  InviteVendorPersonSchema,
  MFA_ROLES,
  ROLES,
  SetRolesSchema,
  UpdateSiteSchema,
  needsSecondFactor,
  type CreateSite,
  type CreateVendorOrg,
  type InviteUser,
  type InviteVendorPerson,
  type Role,
  type SetRoles,
  type UpdateSite,
} from '@tierline/contracts';
import { bodyResolver } from '../../../lib/forms.js';

export const ROLE_LABELS: Record<Role, string> = {
  clinic_staff: 'Clinic staff',
  it_agent: 'IT agent',
  it_lead: 'IT lead',
  vendor: 'Vendor',
  auditor: 'Auditor',
  admin: 'Administrator',
};
export const ROLE_OPTIONS: { value: Role; label: string; secondFactor: boolean }[] = ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r], secondFactor: MFA_ROLES.includes(r) }));

const text = (v: string) => v.trim();

export interface InviteValues {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  roles: Role[];
  sites: string[];
  /** "" for none. */
  vendorOrg: string;
}
export const EMPTY_INVITE: InviteValues = { username: '', email: '', firstName: '', lastName: '', roles: [], sites: [], vendorOrg: '' };
export type InviteField = keyof InviteValues;
export const INVITE_FIELDS: InviteField[] = ['firstName', 'lastName', 'username', 'email', 'roles', 'sites', 'vendorOrg'];

export function toInviteBody(v: InviteValues): InviteUser {
  return {
    username: text(v.username).toLowerCase(),
    email: text(v.email),
    firstName: text(v.firstName),
    lastName: text(v.lastName),
    roles: v.roles,
    sites: v.sites,
    vendorOrg: v.vendorOrg === '' ? null : v.vendorOrg,
  };
}
export const inviteResolver = bodyResolver(InviteUserSchema, toInviteBody);

/** The form field a server issue's path names (`sites.0` is the sites field). */
export function fieldOfPath<F extends string>(fields: readonly F[]) {
  return (path: string): F | undefined => {
    const head = path.split('.')[0] as F;
    return fields.includes(head) ? head : undefined;
  };
}

/** What the admin is told after an invitation: who gets which e-mail. */
export function inviteNotice(u: { displayName: string; email: string | null; roles: readonly Role[] }): string {
  const steps = needsSecondFactor(u.roles) ? 'set a password and enrol an authenticator app' : 'set a password';
  return `Invited ${u.displayName}. An e-mail to ${u.email ?? 'them'} has a single-use link to ${steps}; they can sign in after that.`;
}

/** What a role change does beyond the roles, for the admin to know before and after saving. */
export function roleChangeNotice(name: string, before: readonly Role[], after: readonly Role[]): string {
  const added = after.filter((r) => !before.includes(r)).map((r) => ROLE_LABELS[r]);
  const removed = before.filter((r) => !after.includes(r)).map((r) => ROLE_LABELS[r]);
  const parts = [added.length ? `added ${added.join(', ')}` : null, removed.length ? `removed ${removed.join(', ')}` : null].filter(Boolean);
  const change = parts.length ? parts.join('; ') : 'roles unchanged';
  if (needsSecondFactor(after) && !needsSecondFactor(before)) {
    return `${name}: ${change}. This role needs a second factor: their sessions ended and an e-mailed link enrols it before they can sign in again.`;
  }
  return `${name}: ${change}. It applies from their next sign-in.`;
}

export interface RolesValues {
  roles: Role[];
}
export const rolesResolver = bodyResolver(SetRolesSchema, (v: RolesValues): SetRoles => ({ roles: v.roles }));

export interface SiteValues {
  id: string;
  name: string;
  timeZone: string;
}
export type SiteField = keyof SiteValues;
export const SITE_FIELDS: SiteField[] = ['name', 'id', 'timeZone'];
export const siteResolver = bodyResolver(CreateSiteSchema, (v: SiteValues): CreateSite => ({ id: text(v.id), name: text(v.name), timeZone: v.timeZone }));
/** Editing a site: only what changed is sent. */
export function siteChange(site: { name: string; timeZone: string }, v: Pick<SiteValues, 'name' | 'timeZone'>): UpdateSite {
  return { ...(text(v.name) !== site.name ? { name: text(v.name) } : {}), ...(v.timeZone !== site.timeZone ? { timeZone: v.timeZone } : {}) };
}
export const siteEditResolver = (site: { name: string; timeZone: string }) => bodyResolver(UpdateSiteSchema, (v: Pick<SiteValues, 'name' | 'timeZone'>) => siteChange(site, v));

export interface VendorOrgValues {
  id: string;
  name: string;
}
export const VENDOR_ORG_FIELDS: (keyof VendorOrgValues)[] = ['name', 'id'];
export const vendorOrgResolver = bodyResolver(CreateVendorOrgSchema, (v: VendorOrgValues): CreateVendorOrg => ({ id: text(v.id), name: text(v.name) }));

export type VendorPersonValues = Omit<InviteValues, 'roles' | 'sites' | 'vendorOrg'>;
export const VENDOR_PERSON_FIELDS: (keyof VendorPersonValues)[] = ['firstName', 'lastName', 'username', 'email'];
export const vendorPersonResolver = bodyResolver(
  InviteVendorPersonSchema,
  (v: VendorPersonValues): InviteVendorPerson => ({ username: text(v.username).toLowerCase(), email: text(v.email), firstName: text(v.firstName), lastName: text(v.lastName) }),
);

/** Every IANA time zone the browser knows, the current value first when it knows it not. */
export function timeZones(current?: string): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];
  return current && !all.includes(current) ? [current, ...all] : all;
}
