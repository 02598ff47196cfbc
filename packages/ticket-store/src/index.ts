/**
 * The ticket schema's store: its migrations and every statement on its tables, by aggregate.
 * Each function takes the Sql it runs on — the pool, or a caller's transaction — so a caller that
 * must write several things atomically (a ticket row and its workflow start; a change and its outbox
 * event) keeps one transaction. Functions that need a transaction of their own (a change and its
 * outbox event) open it themselves. The ticket service and the worker's activities both use this;
 * neither holds SQL on these tables of its own (docs/decisions/0030).
 */

/** The ticket schema's migrations, applied by the ticket service at start-up (and by tests). */
export const TICKET_MIGRATIONS_DIR = new URL('../migrations', import.meta.url);

export * from './tickets.js';
export * from './timeline.js';
export * from './comments.js';
export * from './watchers.js';
export * from './policies.js';
export * from './assignment.js';
export * from './reports.js';
export * from './satisfaction.js';
export * from './attachments.js';
export * from './replay.js';
export * from './duplicates.js';
export * from './maintenance.js';
export * from './incidents.js';
