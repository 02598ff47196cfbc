export { createNotificationApp, NOTIFICATION_OPENAPI_PATH } from './app.js';
export { notificationEnvSchema, type NotificationEnv } from './env.js';
export { startNotificationWorker } from './service.js';
export { IdentityRecipientResolver, type Recipient, type RecipientResolver } from './recipients.js';
export const NOTIFICATION_MIGRATIONS_DIR = new URL('../migrations', import.meta.url);
export { createTicketAccess, type TicketAccess } from './ticket-access.js';
// The delivery pipeline's parts, for the browser tests' in-process notifier (tests/browser/src/stack.ts).
export { createPipeline, type Pipeline } from './pipeline.js';
export { createEmailSender, createSmsSender, createSlackSender, createTeamsSender } from './channels.js';
export { createVendorLinkMinter } from './vendor-links.js';
// Mail in (src/inbound/, decision 36): the listener and processor, and the reply addresses, for in-process stacks.
export { startInbound, replyToFor } from './inbound/index.js';
export { replyAddressFor, matchAddress } from './inbound/reply-address.js';
// Status updates to requesters and watchers (decision 34), for the test stack's in-process notifier.
export { createRequesterLinkMinter } from './requester-links.js';
export { createPublicNoteReader } from './public-notes.js';
export { createUpdateRecorder } from './updates.js';
