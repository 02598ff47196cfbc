import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { CreateVendorOrgSchema, InviteVendorPersonSchema, PlaceIdSchema, UpdateVendorOrgSchema, VendorOrgSchema } from '@tierline/contracts';
import { AppError, errorResponse, hasRole, revokeTokensIssuedBefore, revokeUser, type Sql } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { listUsers, upsertUsers } from '../directory.js';
import { findVendorOrg, insertVendorOrg, listVendorOrgs, renameVendorOrg } from '../places.js';
import { inviteUser } from './v1_directory_users_invite.js';
import { DirectoryUserSchema } from './v1_directory_users_list.js';
import { addIdentityEvent, authErrorResponses, badRequestResponse, conflictResponse, publishIdentityEvent, refuseServiceAccount, requireAdmin } from './common.js';

const orgParam = PlaceIdSchema.openapi({ param: { name: 'id', in: 'path' } });
const userParam = z.string().min(1).max(64).regex(/^[A-Za-z0-9-]+$/).openapi({ param: { name: 'userId', in: 'path' } });
const orgNotFound = errorResponse(404, 'No such vendor organisation (or no such person in it)');

export const listVendorOrgsRoute = createRoute({
  method: 'get',
  path: '/api/v1/directory/vendor-orgs',
  tags: ['Vendor organisations'],
  summary: 'Vendor organisations and how many people each has (IT and admins)',
  security: [{ bearerAuth: [] }],
  responses: {
    200: { description: 'Organisations, by name', content: { 'application/json': { schema: z.object({ vendorOrgs: z.array(VendorOrgSchema) }) } } },
    ...authErrorResponses,
  },
});

