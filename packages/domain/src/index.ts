/**
 * The clinic's rules, in one place: the escalation policy (validation, which rule and priority
 * apply), business-hours calendars, a ticket's clocks and escalation (escalation/escalation.ts:
 * when a ticket climbs), the policy preview, and automated assignment. Pure functions only: no I/O, no
 * clock, no randomness, no Node built-ins. The ticket service runs them behind its API, and the
 * worker's workflow code runs them inside Temporal's sandbox, so both decide alike.
 */
export * from './policy/index.js';
export * from './assignment/index.js';
export * from './escalation/index.js';
