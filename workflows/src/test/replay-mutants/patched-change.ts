// The same change done the documented way (docs/deployment.md, "Upgrading workflows safely"):
// behind patched(), so histories recorded before it take the old path and replay unchanged.
import { patched, sleep } from '@temporalio/workflow';
import type { TicketWorkflowInput } from '@tierline/ticket-workflow';
import { ticketWorkflow as current } from '../../workflows/ticket.js';

export async function ticketWorkflow(input: TicketWorkflowInput): ReturnType<typeof current> {
  if (patched('replay-test-initial-pause')) await sleep(1);
  return current(input);
}
