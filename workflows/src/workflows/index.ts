// The worker bundles exactly this module: every workflow type Tierline registers.
export { ticketWorkflow } from './ticket.js';
