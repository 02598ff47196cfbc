/**
 * Plain-language status for the people who reported a problem: what state it is in, who has it,
 * and what happens next (when it escalates on its own). Pure functions of the ticket, its
 * workflow's escalation state and the current time, so they are unit-tested.
 */
import type { EscalationState, Ticket, TicketStatus } from './api/types.js';
import { countdown } from './countdown.js';

export type Tone = 'info' | 'action' | 'done' | 'waiting';

export interface PlainStatus {
  label: string;
  explanation: string;
  tone: Tone;
}

const PLAIN: Record<TicketStatus, PlainStatus> = {
  new: { label: 'Received', explanation: 'Your report has arrived and is waiting for IT to pick it up.', tone: 'info' },
  acknowledged: { label: 'IT is on it', explanation: 'Someone in IT has taken your report.', tone: 'info' },
  in_progress: { label: 'Being worked on', explanation: 'IT is working on the problem.', tone: 'info' },
  waiting_on_requester: { label: 'Waiting for you', explanation: 'IT needs more information from you before they can go on.', tone: 'action' },
  waiting_on_vendor: { label: 'With the supplier', explanation: 'IT has passed the problem to the supplier and is waiting for them.', tone: 'waiting' },
  resolved: { label: 'Fixed – please confirm', explanation: 'IT believes the problem is fixed. Please check and confirm.', tone: 'action' },
  closed: { label: 'Closed', explanation: 'This report is finished.', tone: 'done' },
};

export function plainStatus(status: TicketStatus): PlainStatus {
  return PLAIN[status] ?? { label: status, explanation: '', tone: 'info' };
}

/** Who works a tier, in words a nurse uses. */
export function tierHolder(tier: number): string {
  if (tier <= 1) return 'the IT service desk';
  if (tier === 2) return 'the IT specialist team';
  return 'senior engineers at the external IT supplier';
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });
function clockTime(ms: number): string {
  return timeFormat.format(new Date(ms));
}

/** When the next escalation level would fire, from the workflow's levels and clocks; null if none is pending. */
export function nextEscalation(e: EscalationState): { tier: number; atMs: number; clock: 'response' | 'resolution' } | null {
  let best: { tier: number; atMs: number; clock: 'response' | 'resolution' } | null = null;
  for (const level of e.levels ?? []) {
    if (level.fired > 0) continue;
    const clock = e.clocks.find((c) => c.name === level.clock);
    if (!clock || clock.state !== 'running') continue;
    // The workflow's clock counts calendar time: "its now + what is left" is exact on a 24/7
    // calendar and the earliest possible moment on business hours, the honest way to put it.
    const atMs = Date.parse(e.now) + Math.max(0, level.afterMinutes - clock.elapsedMinutes) * 60_000;
    if (!best || atMs < best.atMs) best = { tier: level.tier, atMs, clock: level.clock };
  }
  return best;
}

const PRIORITY_LINE: Record<Ticket['priority'], string> = {
  P1: 'This is treated as critical: IT was alerted straight away. If patients are at risk right now, also phone the IT help desk and follow your clinical downtime procedure.',
  P2: 'This is treated as high priority and is worked on ahead of routine requests.',
  P3: 'The service desk deals with this in the order reports arrive.',
  P4: 'This is low priority. IT deals with it when more urgent work allows.',
};

/**
 * "What happens next", as short sentences: who has it, when it escalates on its own (from the
 * escalation state when known, else from the ticket's next deadline), what the person can do.
 */
export function whatHappensNext(t: Ticket, escalation: EscalationState | null = null, nowMs: number = Date.now()): string[] {
  const keep = `If you phone the IT help desk about this, give the number ${t.number}.`;
  switch (t.status) {
    case 'resolved': {
      // The workflow's auto-close (decision 38) is the resolved ticket's next deadline.
      const autoClose =
        t.nextDeadlineKind === 'auto-close' && t.nextDeadlineAt
          ? `If nobody says otherwise, it closes on its own on ${dayFormat.format(new Date(t.nextDeadlineAt))} (${countdown(t.nextDeadlineAt, nowMs).long}).`
          : '';
      return ['IT believes this problem is fixed.', 'If it works again, confirm it below and the report is closed. If it is still not working, say so below and it goes straight back to IT.', autoClose, keep].filter(Boolean);
    }
    case 'closed':
      return ['This report is closed.', `If the problem comes back, report a new problem and mention ${t.number}.`];
    case 'waiting_on_requester':
      return ['IT needs more information from you. Please reply below with a comment.', 'The time limits are paused until you reply; they start again as soon as you do.', keep];
    case 'waiting_on_vendor':
      return [`It is with ${tierHolder(3)}, under their support contract. You do not need to do anything.`, keep];
    default:
      break;
  }
  const lines: string[] = [];
  const who = t.status === 'new' ? `It is with ${tierHolder(t.tier)}. Nobody has taken it yet.` : `It is with ${tierHolder(t.tier)}, and someone has taken it.`;
  lines.push(who);
  const next = escalation ? nextEscalation(escalation) : null;
  if (next) {
    const cd = countdown(new Date(next.atMs).toISOString(), nowMs);
    const unless = next.clock === 'response' ? 'If nobody has taken it' : 'If it is not fixed';
    lines.push(`${unless} by ${clockTime(next.atMs)} (${cd.long}), it moves on to ${tierHolder(next.tier)} automatically – you do not need to chase it.`);
  } else if (t.nextDeadlineAt && t.nextDeadlineKind?.startsWith('escalation to tier')) {
    const tier = Number(/tier (\d)/.exec(t.nextDeadlineKind)?.[1] ?? t.tier + 1);
    const cd = countdown(t.nextDeadlineAt, nowMs);
    lines.push(`If it is not dealt with by ${clockTime(Date.parse(t.nextDeadlineAt))} (${cd.long}), it moves on to ${tierHolder(tier)} automatically – you do not need to chase it.`);
  } else if (t.tier < 3) {
    lines.push('If it is not dealt with in time, it moves on automatically – you do not need to chase it.');
  }
  lines.push(PRIORITY_LINE[t.priority] ?? '');
  lines.push(keep);
  return lines.filter(Boolean);
}
