import type { OpenAPIHono } from '@hono/zod-openapi';
import { createServiceApp, requireAuth } from '@tierline/platform';
import type { TicketAppEnv, TicketDeps } from './deps.js';
import { registerDocs } from './routes/docs.js';
import { registerCreateTicket } from './routes/v1_tickets_create.js';
import { registerGetTicket } from './routes/v1_tickets_get.js';

/** Builds the ticket service's HTTP app around the dependencies it is given. */
export function createTicketApp(deps: TicketDeps): OpenAPIHono<TicketAppEnv> {
  const app = createServiceApp<TicketAppEnv>({
    name: 'ticket',
    logger: deps.logger,
    readiness: {
      postgres: () => deps.sql`select 1`,
      temporal: () => deps.temporal.workflowService.getSystemInfo({}),
    },
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

  // Tickets
  registerCreateTicket(app);
  registerGetTicket(app);

  registerDocs(app);
  return app;
}
