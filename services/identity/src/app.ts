import type { OpenAPIHono } from '@hono/zod-openapi';
import { createServiceApp, limitOperations, rateLimit, requireAuth, serveOpenApiDocument } from '@tierline/platform';
import type { IdentityAppEnv, IdentityDeps } from './deps.js';
import { registerInviteUser } from './routes/v1_directory_users_invite.js';
import { registerUserEnabled } from './routes/v1_directory_users_enabled.js';
import { registerListDirectoryUsers } from './routes/v1_directory_users_list.js';
import { registerSetUserRoles } from './routes/v1_directory_users_roles_put.js';
import { registerMe } from './routes/v1_me.js';
import { registerSites } from './routes/v1_sites.js';
import { registerVendorOrgs } from './routes/v1_vendor_orgs.js';
import { registerMyContacts } from './routes/v1_me_contacts.js';
import { registerAnswerRequesterLink } from './routes/requester_link_answer.js';
import { registerOpenRequesterLink } from './routes/requester_link_open.js';
import { registerSatisfactionRequesterLink } from './routes/requester_link_satisfaction.js';
import { registerCreateRequesterLinks } from './routes/v1_requester_links_create.js';
import { registerCreateVendorLink } from './routes/v1_vendor_links_create.js';
import { registerVendorLinkJwks } from './routes/v1_vendor_links_jwks.js';
import { registerListVendorLinks } from './routes/v1_vendor_links_list.js';
import { registerRevokeVendorLink } from './routes/v1_vendor_links_revoke.js';
import { registerAcknowledgeVendorLink } from './routes/vendor_link_acknowledge.js';
import { registerOpenVendorLink } from './routes/vendor_link_open.js';
import { vendorPageRateLimit } from './routes/vendor_links_common.js';

/** Under /api/v1/identity, so the portal forwards it here and every service's document has its own path. */
export const IDENTITY_OPENAPI_PATH = '/api/v1/identity/openapi.json';

/** Every operation that changes an account: one limit per signed-in actor over all of them. */
const USER_ADMIN_OPERATIONS = [
  { method: 'post', path: '/api/v1/directory/users' },
  { method: 'post', path: '/api/v1/directory/users/{id}/disable' },
  { method: 'post', path: '/api/v1/directory/users/{id}/enable' },
  { method: 'put', path: '/api/v1/directory/users/{id}/roles' },
  { method: 'post', path: '/api/v1/sites' },
  { method: 'patch', path: '/api/v1/sites/{id}' },
  { method: 'post', path: '/api/v1/directory/vendor-orgs' },
  { method: 'patch', path: '/api/v1/directory/vendor-orgs/{id}' },
  { method: 'post', path: '/api/v1/directory/vendor-orgs/{id}/people' },
  { method: 'delete', path: '/api/v1/directory/vendor-orgs/{id}/people/{userId}' },
] as const;

/** Builds the identity service's HTTP app around the dependencies it is given. */
export function createIdentityApp(deps: IdentityDeps): OpenAPIHono<IdentityAppEnv> {
  const app = createServiceApp<IdentityAppEnv>({
    name: 'identity',
    logger: deps.logger,
    readiness: { postgres: () => deps.sql`select 1` },
  });
  const setDeps = async (c: { set: (k: 'deps', v: IdentityDeps) => void }, next: () => Promise<void>) => {
    c.set('deps', deps);
    await next();
  };
  app.use('/api/v1/*', setDeps);
  // Everything under /api/v1 needs a token, except the API description and the vendor links' public key.
  app.use('/api/v1/*', async (c, next) => {
    if (c.req.path === IDENTITY_OPENAPI_PATH || c.req.path === '/api/v1/vendor-links/jwks.json') return next();
    return requireAuth<IdentityAppEnv>(deps.verifyToken)(c, next);
  });
  // Signed link pages (vendors' /v, requesters' /r): no login (the signed link is the
  // credential), limited per client address, one budget over all of them.
  app.use('/v/*', setDeps);
  app.use('/r/*', setDeps);
  limitOperations(app, vendorPageRateLimit(deps.vendorLinks.pageRateLimitPerMinute, deps.trustedProxyHops), [
    { method: 'get', path: '/v/{token}' },
    { method: 'post', path: '/v/{token}/acknowledge' },
    { method: 'get', path: '/r/{token}' },
    { method: 'post', path: '/r/{token}/answer' },
    { method: 'post', path: '/r/{token}/satisfaction' },
  ]);
  // Minting is limited per service account (the default key: the signed-in actor).
  const mintLimit = rateLimit({ name: 'vendor link minting', max: deps.vendorLinks.mintRateLimitPerMinute, windowMs: 60_000 });
  limitOperations(app, mintLimit, [
    { method: 'post', path: '/api/v1/vendor-links' },
    { method: 'post', path: '/api/v1/requester-links' },
  ]);
  // User management (invite, disable, enable, role changes, sites, vendor organisations and their people) per signed-in actor: a stolen IT lead
  // or admin session cannot mass-create, lock out or promote accounts. Reads are not limited.
  const userAdminLimit = rateLimit({ name: 'user management', max: deps.userAdminRateLimitPerMinute ?? 30, windowMs: 60_000 });
  limitOperations(app, userAdminLimit, USER_ADMIN_OPERATIONS);

  // Me
  registerMe(app);
  registerMyContacts(app);

  // Directory
  registerListDirectoryUsers(app);
  registerInviteUser(app);
  registerUserEnabled(app);
  registerSetUserRoles(app);

  // Sites and vendor organisations (admin)
  registerSites(app);
  registerVendorOrgs(app);

  // Vendor signed links
  registerVendorLinkJwks(app);
  registerCreateVendorLink(app);
  registerListVendorLinks(app);
  registerRevokeVendorLink(app);
  registerOpenVendorLink(app);
  registerAcknowledgeVendorLink(app);

  // Requester links ("Fixed" / "Not fixed")
  registerCreateRequesterLinks(app);
  registerOpenRequesterLink(app);
  registerAnswerRequesterLink(app);
  registerSatisfactionRequesterLink(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A Keycloak access token of realm "tierline" with audience tierline-identity.',
  });
  serveOpenApiDocument(app, IDENTITY_OPENAPI_PATH, {
    openapi: '3.1.0',
    info: { title: 'Tierline identity API', version: '1.0.0', description: 'Who am I, contacts, the user directory mirrored from Keycloak, and vendor signed links.' },
    servers: [{ url: '/' }],
  });
  return app;
}
