import { z } from '@hono/zod-openapi';
import { TimeZoneSchema } from './policy.js';
import { RoleSchema, type Role } from './roles.js';

/**
 * The admin's directory bodies: the identity service's sites, vendor organisations, invitations
 * and role changes, and the portal's admin forms, one schema for both (docs/decisions/0044).
 */

/**
 * Roles that must pass a second factor (they include `mfa_required` in the realm); a person given
 * one without a factor enrols through the e-mailed link (decision 19). The one list both the
 * identity service and the portal's admin screens read.
 */
export const MFA_ROLES: readonly Role[] = ['it_agent', 'it_lead', 'vendor', 'auditor', 'admin'];
export const needsSecondFactor = (roles: readonly Role[]): boolean => roles.some((r) => MFA_ROLES.includes(r));

/** A site's or vendor organisation's id: it is also the Keycloak group's name (/sites/<id>, /vendors/<id>). */
export const PlaceIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, dash or underscore, starting with a letter; up to 64 characters');

/** An IANA time zone this runtime knows (Intl), e.g. America/New_York: the policy's name check, then Intl's. */
export const KnownTimeZoneSchema = TimeZoneSchema.refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone, e.g. America/New_York');

const placeName = z.string().trim().min(1, 'a name is required').max(120);

export const SiteSchema = z
  .object({ id: z.string(), name: z.string(), timeZone: z.string(), createdAt: z.iso.datetime({ offset: true }) })
  .openapi('Site');
export type Site = z.infer<typeof SiteSchema>;
export const CreateSiteSchema = z.object({ id: PlaceIdSchema, name: placeName, timeZone: KnownTimeZoneSchema }).openapi('CreateSite');
export type CreateSite = z.infer<typeof CreateSiteSchema>;
export const UpdateSiteSchema = z
  .object({ name: placeName.optional(), timeZone: KnownTimeZoneSchema.optional() })
  .refine((b) => b.name !== undefined || b.timeZone !== undefined, { message: 'give a name, a time zone or both' })
  .openapi('UpdateSite');
export type UpdateSite = z.infer<typeof UpdateSiteSchema>;

export const VendorOrgSchema = z
  .object({ id: z.string(), name: z.string(), people: z.number().int().nonnegative(), createdAt: z.iso.datetime({ offset: true }) })
  .openapi('VendorOrg');
export type VendorOrg = z.infer<typeof VendorOrgSchema>;
export const CreateVendorOrgSchema = z.object({ id: PlaceIdSchema, name: placeName }).openapi('CreateVendorOrg');
export type CreateVendorOrg = z.infer<typeof CreateVendorOrgSchema>;
export const UpdateVendorOrgSchema = z.object({ name: placeName }).openapi('UpdateVendorOrg');
export type UpdateVendorOrg = z.infer<typeof UpdateVendorOrgSchema>;

const person = {
  username: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'lower-case letters, digits, dot, dash, underscore; 3-64 characters'),
  email: z.email(),
  firstName: z.string().trim().min(1, 'a first name is required').max(100),
  lastName: z.string().trim().min(1, 'a last name is required').max(100),
};

/** POST /api/v1/directory/users. */
export const InviteUserSchema = z
  .object({
    ...person,
    roles: z.array(RoleSchema).min(1, 'choose at least one role'),
    sites: z.array(PlaceIdSchema).default([]),
    vendorOrg: PlaceIdSchema.nullable().default(null),
  })
  .refine((u) => !u.roles.includes('vendor') || u.vendorOrg !== null, { path: ['vendorOrg'], message: 'a vendor needs a vendor organisation' })
  .openapi('InviteUser');
export type InviteUser = z.infer<typeof InviteUserSchema>;

/** POST /api/v1/directory/vendor-orgs/{id}/people: a vendor person of that organisation. */
export const InviteVendorPersonSchema = z.object(person).openapi('InviteVendorPerson');
export type InviteVendorPerson = z.infer<typeof InviteVendorPersonSchema>;

/** PUT /api/v1/directory/users/{id}/roles. */
export const SetRolesSchema = z.object({ roles: z.array(RoleSchema).min(1, 'choose at least one role') }).openapi('SetRoles');
export type SetRoles = z.infer<typeof SetRolesSchema>;
