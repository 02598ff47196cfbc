import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { RoleSchema } from '@tierline/contracts';
import type { IdentityAppEnv } from '../deps.js';
import { authErrorResponses } from './common.js';

export const MeSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    roles: z.array(RoleSchema),
    sites: z.array(z.object({ id: z.string(), name: z.string() })),
    vendorOrg: z.string().nullable(),
  })
  .openapi('Me');
export type Me = z.infer<typeof MeSchema>;

export const meRoute = createRoute({
  method: 'get',
  path: '/api/v1/me',
  tags: ['Identity'],
  summary: 'Who am I: roles, sites and vendor organisation from the verified token',
  security: [{ bearerAuth: [] }],
  responses: { 200: { description: 'The caller', content: { 'application/json': { schema: MeSchema } } }, ...authErrorResponses },
});

export function registerMe(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openapi(meRoute, async (c) => {
    const actor = c.get('actor');
    const { sql } = c.get('deps');
    const rows = actor.sites.length
      ? await sql<{ id: string; name: string }[]>`select id, name from sites where id = any(${actor.sites}) order by name`
      : [];
    // A site in the token that the directory does not know yet is still the caller's site.
    const known = new Map(rows.map((r) => [r.id, r.name]));
    const sites = actor.sites.map((id) => ({ id, name: known.get(id) ?? id }));
    return c.json({ id: actor.id, username: actor.username, roles: actor.roles, sites, vendorOrg: actor.vendorOrg }, 200);
  });
}
