export * from './hooks.js';
export * from './database.js';
export * from './nats.js';
export * from './temporal.js';
export * from './app.js';
export * from './tokens.js';
export * from './event-stream.js';
export * from './events.js';
