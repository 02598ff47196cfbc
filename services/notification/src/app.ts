import { createServiceApp, requireAuth, type Actor, type Logger, type NatsConnection, type Sql, type TokenVerifier } from '@tierline/platform';
import { registerNotificationsList } from './routes/v1_notifications_list.js';

export type NotificationEnvBindings = { Variables: { requestId: string; actor: Actor; sql: Sql } };

export function createNotificationApp(deps: { sql: Sql; nc: NatsConnection; logger: Logger; verifyToken: TokenVerifier }) {
  const app = createServiceApp<NotificationEnvBindings>({
    name: 'notification',
    logger: deps.logger,
    readiness: {
      postgres: () => deps.sql`select 1`,
      nats: async () => {
        if (deps.nc.isClosed()) throw new Error('connection closed');
        await deps.nc.flush();
      },
    },
  });
  // Registered before the auth middleware, so the description itself is public.
  app.doc31('/api/v1/openapi.json', { openapi: '3.1.0', info: { title: 'Tierline notification service', version: '1' } });
  app.use('/api/*', async (c, next) => {
    c.set('sql', deps.sql);
    await next();
  });
  app.use('/api/*', requireAuth(deps.verifyToken));
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  registerNotificationsList(app);
  return app;
}
