export { createNotificationApp } from './app.js';
export { notificationEnvSchema, type NotificationEnv } from './env.js';
export { startNotificationWorker } from './service.js';
export { IdentityRecipientResolver, type Recipient, type RecipientResolver } from './recipients.js';
export const NOTIFICATION_MIGRATIONS_DIR = new URL('../migrations', import.meta.url);
export { createTicketAccess, type TicketAccess } from './ticket-access.js';
