/**
 * Automatic linking of likely duplicates (docs/decisions/0042): when the policy's
 * `duplicates.autoLink` is on and a new ticket has the site and category of an open major
 * incident, it becomes that incident's child without anyone clicking.
 *
 * Durable by an outbox of links: openTicket writes the row (incident_autolinks) in the transaction
 * that stores the ticket and starts its workflow, so a committed ticket always carries its link
 * to be made. The link itself is the parent workflow's `linkChild` update (auto: true), sent right
 * after the commit and, for any row still pending (the process died in between, Temporal did not
 * answer), again by `startAutoLinking` every few seconds. The update id is the child's, so a link
 * sent twice is made once; the parent tells the child durably and the child's workflow records
 * `ticket.incident_linked` { auto: true }, which the audit consumer keeps like every event.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Logger, Sql } from '@tierline/platform';
import { linkChildUpdate, ticketWorkflowId, type ActionBy } from '@tierline/ticket-workflow';
import { pendingAutoLinks, recordAutoLinkAttempt } from '@tierline/ticket-store';

/** Who links automatically: the ticket service on the policy's behalf (the event says auto: true). */
export const AUTO_LINK_ACTOR: ActionBy['actor'] = { id: 'system:auto-link', role: 'it_agent' };

/** How long one link may wait for the parent's workflow before it is left for the next round. */
const LINK_TIMEOUT_MS = 10_000;

export type AutoLinkOutcome = 'linked' | 'refused' | 'retry';

/** The update id of a child's automatic link: one per child, so a resend is not a second link. */
export const autoLinkUpdateId = (childTicketId: string) => `auto-link-${childTicketId}`;

/**
 * Sends one pending link to the parent's workflow and records the outcome: linked; refused for
 * good (the parent's workflow refused it — the incident was resolved, the child closed — or has
 * ended); or left pending for the next round (Temporal unreachable or slow, the database did not
 * take the outcome). Never throws: the ticket it follows is already committed.
 */
export async function sendAutoLink(
  deps: { sql: Sql; temporal: Client; logger: Logger },
  link: { childTicketId: string; parentTicketId: string },
): Promise<AutoLinkOutcome> {
  const { sql, temporal, logger } = deps;
  try {
    await temporal.withDeadline(Date.now() + LINK_TIMEOUT_MS, () =>
      temporal.workflow.getHandle(ticketWorkflowId(link.parentTicketId)).executeUpdate(linkChildUpdate, {
        args: [{ actor: AUTO_LINK_ACTOR, childTicketId: link.childTicketId, auto: true }],
        updateId: autoLinkUpdateId(link.childTicketId),
      }),
    );
    await recordAutoLinkAttempt(sql, link.childTicketId, 'linked');
    logger.info(link, 'ticket linked to its major incident automatically');
    return 'linked';
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) {
      const why = err instanceof WorkflowNotFoundError ? 'the major incident has ended' : (err.cause?.message ?? err.message);
      // If even this record fails, the row stays pending and the next round hears the same refusal.
      await recordAutoLinkAttempt(sql, link.childTicketId, 'refused', why).catch((e: unknown) => logger.warn({ err: e, ...link }, 'automatic link refusal not recorded yet'));
      logger.warn({ ...link, why }, 'automatic link refused by the major incident');
      return 'refused';
    }
    await recordAutoLinkAttempt(sql, link.childTicketId, null, err instanceof Error ? err.message : String(err)).catch(() => undefined);
    logger.warn({ err, ...link }, 'automatic link not made yet; it is retried');
    return 'retry';
  }
}

/** Sends every pending link once, oldest first. Returns how many were sent, whatever their outcome. */
export async function sendPendingAutoLinks(deps: { sql: Sql; temporal: Client; logger: Logger }): Promise<number> {
  const pending = await pendingAutoLinks(deps.sql);
  for (const link of pending) await sendAutoLink(deps, link);
  return pending.length;
}

/** Sends pending links now, then every `everyMs` until stopped; a failed round is logged and retried at the next. */
export async function startAutoLinking(deps: { sql: Sql; temporal: Client; logger: Logger }, everyMs = 15_000): Promise<{ stop: () => Promise<void> }> {
  const round = () => sendPendingAutoLinks(deps).catch((err: unknown) => deps.logger.warn({ err }, 'automatic links round failed'));
  let running: Promise<unknown> = round();
  await running;
  const timer = setInterval(() => {
    running = round();
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
