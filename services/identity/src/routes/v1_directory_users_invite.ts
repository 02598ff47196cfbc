import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { InviteUserSchema, type InviteUser } from '@tierline/contracts';
import { AppError } from '@tierline/platform';
import type { Context } from 'hono';
import type { IdentityAppEnv } from '../deps.js';
import { findUser, upsertUsers, type DirectoryUser } from '../directory.js';
import { DirectoryUserSchema } from './v1_directory_users_list.js';
import { MFA_ROLES, authErrorResponses, badRequestResponse, conflictResponse, publishIdentityEvent, requireAdminFor, requireUserManager, sendEnrolmentLink } from './common.js';

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

/**
 * Creates the account and e-mails its enrolment link: the one way a person joins, whether an IT
 * lead or admin invites them or an admin adds a vendor organisation's person. The person sets
 * their own password, and anyone whose role needs a second factor enrols one, through the
 * e-mailed link: the account has no password before, and the realm refuses a login that needs a
 * factor and has none.
 */
export async function inviteUser(c: Context<IdentityAppEnv>, body: InviteUser): Promise<DirectoryUser> {
  const { kc, sql } = c.get('deps');
  const requiredActions = ['UPDATE_PASSWORD', ...(body.roles.some((r) => MFA_ROLES.includes(r)) ? ['CONFIGURE_TOTP'] : [])];
  const id = await kc.createUser({ ...body, requiredActions });
  const created = await kc.getUser(id);
  if (!created) throw new AppError('UNAVAILABLE', 'Keycloak lost the user it just created');
  await upsertUsers(sql, [created]);
  await publishIdentityEvent(c, 'identity.user_invited', { userId: id, username: created.username, roles: created.roles, sites: created.sites, vendorOrg: created.vendorOrg, requiredActions });
  await sendEnrolmentLink(c, created, requiredActions, { endSessions: false, reason: 'invited' });
  return (await findUser(sql, id))!;
}

export function registerInviteUser(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openapi(inviteUserRoute, async (c) => {
    const actor = c.get('actor');
    requireUserManager(actor);
    const body = c.req.valid('json');
    requireAdminFor(actor, body.roles);
    return c.json(await inviteUser(c, body), 201);
  });
}
