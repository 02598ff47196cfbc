import type { Impact, Priority, TicketStatus, Urgency } from './api/types.js';

export const CATEGORIES: { value: string; label: string }[] = [
  { value: 'ehr', label: 'EHR / clinical application' },
  { value: 'network', label: 'Network' },
  { value: 'hardware', label: 'Hardware' },
  { value: 'printer_scanner', label: 'Printer / scanner' },
  { value: 'phone', label: 'Phone' },
  { value: 'account_access', label: 'Account / access' },
  { value: 'medical_device', label: 'Medical-device integration' },
  { value: 'other', label: 'Other' },
];

export const IMPACTS: { value: Impact; label: string }[] = [
  { value: 'one_user', label: 'Just me (one person)' },
  { value: 'department', label: 'My department or team' },
  { value: 'whole_site', label: 'The whole site' },
];

export const URGENCIES: { value: Urgency; label: string }[] = [
  { value: 'low', label: 'Low – can wait, there is a workaround' },
  { value: 'medium', label: 'Medium – slowing work down' },
  { value: 'high', label: 'High – work has stopped' },
];

export const STATUS_LABELS: Record<TicketStatus, string> = {
  new: 'New',
  acknowledged: 'Acknowledged',
  in_progress: 'In progress',
  waiting_on_requester: 'Waiting for you',
  waiting_on_vendor: 'Waiting on vendor',
  resolved: 'Resolved',
  closed: 'Closed',
};

export const PRIORITY_LABELS: Record<Priority, string> = {
  P1: 'P1 – critical',
  P2: 'P2 – high',
  P3: 'P3 – normal',
  P4: 'P4 – low',
};

export const TIER_LABELS: Record<number, string> = {
  1: 'Tier 1 – service desk',
  2: 'Tier 2 – specialist team',
  3: 'Tier 3 – senior engineers / vendor',
};

export function labelOf(list: { value: string; label: string }[], value: string): string {
  return list.find((x) => x.value === value)?.label ?? value;
}

/** "north" → "North", "main-campus" → "Main campus". */
export function siteLabel(siteId: string): string {
  const words = siteId.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * What a ticket is called on screen: its title, or for a vendor, who gets the facts without the
 * requester's words (docs/decisions/0022), its category and site.
 */
export function ticketHeadline(t: { title: string; category: string; siteId: string }): string {
  return t.title || `${labelOf(CATEGORIES, t.category)} at ${siteLabel(t.siteId)}`;
}

/** How a comment's kind is named next to it: the free text of an action, or nothing for a comment. */
export const NOTE_KIND_LABELS: Record<string, string> = {
  priority_reason: 'Reason for the priority change',
  question: 'Question for the requester',
  handoff_note: 'Hand-off note for the vendor',
  resolution: 'Resolution',
  reopen_reason: 'Reason for reopening',
};
