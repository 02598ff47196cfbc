import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError, revokeUser, unrevokeUser } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { findUser, upsertUsers } from '../directory.js';
import { DirectoryUserSchema } from './v1_directory_users_list.js';
import { authErrorResponses, badRequestResponse, conflictResponse, keepingAnAdmin, notFoundResponse, publishIdentityEvent, refuseServiceAccount, requireAdminFor, requireUserManager } from './common.js';

const params = z.object({ id: z.string().min(1).max(64).regex(/^[A-Za-z0-9-]+$/).openapi({ param: { name: 'id', in: 'path' } }) });

export const disableUserRoute = createRoute({
  method: 'post',
  path: '/api/v1/directory/users/{id}/disable',
  tags: ['Directory'],
  summary: 'Disable a user (IT lead or admin): Keycloak account off, sessions ended, unexpired tokens refused by every service',
  description:
    'Keycloak disables the account and logs out its sessions (no refresh). The subject id is put into the JetStream KV bucket ' +
    '`tierline_revoked_users`, which every service watches: tokens already issued are refused with 401 "access token revoked" ' +
    'as soon as the watch delivers the change, typically well under a second. A service account is refused (403); the last enabled admin is refused (409).',
  security: [{ bearerAuth: [] }],
  request: { params },
  responses: {
    200: { description: 'The user, now disabled', content: { 'application/json': { schema: DirectoryUserSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    ...conflictResponse,
  },
});

export const enableUserRoute = createRoute({
  method: 'post',
  path: '/api/v1/directory/users/{id}/enable',
  tags: ['Directory'],
  summary: 'Re-enable a disabled user (IT lead or admin); a service account is refused (403)',
  security: [{ bearerAuth: [] }],
  request: { params },
  responses: {
    200: { description: 'The user, enabled again', content: { 'application/json': { schema: DirectoryUserSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
  },
});

export function registerUserEnabled(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openapi(disableUserRoute, async (c) => {
    const actor = c.get('actor');
    requireUserManager(actor);
    const { id } = c.req.valid('param');
    if (id === actor.id) throw new AppError('BAD_REQUEST', 'you cannot disable your own account');
    const { kc, sql, nc } = c.get('deps');
    const user = await kc.getUser(id);
    if (!user) throw new AppError('NOT_FOUND', `no user ${id}`);
    requireAdminFor(actor, user.roles);
    refuseServiceAccount(user);
    await keepingAnAdmin(c, user, { roles: user.roles, enabled: false }, async () => {
      // Revoke first: from here on no service accepts the user's tokens, even if a Keycloak call below fails.
      await revokeUser(nc, id);
      await kc.setEnabled(id, false);
      await kc.logout(id);
      await upsertUsers(sql, [{ ...user, enabled: false }]);
    });
    await publishIdentityEvent(c, 'identity.user_disabled', { userId: id, username: user.username });
    return c.json((await findUser(sql, id))!, 200);
  });

  app.openapi(enableUserRoute, async (c) => {
    const actor = c.get('actor');
    requireUserManager(actor);
    const { id } = c.req.valid('param');
    const { kc, sql, nc } = c.get('deps');
    const user = await kc.getUser(id);
    if (!user) throw new AppError('NOT_FOUND', `no user ${id}`);
    requireAdminFor(actor, user.roles);
    refuseServiceAccount(user);
    await kc.setEnabled(id, true);
    await unrevokeUser(nc, id);
    await upsertUsers(sql, [{ ...user, enabled: true }]);
    await publishIdentityEvent(c, 'identity.user_enabled', { userId: id, username: user.username });
    return c.json((await findUser(sql, id))!, 200);
  });
}
