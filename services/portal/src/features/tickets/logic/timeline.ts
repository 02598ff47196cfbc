/**
 * The ticket workspace's timeline: the ticket's events (which include its escalations and the
 * notification service's reports) merged with the notification deliveries, newest last, each
 * described in one line. Pure, so it is unit-tested.
 */
import type { Delivery, TimelineEntry } from '../../../lib/api/types.js';
import { PRIORITY_LABELS, STATUS_LABELS } from '../../../lib/labels.js';

export interface TimelineItem {
  key: string;
  at: string;
  kind: 'event' | 'escalation' | 'notification' | 'comment';
  text: string;
  /** Internal notes are marked so IT sees at a glance what the requester cannot. */
  internal?: boolean;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
/** A string or number field as text, else the fallback (event data is loosely typed JSON). */
const txt = (v: unknown, fallback = '?'): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : fallback);

export function describeEvent(e: TimelineEntry, whoIs: (actorId: string) => string = () => 'someone'): Pick<TimelineItem, 'kind' | 'text' | 'internal'> {
  const d = e.data;
  const by = e.actor.kind === 'user' ? whoIs(e.actor.id) : 'Tierline';
  switch (e.type) {
    case 'ticket.created':
      return { kind: 'event', text: `Reported by ${by}${str(d['priority']) ? ` as ${PRIORITY_LABELS[d['priority'] as keyof typeof PRIORITY_LABELS] ?? String(d['priority'])}` : ''}.` };
    case 'ticket.acknowledged':
      return { kind: 'event', text: d['afterReopen'] === true ? `Picked up again by ${by} after the reopening.` : `Acknowledged by ${by}.` };
    case 'ticket.assigned':
      return { kind: 'event', text: `Assigned${str(d['teamId']) ? ` to team ${String(d['teamId'])}` : ''}${str(d['assigneeId']) ? ` to ${whoIs(String(d['assigneeId']))}` : ''} by ${by}.` };
    case 'ticket.priority_changed':
      return { kind: 'event', text: `Priority changed${str(d['from']) ? ` from ${String(d['from'])}` : ''}${str(d['to']) ? ` to ${String(d['to'])}` : ''} by ${by}.` };
    case 'ticket.commented':
      return d['visibility'] === 'internal'
        ? { kind: 'comment', text: `Internal note added by ${by}.`, internal: true }
        : { kind: 'comment', text: `Comment added by ${by}.` };
    case 'ticket.waiting_on_requester':
      return { kind: 'event', text: `Waiting on the requester (clocks paused), by ${by}.` };
    case 'ticket.resumed':
      return { kind: 'event', text: `Work resumed (clocks running again).` };
    case 'ticket.handed_to_vendor':
      return { kind: 'escalation', text: `Handed to vendor ${str(d['vendorOrgId']) ?? ''} by ${by}; the vendor contract clock started.`.replace('  ', ' ') };
    case 'ticket.vendor_acknowledged':
      return { kind: 'event', text: `Vendor acknowledged${d['via'] === 'signed_link' ? ' (from the emailed link)' : ''}.` };
    case 'ticket.escalated':
      return { kind: 'escalation', text: `Escalated to tier ${txt(d['tier'])}${typeof d['level'] === 'number' ? ` (level ${d['level'] + 1})` : ''}.` };
    case 'ticket.escalation_repeated':
      return { kind: 'escalation', text: `Escalation page repeated for tier ${txt(d['tier'])}.` };
    case 'ticket.sla_warning':
      return { kind: 'escalation', text: `Warning: ${txt(d['percent'], '')}% of the ${txt(d['clock'], '').replace('_', ' ')} target used.` };
    case 'ticket.sla_breached':
      return { kind: 'escalation', text: `Breached: the ${txt(d['clock'], '').replace('_', ' ')} target has passed.` };
    case 'ticket.resolved':
      return { kind: 'event', text: `Resolved by ${by}.` };
    case 'ticket.reopened':
      return { kind: 'event', text: `Reopened by ${by}.` };
    case 'ticket.closed':
      // The auto-close timer of the policy closed it, nobody having reopened it (decision 38).
      return { kind: 'event', text: d['auto'] === true ? `Closed automatically by ${by}: nobody reopened it after the resolution.` : `Closed by ${by}.` };
    case 'ticket.satisfaction_recorded':
      return { kind: 'event', text: `The requester rated how it was handled ${txt(d['rating'])} of 5${d['commented'] === true ? ', with a comment' : ''}.` };
    case 'ticket.policy_migrated':
      return { kind: 'event', text: `Moved to escalation policy version ${txt(d['toVersion'] ?? d['version'])}.` };
    case 'notification.sent': {
      const channels = Array.isArray(d['channels']) ? (d['channels'] as unknown[]).map(String).join(', ') : str(d['channel']) ?? '';
      const who = str(d['recipientUsername']) ?? 'a recipient';
      if (d['kind'] === 'update') return { kind: 'notification', text: `${who} told of the change${channels ? ` by ${channels}` : ''}.` };
      return { kind: 'notification', text: d['kind'] === 'alert' ? `IT lead ${who} alerted about a failed page.` : `Paged ${who}${channels ? ` by ${channels}` : ''}.` };
    }
    case 'notification.delivery_failed':
      return { kind: 'notification', text: `${d['kind'] === 'update' ? 'An update' : 'A page'}${str(d['channel']) ? ` by ${String(d['channel'])}` : ''}${str(d['recipientUsername']) ? ` to ${String(d['recipientUsername'])}` : ''} failed${typeof d['attempts'] === 'number' ? ` after ${d['attempts']} attempts` : ''}.` };
    default: {
      const status = str(d['status']);
      return { kind: 'event', text: `${e.type.replace(/^ticket\./, '').replace(/_/g, ' ')}${status ? ` (${STATUS_LABELS[status as keyof typeof STATUS_LABELS] ?? status})` : ''}.` };
    }
  }
}

const DELIVERY_STATUS: Record<Delivery['status'], string> = { queued: 'queued', sent: 'sent', delivered: 'delivered', failed: 'failed' };

export function describeDelivery(d: Delivery): string {
  const who = d.recipientUsername ?? 'a recipient';
  const what = d.kind === 'alert' ? 'Alert' : d.kind === 'update' ? 'Update' : 'Page';
  const tries = d.attempts > 1 ? ` after ${d.attempts} attempts` : '';
  return `${what} to ${who} by ${d.channel}: ${DELIVERY_STATUS[d.status] ?? d.status}${tries}.`;
}

/** Events and deliveries in one list, oldest first (ties keep events before deliveries). */
export function mergeTimeline(entries: TimelineEntry[], deliveries: Delivery[], whoIs?: (actorId: string) => string): TimelineItem[] {
  const items: (TimelineItem & { order: number })[] = [
    ...entries.map((e, i) => ({ key: `e-${e.eventId}`, at: e.occurredAt, order: i, ...describeEvent(e, whoIs) })),
    ...deliveries.map((d, i) => ({ key: `d-${d.id}`, at: d.sentAt ?? d.updatedAt ?? d.createdAt, order: entries.length + i, kind: 'notification' as const, text: describeDelivery(d) })),
  ];
  items.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.order - b.order);
  return items.map(({ order: _order, ...rest }) => rest);
}
