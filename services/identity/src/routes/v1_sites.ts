import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { CreateSiteSchema, PlaceIdSchema, SiteSchema, UpdateSiteSchema } from '@tierline/contracts';
import { AppError, errorResponse, hasRole, type Sql } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { insertSite, listSites, updateSite } from '../places.js';
import { addIdentityEvent, authErrorResponses, badRequestResponse, conflictResponse, requireAdmin } from './common.js';

const params = z.object({ id: PlaceIdSchema.openapi({ param: { name: 'id', in: 'path' } }) });
const siteNotFound = errorResponse(404, 'No such site');

export const listSitesRoute = createRoute({
  method: 'get',
  path: '/api/v1/sites',
  tags: ['Sites'],
  summary: "The clinic's sites (IT and admins): what the portal offers when inviting someone or choosing a site",
  security: [{ bearerAuth: [] }],
  responses: {
    200: { description: 'Sites, by name', content: { 'application/json': { schema: z.object({ sites: z.array(SiteSchema) }) } } },
    ...authErrorResponses,
  },
});

export const createSiteRoute = createRoute({
  method: 'post',
  path: '/api/v1/sites',
  tags: ['Sites'],
  summary: 'Add a site (admin): its row and its Keycloak group /sites/<id>, which people are put into',
  description: 'The time zone must be an IANA zone this runtime knows (400 naming `timeZone` otherwise); an id in use answers 409.',
  security: [{ bearerAuth: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: CreateSiteSchema } } } },
  responses: {
    201: { description: 'The new site', content: { 'application/json': { schema: SiteSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...conflictResponse,
  },
});

export const updateSiteRoute = createRoute({
  method: 'patch',
  path: '/api/v1/sites/{id}',
  tags: ['Sites'],
  summary: "Rename a site or change its time zone (admin); the id, and with it everyone's membership, stays",
  security: [{ bearerAuth: [] }],
  request: { params, body: { required: true, content: { 'application/json': { schema: UpdateSiteSchema } } } },
  responses: {
    200: { description: 'The site as changed', content: { 'application/json': { schema: SiteSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...siteNotFound,
  },
});

export function registerSites(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openapi(listSitesRoute, async (c) => {
    const actor = c.get('actor');
    if (actor.isServiceAccount || !hasRole(actor, 'it_agent', 'it_lead', 'admin')) throw new AppError('FORBIDDEN', 'the list of sites is for IT and admins');
    return c.json({ sites: await listSites(c.get('deps').sql) }, 200);
  });

  app.openapi(createSiteRoute, async (c) => {
    requireAdmin(c.get('actor'));
    const body = c.req.valid('json');
    const { sql, kc } = c.get('deps');
    let publish = async () => {};
    const site = await sql.begin(async (tx) => {
      const created = await insertSite(tx as unknown as Sql, body);
      if (!created) throw new AppError('CONFLICT', `a site with id "${body.id}" exists already`, [{ path: 'id', message: 'in use by another site' }]);
      // In the transaction: when Keycloak fails, no row stays without its group (a group without a
      // row is made again, idempotently, by the next try).
      await kc.ensureGroup('sites', body.id);
      publish = await addIdentityEvent(c, tx as unknown as Sql, 'identity.site_created', { siteId: created.id, timeZone: created.timeZone });
      return created;
    });
    await publish();
    return c.json(site, 201);
  });

  app.openapi(updateSiteRoute, async (c) => {
    requireAdmin(c.get('actor'));
    const { id } = c.req.valid('param');
    const change = c.req.valid('json');
    const { sql } = c.get('deps');
    let publish = async () => {};
    const site = await sql.begin(async (tx) => {
      const done = await updateSite(tx as unknown as Sql, id, change);
      if (!done) throw new AppError('NOT_FOUND', `no site "${id}"`);
      const changed = (['name', 'timeZone'] as const).filter((k) => done.before[k] !== done.after[k]);
      publish = await addIdentityEvent(c, tx as unknown as Sql, 'identity.site_updated', { siteId: id, changed, timeZone: done.after.timeZone });
      return done.after;
    });
    await publish();
    return c.json(site, 200);
  });
}
