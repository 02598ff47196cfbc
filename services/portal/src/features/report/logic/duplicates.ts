/**
 * The report form's "IT already knows about this" notice (docs/decisions/0042), in words: from
 * GET /api/v1/tickets/likely-duplicates, which gives a reporter each match's number, kind and a
 * status phrase only. Nothing here decides what matches; the server does.
 */
import type { LikelyDuplicate } from '../api/likely-duplicates.js';

export interface DuplicateNotice {
  /** "IT already knows about this: IT-1042" */
  headline: string;
  /** One line per match: what it is and where it stands. */
  matches: { number: string; text: string }[];
  /** What sending the report anyway does. */
  next: string;
}

function windowWords(minutes: number): string {
  if (minutes % 60 === 0) return minutes === 60 ? 'the last hour' : `the last ${minutes / 60} hours`;
  return `the last ${minutes} minutes`;
}

function listNumbers(numbers: string[]): string {
  if (numbers.length <= 1) return numbers[0] ?? '';
  return `${numbers.slice(0, -1).join(', ')} and ${numbers.at(-1)}`;
}

/** The notice for these matches, or null when there are none. */
export function duplicateNotice(items: readonly Pick<LikelyDuplicate, 'number' | 'kind' | 'status'>[], windowMinutes: number, autoLink: boolean): DuplicateNotice | null {
  if (items.length === 0) return null;
  const matches = items.map((d) => ({
    number: d.number,
    text:
      d.kind === 'major_incident'
        ? `${d.number} is a major incident IT is handling for this site: ${d.status}.`
        : `${d.number} is an urgent report of this kind at this site from ${windowWords(windowMinutes)}: ${d.status}.`,
  }));
  const major = items.find((d) => d.kind === 'major_incident');
  const next =
    autoLink && major
      ? `You can still send your report: it will be added to ${major.number}, and you will get its updates.`
      : 'You can still send your report, for example if your problem is different or you want to be kept informed.';
  return { headline: `IT already knows about this: ${listNumbers(items.map((d) => d.number))}`, matches, next };
}
