/**
 * The maintenance screen's form (decision 43), checked by the body schema of
 * POST /api/v1/maintenance-windows: sites typed as a comma list, "" as every category, the
 * `datetime-local` times read in the viewer's time zone and sent as instants.
 */
import { MaintenanceWindowCreateSchema } from '@tierline/contracts';
import type { z } from 'zod';
import { bodyResolver } from '../../../lib/forms.js';
import { fromLocalInput, toLocalInput } from '../../assignment/logic/assignment.js';

export { fromLocalInput, toLocalInput };

export interface WindowForm {
  title: string;
  /** "" = every category. */
  category: string;
  /** "north, south". */
  siteIds: string;
  startsAt: string;
  endsAt: string;
}

/** "North, south ,," → ["north", "south"]. */
export function parseSites(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
}

export function toWindowBody(v: WindowForm): z.input<typeof MaintenanceWindowCreateSchema> {
  return {
    title: v.title,
    category: v.category === '' ? null : v.category,
    siteIds: parseSites(v.siteIds),
    startsAt: fromLocalInput(v.startsAt) ?? v.startsAt,
    endsAt: fromLocalInput(v.endsAt) ?? v.endsAt,
  };
}

export function windowMessage(issue: { code: string; path?: PropertyKey[] | undefined }): string | undefined {
  if (issue.code !== 'invalid_format') return undefined;
  if (issue.path?.[0] === 'startsAt') return 'enter a start date and time';
  if (issue.path?.[0] === 'endsAt') return 'enter an end date and time';
  return undefined;
}

export const windowResolver = bodyResolver(MaintenanceWindowCreateSchema, toWindowBody, { error: windowMessage });

const FIELDS = ['title', 'category', 'siteIds', 'startsAt', 'endsAt'] as const;
/** The form field a server issue names (`siteIds.1` → the sites). */
export function windowFieldOf(path: string): keyof WindowForm | undefined {
  const head = path.split('.')[0];
  return (FIELDS as readonly string[]).includes(head ?? '') ? (head as keyof WindowForm) : undefined;
}

/** The default new window: tonight 22:00 to 02:00, in the viewer's time zone. */
export function defaultWindow(now: Date): Pick<WindowForm, 'startsAt' | 'endsAt'> {
  const start = new Date(now);
  start.setHours(22, 0, 0, 0);
  if (start.getTime() <= now.getTime()) start.setDate(start.getDate() + 1);
  const end = new Date(start);
  end.setHours(end.getHours() + 4);
  return { startsAt: toLocalInput(start), endsAt: toLocalInput(end) };
}

/** The viewer's time zone, as the screen says the times are in it. */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export const STATE_LABELS: Record<string, string> = { scheduled: 'Scheduled', active: 'Running now', ended: 'Ended', cancelled: 'Cancelled' };
