export { createNotificationApp } from './app.js';
export { notificationEnvSchema } from './env.js';
export const NOTIFICATION_MIGRATIONS_DIR = new URL('../migrations', import.meta.url);
