import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { RoleSchema } from '@tierline/contracts';
import { AppError } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { findUser, upsertUsers } from '../directory.js';
import { DirectoryUserSchema } from './v1_directory_users_list.js';
import { MFA_ROLES, authErrorResponses, badRequestResponse, conflictResponse, publishIdentityEvent, requireAdminFor, requireUserManager, sendEnrolmentLink } from './common.js';

const groupId = z.string().regex(/^[a-z][a-z0-9_-]*$/);

export const InviteUserSchema = z
  .object({
    username: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'lower-case letters, digits, dot, dash, underscore; 3-64 characters'),
    email: z.email(),
    firstName: z.string().min(1).max(100),
    lastName: z.string().min(1).max(100),
    roles: z.array(RoleSchema).min(1),
    sites: z.array(groupId).default([]),
    vendorOrg: groupId.nullable().default(null),
  })
  .refine((u) => !u.roles.includes('vendor') || u.vendorOrg !== null, { path: ['vendorOrg'], message: 'a vendor needs a vendor organisation' })
  .openapi('InviteUser');
export type InviteUser = z.infer<typeof InviteUserSchema>;

export const inviteUserRoute = createRoute({
  method: 'post',
  path: '/api/v1/directory/users',
  tags: ['Directory'],
  summary: 'Invite a user (IT lead or admin): creates the Keycloak account and e-mails the single-use link that sets the password (and enrols the second factor the role needs)',
  security: [{ bearerAuth: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: InviteUserSchema } } } },
  responses: {
    201: { description: 'The new user', content: { 'application/json': { schema: DirectoryUserSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...conflictResponse,
  },
});

export function registerInviteUser(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openapi(inviteUserRoute, async (c) => {
    const actor = c.get('actor');
    requireUserManager(actor);
    const body = c.req.valid('json');
    requireAdminFor(actor, body.roles);
    const { kc, sql } = c.get('deps');
    // The person sets their own password, and anyone whose role needs a second factor enrols one,
    // through the e-mailed link: the account has no password before, and the realm refuses a
    // login that needs a factor and has none.
    const requiredActions = ['UPDATE_PASSWORD', ...(body.roles.some((r) => MFA_ROLES.includes(r)) ? ['CONFIGURE_TOTP'] : [])];
    const id = await kc.createUser({ ...body, requiredActions });
    const created = await kc.getUser(id);
    if (!created) throw new AppError('UNAVAILABLE', 'Keycloak lost the user it just created');
    await upsertUsers(sql, [created]);
    await publishIdentityEvent(c, 'identity.user_invited', { userId: id, username: created.username, roles: created.roles, requiredActions });
    await sendEnrolmentLink(c, created, requiredActions, { endSessions: false, reason: 'invited' });
    return c.json((await findUser(sql, id))!, 201);
  });
}
