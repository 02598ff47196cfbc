import { createServiceApp, type Logger, type NatsConnection, type Sql } from '@tierline/platform';

export function createNotificationApp(deps: { sql: Sql; nc: NatsConnection; logger: Logger }) {
  return createServiceApp<{ Variables: { requestId: string } }>({
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
}
