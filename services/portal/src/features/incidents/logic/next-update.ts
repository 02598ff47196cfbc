/**
 * The "next update" time of a status post: typed in the viewer's own time zone (an
 * `<input type="datetime-local">`, which has none) and sent as an instant.
 */

/** The value of a datetime-local input as an ISO instant, read in the viewer's time zone; null when empty or invalid. */
export function localInputToIso(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** A datetime-local value for `ms` in the viewer's time zone. */
export function isoToLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The suggested next update: an hour from now, on the next quarter hour. */
export function suggestedNextUpdate(nowMs: number): string {
  const quarter = 15 * 60_000;
  return isoToLocalInput(Math.ceil((nowMs + 3_600_000) / quarter) * quarter);
}

/** What is wrong with a status post, or null: a message of 3 to 2,000 characters, a next update in the future. */
export function statusPostProblem(message: string, nextUpdate: string, nowMs: number): string | null {
  if (message.trim().length < 3) return 'Say what is happening (at least 3 characters).';
  if (message.trim().length > 2000) return 'Keep the status to 2,000 characters.';
  if (nextUpdate === '') return null;
  const iso = localInputToIso(nextUpdate);
  if (!iso) return 'The next update time is not a date and time.';
  if (Date.parse(iso) <= nowMs) return 'The next update must be in the future.';
  return null;
}
