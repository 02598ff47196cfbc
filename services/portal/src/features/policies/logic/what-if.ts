/**
 * The what-if's figures as read: one sentence of what changes ("vendor paged 14 times instead of
 * 9; P2 response breaches 3 instead of 7") and the per-priority table's rows.
 */
import type { PolicyWhatIf, PolicyWhatIfOutcome } from '../../../lib/api/types.js';

type Outcome = Pick<PolicyWhatIfOutcome, 'pages' | 'vendorPages' | 'vendorHandOffs' | 'breaches'>;

const times = (n: number) => `${n} time${n === 1 ? '' : 's'}`;

/** What the draft changes, most telling first; empty when it changes nothing. */
export function whatIfChanges(w: Pick<PolicyWhatIf, 'rows' | 'total'>): string[] {
  const out: string[] = [];
  const { current, draft } = w.total;
  if (draft.pages !== current.pages) out.push(`people paged ${times(draft.pages)} instead of ${current.pages}`);
  if (draft.vendorPages !== current.vendorPages) out.push(`vendor paged ${times(draft.vendorPages)} instead of ${current.vendorPages}`);
  if (draft.vendorHandOffs !== current.vendorHandOffs) out.push(`vendor handed ${draft.vendorHandOffs} ticket${draft.vendorHandOffs === 1 ? '' : 's'} instead of ${current.vendorHandOffs}`);
  for (const row of w.rows) {
    for (const clock of ['response', 'resolution'] as const) {
      const d = row.draft.breaches[clock];
      const c = row.current.breaches[clock];
      if (d !== c) out.push(`${row.priority} ${clock} breaches ${d} instead of ${c}`);
    }
  }
  return out;
}

/** The sentence shown above the table. */
export function whatIfSummary(w: Pick<PolicyWhatIf, 'rows' | 'total'>): string {
  const changes = whatIfChanges(w);
  if (changes.length === 0) return 'The draft would have paged and breached exactly as the current version did.';
  const [first, ...rest] = changes;
  return `${first!.charAt(0).toUpperCase()}${first!.slice(1)}${rest.length ? `; ${rest.join('; ')}` : ''}.`;
}

/** All breaches of an outcome, every clock. */
export const breachesOf = (o: Outcome): number => o.breaches.response + o.breaches.resolution + o.breaches.vendor_response + o.breaches.vendor_resolution;

/** Whether the replay of the current version matched what really happened, on the tickets it can be compared with. */
export const replayMatchesRecord = (w: Pick<PolicyWhatIf, 'total'>): boolean => JSON.stringify(w.total.recorded) === JSON.stringify(w.total.recordedReplay);