export const createVendorOrgRoute = createRoute({
  method: 'post',
  path: '/api/v1/directory/vendor-orgs',
  tags: ['Vendor organisations'],
  summary: 'Add a vendor organisation (admin): its row and its Keycloak group /vendors/<id>; an id in use answers 409',
  security: [{ bearerAuth: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: CreateVendorOrgSchema } } } },
  responses: {
    201: { description: 'The new organisation', content: { 'application/json': { schema: VendorOrgSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...conflictResponse,
  },
});

export const updateVendorOrgRoute = createRoute({
  method: 'patch',
  path: '/api/v1/directory/vendor-orgs/{id}',
  tags: ['Vendor organisations'],
  summary: 'Rename a vendor organisation (admin); the id and its people stay',
  security: [{ bearerAuth: [] }],
  request: { params: z.object({ id: orgParam }), body: { required: true, content: { 'application/json': { schema: UpdateVendorOrgSchema } } } },
  responses: {
    200: { description: 'The organisation as changed', content: { 'application/json': { schema: VendorOrgSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...orgNotFound,
  },
});

export const listVendorPeopleRoute = createRoute({
  method: 'get',
  path: '/api/v1/directory/vendor-orgs/{id}/people',
  tags: ['Vendor organisations'],
  summary: "A vendor organisation's people (admin), from the directory",
  security: [{ bearerAuth: [] }],
  request: { params: z.object({ id: orgParam }) },
  responses: {
    200: { description: 'Its people, by username', content: { 'application/json': { schema: z.object({ users: z.array(DirectoryUserSchema) }) } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...orgNotFound,
  },
});

export const inviteVendorPersonRoute = createRoute({
  method: 'post',
  path: '/api/v1/directory/vendor-orgs/{id}/people',
  tags: ['Vendor organisations'],
  summary: "Invite a person of this vendor organisation (admin): the vendor role, the organisation's Keycloak group, and the e-mailed link that sets the password and enrols the second factor",
  security: [{ bearerAuth: [] }],
  request: { params: z.object({ id: orgParam }), body: { required: true, content: { 'application/json': { schema: InviteVendorPersonSchema } } } },
  responses: {
    201: { description: 'The new vendor person', content: { 'application/json': { schema: DirectoryUserSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...orgNotFound,
    ...conflictResponse,
  },
});

export const removeVendorPersonRoute = createRoute({
  method: 'delete',
  path: '/api/v1/directory/vendor-orgs/{id}/people/{userId}',
  tags: ['Vendor organisations'],
  summary: 'Remove a person from a vendor organisation (admin)',
  description:
    "The person leaves the organisation's group and loses the vendor role; every token they hold now is refused. Someone left " +
    'with no role at all is disabled as well (a vendor person is nobody without the organisation). 404 when they are not in it.',
  security: [{ bearerAuth: [] }],
  request: { params: z.object({ id: orgParam, userId: userParam }) },
  responses: {
    200: { description: 'The person as they are now', content: { 'application/json': { schema: DirectoryUserSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...orgNotFound,
  },
});

export function registerVendorOrgs(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openapi(listVendorOrgsRoute, async (c) => {
    const actor = c.get('actor');
    if (actor.isServiceAccount || !hasRole(actor, 'it_agent', 'it_lead', 'admin')) throw new AppError('FORBIDDEN', 'the list of vendor organisations is for IT and admins');
    return c.json({ vendorOrgs: await listVendorOrgs(c.get('deps').sql) }, 200);
  });

  app.openapi(createVendorOrgRoute, async (c) => {
    requireAdmin(c.get('actor'));
    const body = c.req.valid('json');
    const { sql, kc } = c.get('deps');
    let publish = async () => {};
    await sql.begin(async (tx) => {
      if (!(await insertVendorOrg(tx as unknown as Sql, body))) {
        throw new AppError('CONFLICT', `a vendor organisation with id "${body.id}" exists already`, [{ path: 'id', message: 'in use by another vendor organisation' }]);
      }
      await kc.ensureGroup('vendors', body.id);
      publish = await addIdentityEvent(c, tx as unknown as Sql, 'identity.vendor_org_created', { vendorOrgId: body.id });
    });
    await publish();
    return c.json((await findVendorOrg(sql, body.id))!, 201);
  });

  app.openapi(updateVendorOrgRoute, async (c) => {
    requireAdmin(c.get('actor'));
    const { id } = c.req.valid('param');
    const { name } = c.req.valid('json');
    const { sql } = c.get('deps');
    let publish = async () => {};
    await sql.begin(async (tx) => {
      if (!(await renameVendorOrg(tx as unknown as Sql, id, name))) throw new AppError('NOT_FOUND', `no vendor organisation "${id}"`);
      publish = await addIdentityEvent(c, tx as unknown as Sql, 'identity.vendor_org_updated', { vendorOrgId: id, changed: ['name'] });
    });
    await publish();
    return c.json((await findVendorOrg(sql, id))!, 200);
  });

  app.openapi(listVendorPeopleRoute, async (c) => {
    requireAdmin(c.get('actor'));
    const { id } = c.req.valid('param');
    const { sql } = c.get('deps');
    if (!(await findVendorOrg(sql, id))) throw new AppError('NOT_FOUND', `no vendor organisation "${id}"`);
    return c.json({ users: await listUsers(sql, { vendorOrg: id }) }, 200);
  });

  app.openapi(inviteVendorPersonRoute, async (c) => {
    requireAdmin(c.get('actor'));
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const { sql, kc } = c.get('deps');
    if (!(await findVendorOrg(sql, id))) throw new AppError('NOT_FOUND', `no vendor organisation "${id}"`);
    // An organisation made before its group existed (a seeded row) gets it now.
    await kc.ensureGroup('vendors', id);
    return c.json(await inviteUser(c, { ...body, roles: ['vendor'], sites: [], vendorOrg: id }), 201);
  });

  app.openapi(removeVendorPersonRoute, async (c) => {
    requireAdmin(c.get('actor'));
    const { id, userId } = c.req.valid('param');
    const { sql, kc, nc } = c.get('deps');
    const user = await kc.getUser(userId);
    if (!user || user.vendorOrg !== id) throw new AppError('NOT_FOUND', `no person ${userId} in vendor organisation "${id}"`);
    refuseServiceAccount(user);
    const roles = user.roles.filter((r) => r !== 'vendor');
    const disable = roles.length === 0;
    // Revoke first: from here on no service accepts what they hold, even if a Keycloak call below fails.
    if (disable) await revokeUser(nc, userId);
    else await revokeTokensIssuedBefore(nc, userId);
    await kc.leaveGroup(userId, `/vendors/${id}`);
    await kc.setRoles(userId, roles);
    if (disable) await kc.setEnabled(userId, false);
    await kc.logout(userId);
    const after = await kc.getUser(userId);
    if (after) await upsertUsers(sql, [after]);
    await publishIdentityEvent(c, 'identity.vendor_person_removed', { vendorOrgId: id, userId, username: user.username, disabled: disable });
    return c.json((await listUsers(sql, { ids: [userId] }))[0]!, 200);
  });
}
