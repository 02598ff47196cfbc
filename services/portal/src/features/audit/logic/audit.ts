/** The audit log page's filters and the API query they become. */

export interface Filters {
  ticketId: string;
  actorId: string;
  type: string;
  /** datetime-local values (the browser's local time), turned into instants for the API. */
  from: string;
  to: string;
}
export const NO_FILTERS: Filters = { ticketId: '', actorId: '', type: '', from: '', to: '' };

/** The API's query for these filters; empty fields are left out. */
export function auditQuery(f: Filters): Partial<Filters> {
  const q: Partial<Filters> = {};
  if (f.ticketId.trim()) q.ticketId = f.ticketId.trim();
  if (f.actorId.trim()) q.actorId = f.actorId.trim();
  if (f.type.trim()) q.type = f.type.trim();
  for (const k of ['from', 'to'] as const) {
    const d = f[k] ? new Date(f[k]) : null;
    // An unparseable date is sent as typed, so the API names the field instead of it being dropped.
    if (f[k]) q[k] = d && !Number.isNaN(d.getTime()) ? d.toISOString() : f[k];
  }
  return q;
}
