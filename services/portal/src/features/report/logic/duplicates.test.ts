import { describe, expect, it } from 'vitest';
import { duplicateNotice } from './duplicates.js';

describe('duplicateNotice', () => {
  it('says nothing when nothing matches', () => {
    expect(duplicateNotice([], 120, false)).toBeNull();
  });

  it('names the major incident and the recent urgent reports, with what each is and where it stands', () => {
    const n = duplicateNotice(
      [
        { number: 'IT-1042', kind: 'major_incident', status: 'IT is working on it' },
        { number: 'IT-1050', kind: 'recent_urgent', status: 'reported, IT has been alerted' },
      ],
      120,
      false,
    );
    expect(n).toEqual({
      headline: 'IT already knows about this: IT-1042 and IT-1050',
      matches: [
        { number: 'IT-1042', text: 'IT-1042 is a major incident IT is handling for this site: IT is working on it.' },
        { number: 'IT-1050', text: 'IT-1050 is an urgent report of this kind at this site from the last 2 hours: reported, IT has been alerted.' },
      ],
      next: 'You can still send your report, for example if your problem is different or you want to be kept informed.',
    });
  });

  it('says the report joins the major incident when the policy links automatically', () => {
    const n = duplicateNotice([{ number: 'IT-1042', kind: 'major_incident', status: 'IT is working on it' }], 120, true);
    expect(n?.next).toBe('You can still send your report: it will be added to IT-1042, and you will get its updates.');
    // Automatic linking is for major incidents only: a recent urgent report is not joined.
    expect(duplicateNotice([{ number: 'IT-7', kind: 'recent_urgent', status: 'IT is working on it' }], 45, true)?.next).toMatch(/^You can still send your report, for example/);
    expect(duplicateNotice([{ number: 'IT-7', kind: 'recent_urgent', status: 'IT is working on it' }], 45, true)?.matches[0]?.text).toContain('the last 45 minutes');
    expect(duplicateNotice([{ number: 'IT-7', kind: 'recent_urgent', status: 'IT is working on it' }], 60, true)?.matches[0]?.text).toContain('the last hour');
  });
});
