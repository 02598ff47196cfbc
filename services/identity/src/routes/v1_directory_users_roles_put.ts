import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { SetRolesSchema } from '@tierline/contracts';
import { AppError } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { findUser, upsertUsers } from '../directory.js';
import { DirectoryUserSchema } from './v1_directory_users_list.js';
import { MFA_ROLES, authErrorResponses, badRequestResponse, conflictResponse, isSecondFactor, keepingAnAdmin, notFoundResponse, publishIdentityEvent, refuseServiceAccount, requireAdminFor, requireUserManager, sendEnrolmentLink } from './common.js';

export const setUserRolesRoute = createRoute({
  method: 'put',
  path: '/api/v1/directory/users/{id}/roles',
  tags: ['Directory'],
  summary: "Replace a user's Tierline roles (IT lead or admin); takes effect in their next token",
  description:
    'When a new role needs a second factor and the user has none (or held no such role before: any factor they have was ' +
    'added with the password alone and is removed), their sessions end, the tokens they hold are refused by ' +
    'every service, and Keycloak e-mails them a single-use enrolment link (CONFIGURE_TOTP); they cannot sign in before ' +
    'enrolling through it. Setting the same roles again sends a new link (with the password step for someone who never set one). A service account is refused (403); a user ' +
    'without an e-mail address who would need the link is refused (400); taking the admin role from the last enabled admin is refused (409).',
  security: [{ bearerAuth: [] }],
  request: {
    params: z.object({ id: z.string().min(1).max(64).regex(/^[A-Za-z0-9-]+$/).openapi({ param: { name: 'id', in: 'path' } }) }),
    body: { required: true, content: { 'application/json': { schema: SetRolesSchema } } },
  },
  responses: {
    200: { description: 'The user with the new roles', content: { 'application/json': { schema: DirectoryUserSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    ...conflictResponse,
  },
});

export function registerSetUserRoles(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openapi(setUserRolesRoute, async (c) => {
    const actor = c.get('actor');
    requireUserManager(actor);
    const { id } = c.req.valid('param');
    const roles = [...new Set(c.req.valid('json').roles)].sort();
    if (id === actor.id) throw new AppError('BAD_REQUEST', 'you cannot change your own roles');
    const { kc, sql } = c.get('deps');
    const user = await kc.getUser(id);
    if (!user) throw new AppError('NOT_FOUND', `no user ${id}`);
    // Both sides: an IT lead may neither make nor unmake an admin.
    requireAdminFor(actor, [...user.roles, ...roles]);
    refuseServiceAccount(user);
    // A role that needs a second factor is used only with a factor enrolled through the e-mailed
    // link. Someone who held no such role could only have added one with their password alone
    // (Keycloak's account console): those factors are removed and enrolment starts over. Someone
    // who never set a password (an invite whose e-mail was lost) gets that step in the link too:
    // setting the same roles again is how a lead re-sends it.
    const needsFactor = roles.some((r) => MFA_ROLES.includes(r));
    const gainsFactorRequirement = needsFactor && !user.roles.some((r) => MFA_ROLES.includes(r));
    const credentials = await kc.credentials(id);
    const selfEnrolled = gainsFactorRequirement ? credentials.filter((cr) => isSecondFactor(cr.type)) : [];
    const enrol = needsFactor && (gainsFactorRequirement || !credentials.some((cr) => isSecondFactor(cr.type)));
    const actions = [...(credentials.some((cr) => cr.type === 'password') ? [] : ['UPDATE_PASSWORD']), ...(enrol ? ['CONFIGURE_TOTP'] : [])];
    if (actions.length && !user.email) throw new AppError('BAD_REQUEST', `${user.username} has no e-mail address for the enrolment link that this role needs; add one in Keycloak first`);
    await keepingAnAdmin(c, user, { roles, enabled: user.enabled }, async () => {
      await kc.setRoles(id, roles);
      for (const cr of selfEnrolled) await kc.removeCredential(id, cr.id);
      await upsertUsers(sql, [{ ...user, roles }]);
    });
    await publishIdentityEvent(c, 'identity.roles_changed', {
      userId: id,
      username: user.username,
      before: user.roles,
      after: roles,
      secondFactorEnrolment: enrol,
      secondFactorsRemoved: selfEnrolled.length,
    });
    if (actions.length) await sendEnrolmentLink(c, { ...user, roles }, actions, { endSessions: enrol, reason: enrol ? 'role_granted' : 'password_not_set' });
    return c.json((await findUser(sql, id))!, 200);
  });
}
