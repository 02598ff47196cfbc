// A deliberately careless change to the ticket workflow, for the replay test only: a timer before
// everything else, added without patched(). A worker with this code must not pass replay of the
// committed histories, or the replay test would prove nothing.
import { sleep } from '@temporalio/workflow';
import type { TicketWorkflowInput } from '@tierline/ticket-workflow';
import { ticketWorkflow as current } from '../../workflows/ticket.js';

export async function ticketWorkflow(input: TicketWorkflowInput): ReturnType<typeof current> {
  await sleep(1);
  return current(input);
}
