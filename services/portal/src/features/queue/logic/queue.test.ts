import { describe, expect, it } from 'vitest';
import type { Ticket } from '../../../lib/api/types.js';
import { applyLiveTicket, filtersFromSearch, matchesFilters, NO_FILTERS, queueQuery, searchFromFilters } from './queue.js';

const t = (id: string, over: Partial<Ticket> = {}): Ticket =>
  ({ id, number: `IT-${id}`, status: 'new', priority: 'P2', tier: 1, siteId: 'north', teamId: null, slaAtRisk: false, nextDeadlineAt: null, updatedAt: '2026-03-02T10:00:00Z', ...over }) as Ticket;

describe('queue filters and live changes', () => {
  it('turns filters into the list API query', () => {
    expect(queueQuery(NO_FILTERS)).toEqual({ sort: 'next_deadline', limit: 100, open: 'true' });
    expect(queueQuery({ status: 'waiting_on_vendor', priority: 'P1', tier: '3', siteId: ' north ', teamId: 'it-tier2', atRisk: true }, 20)).toEqual({
      sort: 'next_deadline',
      limit: 20,
      status: 'waiting_on_vendor',
      priority: 'P1',
      tier: '3',
      siteId: 'north',
      teamId: 'it-tier2',
      atRisk: 'true',
    });
    expect(queueQuery({ ...NO_FILTERS, status: 'all' })).toEqual({ sort: 'next_deadline', limit: 100 });
  });

  it('applies the same filters to tickets that arrive live', () => {
    expect(matchesFilters(t('1'), NO_FILTERS)).toBe(true);
    expect(matchesFilters(t('1', { status: 'closed' }), NO_FILTERS)).toBe(false);
    expect(matchesFilters(t('1', { status: 'closed' }), { ...NO_FILTERS, status: 'all' })).toBe(true);
    expect(matchesFilters(t('1'), { ...NO_FILTERS, priority: 'P1' })).toBe(false);
    expect(matchesFilters(t('1', { tier: 2 }), { ...NO_FILTERS, tier: '2' })).toBe(true);
    expect(matchesFilters(t('1'), { ...NO_FILTERS, siteId: 'south' })).toBe(false);
    expect(matchesFilters(t('1'), { ...NO_FILTERS, atRisk: true })).toBe(false);
    expect(matchesFilters(t('1', { teamId: 'it-tier2' }), { ...NO_FILTERS, teamId: 'it-tier2' })).toBe(true);
  });

  it('adds, re-sorts, replaces and drops tickets as they change', () => {
    const list = [t('a', { nextDeadlineAt: '2026-03-02T10:05:00Z' }), t('b', { nextDeadlineAt: '2026-03-02T10:10:00Z' })];
    const added = applyLiveTicket(list, t('c', { nextDeadlineAt: '2026-03-02T10:01:00Z' }), NO_FILTERS);
    expect(added.map((x) => x.id)).toEqual(['c', 'a', 'b']);
    const moved = applyLiveTicket(added, t('c', { nextDeadlineAt: '2026-03-02T10:20:00Z', updatedAt: '2026-03-02T10:00:05Z' }), NO_FILTERS);
    expect(moved.map((x) => x.id)).toEqual(['a', 'b', 'c']);
    const resolved = applyLiveTicket(moved, t('a', { status: 'resolved', updatedAt: '2026-03-02T10:00:06Z' }), NO_FILTERS);
    expect(resolved.map((x) => x.id)).toEqual(['b', 'c']);
    // A stale message (older updatedAt) never undoes a newer state.
    const stale = applyLiveTicket(moved, t('c', { nextDeadlineAt: '2026-03-02T10:01:00Z', updatedAt: '2026-03-02T09:59:00Z' }), NO_FILTERS);
    expect(stale).toBe(moved);
    // Not matching and not shown: nothing changes.
    expect(applyLiveTicket(list, t('z', { priority: 'P4' }), { ...NO_FILTERS, priority: 'P1' })).toBe(list);
  });

  it('keeps filters in the address, ignoring values it does not know', () => {
    const f = { status: 'new' as const, priority: 'P1' as const, tier: '2' as const, siteId: 'north', teamId: '', atRisk: true };
    expect(searchFromFilters(f)).toBe('?status=new&priority=P1&tier=2&site=north&atRisk=true');
    expect(filtersFromSearch(searchFromFilters(f))).toEqual(f);
    expect(filtersFromSearch('?status=bogus&priority=P9&tier=7')).toEqual(NO_FILTERS);
    expect(searchFromFilters(NO_FILTERS)).toBe('');
  });
});
