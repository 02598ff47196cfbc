/** The IT queue's filters and how a live change lands in the list. Pure, so it is unit-tested. */
import type { Priority, Ticket, TicketListQuery, TicketStatus } from '../../../lib/api/types.js';
import { byNextDeadline } from '../../../lib/countdown.js';

export interface QueueFilters {
  /** '' = any open ticket; 'all' = any status at all. */
  status: '' | 'all' | TicketStatus;
  priority: '' | Priority;
  tier: '' | '1' | '2' | '3';
  siteId: string;
  teamId: string;
  atRisk: boolean;
}

export const NO_FILTERS: QueueFilters = { status: '', priority: '', tier: '', siteId: '', teamId: '', atRisk: false };

/** The list API's query for these filters (the server sorts by next deadline). */
export function queueQuery(f: QueueFilters, limit = 100): TicketListQuery {
  const q: TicketListQuery = { sort: 'next_deadline', limit };
  if (f.status === '') q.open = 'true';
  else if (f.status !== 'all') q.status = f.status;
  if (f.priority) q.priority = f.priority;
  if (f.tier) q.tier = f.tier;
  if (f.siteId.trim()) q.siteId = f.siteId.trim();
  if (f.teamId.trim()) q.teamId = f.teamId.trim();
  if (f.atRisk) q.atRisk = 'true';
  return q;
}

/** The same rule on the client, for tickets that arrive over the live stream. */
export function matchesFilters(t: Ticket, f: QueueFilters): boolean {
  if (f.status === '' && (t.status === 'resolved' || t.status === 'closed')) return false;
  if (f.status !== '' && f.status !== 'all' && t.status !== f.status) return false;
  if (f.priority && t.priority !== f.priority) return false;
  if (f.tier && String(t.tier) !== f.tier) return false;
  if (f.siteId.trim() && t.siteId !== f.siteId.trim()) return false;
  if (f.teamId.trim() && t.teamId !== f.teamId.trim()) return false;
  if (f.atRisk && !t.slaAtRisk) return false;
  return true;
}

/**
 * The list after a live change of `ticket`: replaced in place (newer `updatedAt` wins, so a late
 * stale message cannot undo a newer one), added when it now matches, dropped when it no longer
 * does, and re-sorted by next deadline.
 */
export function applyLiveTicket(list: Ticket[], ticket: Ticket, f: QueueFilters): Ticket[] {
  const i = list.findIndex((t) => t.id === ticket.id);
  if (i >= 0 && Date.parse(list[i]!.updatedAt) > Date.parse(ticket.updatedAt)) return list;
  const rest = i >= 0 ? [...list.slice(0, i), ...list.slice(i + 1)] : list;
  if (!matchesFilters(ticket, f)) return i >= 0 ? rest : list;
  return [...rest, ticket].sort(byNextDeadline);
}

/** Filters from the page address (?status=…), so a filtered queue can be bookmarked and shared. */
export function filtersFromSearch(search: string): QueueFilters {
  const q = new URLSearchParams(search);
  const pick = <T extends string>(v: string | null, allowed: readonly T[]): T | '' => (v && (allowed as readonly string[]).includes(v) ? (v as T) : '');
  return {
    status: pick(q.get('status'), ['all', 'new', 'acknowledged', 'in_progress', 'waiting_on_requester', 'waiting_on_vendor', 'resolved', 'closed'] as const),
    priority: pick(q.get('priority'), ['P1', 'P2', 'P3', 'P4'] as const),
    tier: pick(q.get('tier'), ['1', '2', '3'] as const),
    siteId: q.get('site') ?? '',
    teamId: q.get('team') ?? '',
    atRisk: q.get('atRisk') === 'true',
  };
}

export function searchFromFilters(f: QueueFilters): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.priority) q.set('priority', f.priority);
  if (f.tier) q.set('tier', f.tier);
  if (f.siteId.trim()) q.set('site', f.siteId.trim());
  if (f.teamId.trim()) q.set('team', f.teamId.trim());
  if (f.atRisk) q.set('atRisk', 'true');
  const s = q.toString();
  return s ? `?${s}` : '';
}
