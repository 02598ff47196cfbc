import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { RoleSchema } from '@tierline/contracts';
import { AppError } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { findUser, upsertUsers } from '../directory.js';
import { DirectoryUserSchema } from './v1_directory_users_list.js';
import { authErrorResponses, badRequestResponse, notFoundResponse, publishIdentityEvent, requireAdminFor, requireUserManager } from './common.js';

export const SetRolesSchema = z.object({ roles: z.array(RoleSchema).min(1) }).openapi('SetRoles');
export type SetRoles = z.infer<typeof SetRolesSchema>;

export const setUserRolesRoute = createRoute({
  method: 'put',
  path: '/api/v1/directory/users/{id}/roles',
  tags: ['Directory'],
  summary: "Replace a user's Tierline roles (IT lead or admin); takes effect in their next token",
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
    await kc.setRoles(id, roles);
    await upsertUsers(sql, [{ ...user, roles }]);
    await publishIdentityEvent(c, 'identity.roles_changed', { userId: id, username: user.username, before: user.roles, after: roles });
    return c.json((await findUser(sql, id))!, 200);
  });
}
