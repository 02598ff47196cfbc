/**
 * The clinic's rules, in one place: the escalation policy (validation, which rule and priority
 * apply), business-hours calendars, and automated assignment. Pure functions only: no I/O, no
 * clock, no randomness, no Node built-ins. The ticket service runs them behind its API, and the
 * worker's workflow code runs them inside Temporal's sandbox, so both decide alike.
 */
export * from './policy/index.js';
export * from './assignment/index.js';
