import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { RoleSchema } from '@tierline/contracts';
import { AppError, hasRole } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { deliveryContacts, listUsers } from '../directory.js';
import { authErrorResponses, badRequestResponse, callerServiceClient } from './common.js';

export const DirectoryUserSchema = z
  .object({
    id: z.string().openapi({ description: 'Keycloak subject id' }),
    username: z.string(),
    displayName: z.string(),
    email: z.string().nullable(),
    emailVerified: z.boolean().openapi({ description: "Keycloak's emailVerified for the account email" }),
    roles: z.array(RoleSchema),
    sites: z.array(z.string()),
    vendorOrg: z.string().nullable(),
    enabled: z.boolean(),
    syncedAt: z.iso.datetime({ offset: true }),
    contacts: z
      .object({ email: z.string().nullable(), mobile: z.string().nullable(), slackHandle: z.string().nullable(), teamsHandle: z.string().nullable() })
      .optional()
      .openapi({ description: 'Only for service readers (notification delivery); people see no one else\'s contacts.' }),
    quietHours: z.object({ start: z.string(), end: z.string(), timeZone: z.string() }).nullable().optional(),
    preferredChannels: z.array(z.string()).optional(),
  })
  .openapi('DirectoryUser');
export type DirectoryUserBody = z.infer<typeof DirectoryUserSchema>;

/**
 * A parameter that may be repeated (`?id=a&id=b`): Hono hands one value as a string and several
 * as an array. Resolving a team's members to contacts is one call this way, not one per person.
 */
const oneOrMany = (item: z.ZodString, what: string) =>
  z
    .union([item, z.array(item).min(1).max(100)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .optional()
    .openapi({ description: `${what}; repeat the parameter for several (up to 100), any of them matches` });

// Unknown parameters are ignored (stripped), so a caller's extra hints do not fail the request.
const QuerySchema = z.object({
  id: oneOrMany(z.string().min(1).max(64), 'Keycloak user id'),
  username: oneOrMany(z.string().min(1).max(255), 'Username'),
  role: RoleSchema.optional(),
  site: z.string().min(1).max(64).optional(),
  vendorOrg: z.string().min(1).max(64).optional(),
  q: z.string().trim().min(1).max(100).optional().openapi({ description: 'Search: part of the username, the name or the account email, any case' }),
  enabled: z.enum(['true', 'false']).transform((v) => v === 'true').optional().openapi({ description: 'Only enabled (true) or disabled (false) accounts' }),
  email: z.string().min(3).max(320).optional().openapi({ description: "The account's email address (from Keycloak, not the contacts a person edits), case-insensitive, and only when Keycloak holds it as verified: who sent a mail" }),
});

export const listDirectoryUsersRoute = createRoute({
  method: 'get',
  path: '/api/v1/directory/users',
  tags: ['Directory'],
  summary: 'The user directory mirrored from Keycloak (IT, admins, and the notification service account)',
  security: [{ bearerAuth: [] }],
  request: { query: QuerySchema },
  responses: {
    200: { description: 'Users, by username', content: { 'application/json': { schema: z.object({ users: z.array(DirectoryUserSchema) }) } } },
    ...badRequestResponse,
    ...authErrorResponses,
  },
});

export function registerListDirectoryUsers(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openapi(listDirectoryUsersRoute, async (c) => {
    const actor = c.get('actor');
    const deps = c.get('deps');
    const client = callerServiceClient(c);
    const allowed = client !== null ? deps.directoryReaderClients.includes(client) : hasRole(actor, 'it_agent', 'it_lead', 'admin');
    if (!allowed) throw new AppError('FORBIDDEN', 'the directory is for IT, admins and the notification service');
    const q = c.req.valid('query');
    const users = await listUsers(deps.sql, { ...q, ids: q.id, usernames: q.username });
    if (client === null) return c.json({ users }, 200);
    const contacts = await deliveryContacts(deps.sql, users);
    return c.json({ users: users.map((u) => ({ ...u, ...contacts.get(u.id)! })) }, 200);
  });
}
