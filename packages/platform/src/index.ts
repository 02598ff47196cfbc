export * from './env.js';
export * from './logger.js';
export * from './errors.js';
export * from './auth.js';
export * from './nats.js';
export * from './db.js';
export * from './http.js';
export * from './revocation.js';
