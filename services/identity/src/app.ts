import type { OpenAPIHono } from '@hono/zod-openapi';
import { createServiceApp, requireAuth } from '@tierline/platform';
import type { IdentityAppEnv, IdentityDeps } from './deps.js';
import { registerInviteUser } from './routes/v1_directory_users_invite.js';
import { registerUserEnabled } from './routes/v1_directory_users_enabled.js';
import { registerListDirectoryUsers } from './routes/v1_directory_users_list.js';
import { registerSetUserRoles } from './routes/v1_directory_users_roles_put.js';
import { registerMe } from './routes/v1_me.js';
import { registerMyContacts } from './routes/v1_me_contacts.js';

/** Builds the identity service's HTTP app around the dependencies it is given. */
export function createIdentityApp(deps: IdentityDeps): OpenAPIHono<IdentityAppEnv> {
  const app = createServiceApp<IdentityAppEnv>({
    name: 'identity',
    logger: deps.logger,
    readiness: { postgres: () => deps.sql`select 1` },
  });
  app.use('/api/v1/*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  // Everything under /api/v1 needs a token, except the API description itself.
  app.use('/api/v1/*', async (c, next) => {
    if (c.req.path === '/api/v1/openapi.json') return next();
    return requireAuth(deps.verifyToken)(c as never, next);
  });

  // Me
  registerMe(app);
  registerMyContacts(app);

  // Directory
  registerListDirectoryUsers(app);
  registerInviteUser(app);
  registerUserEnabled(app);
  registerSetUserRoles(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A Keycloak access token of realm "tierline" with audience tierline-identity.',
  });
  app.doc31('/api/v1/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Tierline identity API', version: '1.0.0', description: 'Who am I, contacts, and the user directory mirrored from Keycloak.' },
    servers: [{ url: '/' }],
  });
  return app;
}
