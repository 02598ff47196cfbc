// What other packages (integration tests, the seeding script) may use of the ticket service.
export { createTicketApp } from './app.js';
export type { TicketDeps } from './deps.js';
export { ticketEnvSchema } from './env.js';
export const TICKET_MIGRATIONS_DIR = new URL('../migrations', import.meta.url);
export { ensureInitialPolicy, latestPublished } from './policies-repo.js';
export { startNotificationTimeline } from './notification-timeline.js';
export { contentReadEventId } from './access.js';
