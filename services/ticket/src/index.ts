// What other packages (integration tests, the seeding script) may use of the ticket service.
export { createTicketApp } from './app.js';
export type { TicketDeps } from './deps.js';
export { ticketEnvSchema } from './env.js';
// The ticket schema belongs to @tierline/ticket-store; re-exported for the tests that set up a ticket service.
export { ensureInitialPolicy, latestPublished, TICKET_MIGRATIONS_DIR } from '@tierline/ticket-store';
export { startNotificationTimeline } from './notification-timeline.js';
export { contentReadEventId } from './access.js';
// Attachments: the object store, and the one function that makes a file an attachment of a ticket
// (the upload route uses it; so will attachments arriving by email).
export { createObjectStore, type ObjectStore } from './attachments/object-store.js';
export { storeAttachment, sweepAbandonedAttachments, type NewAttachmentInput } from './attachments/store.js';
// Automatic links to a major incident (decision 42): the retry loop's one round, for the tests of a crash.
export { sendAutoLink, sendPendingAutoLinks, AUTO_LINK_ACTOR } from './auto-link.js';
