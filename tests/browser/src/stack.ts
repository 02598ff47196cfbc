/**
 * The Tierline apps a browser test talks to: the shared test stack (@tierline/test-stack) with
 * the portal and the browser's forward proxy — the ticket service with its live stream, the
 * Temporal worker on a task queue of its own, the notification service's API and the portal
 * server serving the built app — each run on its own database and the minute-scale test policy.
 *
 * `vendorEmail: true` also starts the identity service (with the demo people's contacts) and the
 * notifier (its mail in on `inboundSmtpPort`, the provider stand-ins on `stubsUrl`; `updateCoalesceMs`
 * shortens the status updates' window); `identity: true` the identity service alone (the profile page); `audit: true` the audit service's API and its event consumer (see StackOptions).
 */
import type { EscalationPolicy } from '@tierline/contracts';
import { startStack as startTestStack } from '@tierline/test-stack';

export { forwardProxy, PORTAL_ORIGIN } from '@tierline/test-stack';

export async function startStack(
  label: string,
  opts: { policy?: EscalationPolicy; audit?: boolean; vendorEmail?: boolean; identity?: boolean; updateCoalesceMs?: number } = {},
) {
  const { ticketUrl, ticketSql, identityUrl, proxyUrl, taskQueue, inboundSmtpPort, stubsUrl, stop } = await startTestStack(`browser-${label}`, {
    policy: opts.policy,
    audit: opts.audit ? 'with-consumer' : false,
    identity: opts.vendorEmail ? 'with-contacts' : (opts.identity ?? false),
    notifier: opts.vendorEmail,
    ...(opts.updateCoalesceMs !== undefined ? { updateCoalesceMs: opts.updateCoalesceMs } : {}),
    portal: true,
  });
  return { ticketUrl, ticketSql, identityUrl, proxyUrl, taskQueue, inboundSmtpPort, stubsUrl, stop };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;
