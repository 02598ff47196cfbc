export * from './roles.js';
export * from './events.js';
export * from './errors.js';
export * from './tickets.js';
export * from './policy.js';
export * from './notify.js';
export * from './vendor-links.js';
export * from './escalation-state.js';
