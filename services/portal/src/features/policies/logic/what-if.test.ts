import { describe, expect, it } from 'vitest';
import type { PolicyWhatIfOutcome } from '../../../lib/api/types.js';
import { breachesOf, replayMatchesRecord, whatIfChanges, whatIfSummary } from './what-if.js';

const o = (pages: number, vendorPages: number, response = 0, resolution = 0, vendorHandOffs = 0): PolicyWhatIfOutcome => ({
  tickets: 10,
  pages,
  vendorPages,
  vendorHandOffs,
  breaches: { response, resolution, vendor_response: 0, vendor_resolution: 0 },
});

describe('what-if summary', () => {
  it('says what the draft changes, as the issue words it', () => {
    const w = {
      rows: [
        { priority: 'P1' as const, recorded: o(0, 0), recordedReplay: o(0, 0), current: o(20, 9, 1), draft: o(30, 14, 1) },
        { priority: 'P2' as const, recorded: o(0, 0), recordedReplay: o(0, 0), current: o(5, 0, 7), draft: o(5, 0, 3) },
      ],
      total: { recorded: o(0, 0), recordedReplay: o(0, 0), current: o(25, 9, 8), draft: o(35, 14, 4) },
    };
    expect(whatIfChanges(w)).toEqual(['people paged 35 times instead of 25', 'vendor paged 14 times instead of 9', 'P2 response breaches 3 instead of 7']);
    expect(whatIfSummary(w)).toBe('People paged 35 times instead of 25; vendor paged 14 times instead of 9; P2 response breaches 3 instead of 7.');
  });

  it('says so when nothing changes', () => {
    const same = { rows: [], total: { recorded: o(1, 0), recordedReplay: o(1, 0), current: o(1, 0), draft: o(1, 0) } };
    expect(whatIfSummary(same)).toBe('The draft would have paged and breached exactly as the current version did.');
    expect(replayMatchesRecord(same)).toBe(true);
    expect(replayMatchesRecord({ total: { ...same.total, recordedReplay: o(2, 0) } })).toBe(false);
    expect(breachesOf(o(0, 0, 2, 3))).toBe(5);
  });
});
