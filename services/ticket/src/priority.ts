import type { Impact, Priority, Urgency } from '@tierline/contracts';

/**
 * The built-in impact × urgency matrix, used until escalation policies carry their own.
 * Rows: impact; columns: urgency.
 */
export const DEFAULT_PRIORITY_MATRIX: Record<Impact, Record<Urgency, Priority>> = {
  whole_site: { high: 'P1', medium: 'P2', low: 'P2' },
  department: { high: 'P2', medium: 'P3', low: 'P3' },
  one_user: { high: 'P3', medium: 'P3', low: 'P4' },
};

const ORDER: Priority[] = ['P1', 'P2', 'P3', 'P4'];

/** Priority from the matrix; "patient care affected" raises it one step (P1 stays P1). */
export function computePriority(
  impact: Impact,
  urgency: Urgency,
  patientCareAffected: boolean,
  matrix: Record<Impact, Record<Urgency, Priority>> = DEFAULT_PRIORITY_MATRIX,
): Priority {
  const base = matrix[impact][urgency];
  if (!patientCareAffected) return base;
  return ORDER[Math.max(0, ORDER.indexOf(base) - 1)]!;
}
