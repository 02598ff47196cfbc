// A ticket's clocks and escalation: pure functions of its state and an instant. Safe to import from workflow code.
export * from './clocks.js';
export * from './escalation.js';
export * from './preview.js';
export * from './what-if.js';
