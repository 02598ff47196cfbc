import { createServiceApp, requireAuth, serveOpenApiDocument, type BaseEnv, type Logger, type Metrics, type NatsConnection, type RequestVariables, type Sql, type TokenVerifier } from '@tierline/platform';
import { registerNotificationsList } from './routes/v1_notifications_list.js';
import type { TicketAccess } from './ticket-access.js';
import { registerTwilioStatusCallback, type TwilioStatusDeps } from './routes/webhooks_twilio_status.js';
import { registerInboundMailList } from './inbound/route.js';

/** The platform's request variables, and what the notification routes read: its database and ticket access. */
export interface NotificationEnvBindings extends BaseEnv {
  Variables: RequestVariables & { sql: Sql; ticketAccess: TicketAccess };
}

/** Under /api/v1/notifications, so the portal forwards it here and every service's document has its own path. */
export const NOTIFICATION_OPENAPI_PATH = '/api/v1/notifications/openapi.json';

export function createNotificationApp(deps: {
  sql: Sql;
  nc: NatsConnection;
  logger: Logger;
  verifyToken: TokenVerifier;
  ticketAccess: TicketAccess;
  /** Set when TWILIO_STATUS_CALLBACK_URL is: SMS then report delivered / failed. */
  twilioStatus?: TwilioStatusDeps;
  metrics?: Metrics;
}) {
  const app = createServiceApp<NotificationEnvBindings>({
    name: 'notification',
    logger: deps.logger,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    readiness: {
      postgres: () => deps.sql`select 1`,
      nats: async () => {
        if (deps.nc.isClosed()) throw new Error('connection closed');
        await deps.nc.flush();
      },
    },
  });
  // Registered before the auth middleware, so the description itself is public.
  serveOpenApiDocument(app, NOTIFICATION_OPENAPI_PATH, {
    openapi: '3.1.0',
    info: { title: 'Tierline notification API', version: '1.0.0', description: 'Delivery status of the pages sent about a ticket.' },
    servers: [{ url: '/' }],
  });
  app.use('/api/*', async (c, next) => {
    c.set('sql', deps.sql);
    c.set('ticketAccess', deps.ticketAccess);
    await next();
  });
  // Twilio cannot hold a Keycloak token: its callback is public and authenticated by its signature.
  if (deps.twilioStatus) registerTwilioStatusCallback(app, deps.twilioStatus);
  app.use('/api/*', requireAuth(deps.verifyToken));
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  registerNotificationsList(app);
  registerInboundMailList(app);
  return app;
}
