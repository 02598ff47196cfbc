import { describe, expect, it } from 'vitest';
import { MaintenanceWindowCreateSchema } from '@tierline/contracts';
import { defaultWindow, parseSites, toWindowBody, windowFieldOf } from './maintenance.js';

describe('the maintenance window form', () => {
  it('sends sites as a list, "" as every category and the local times as instants', () => {
    const body = toWindowBody({ title: 'EHR upgrade', category: '', siteIds: 'North, south,,', startsAt: '2026-12-06T22:00', endsAt: '2026-12-07T02:00' });
    expect(body).toEqual({
      title: 'EHR upgrade',
      category: null,
      siteIds: ['north', 'south'],
      startsAt: new Date(2026, 11, 6, 22, 0).toISOString(),
      endsAt: new Date(2026, 11, 7, 2, 0).toISOString(),
    });
    expect(MaintenanceWindowCreateSchema.safeParse(body).success).toBe(true);
  });

  it('leaves what is not a time as typed, for the schema to name the field', () => {
    const r = MaintenanceWindowCreateSchema.safeParse(toWindowBody({ title: 'EHR upgrade', category: 'ehr', siteIds: '', startsAt: '', endsAt: 'tomorrow' }));
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path[0]).sort()).toEqual(['endsAt', 'siteIds', 'startsAt']);
  });

  it('puts a server issue on its field', () => {
    expect(windowFieldOf('siteIds.1')).toBe('siteIds');
    expect(windowFieldOf('endsAt')).toBe('endsAt');
    expect(windowFieldOf('id')).toBeUndefined();
    expect(parseSites(' ')).toEqual([]);
  });

  it('proposes tonight 22:00 to 02:00, or tomorrow night once 22:00 has passed', () => {
    expect(defaultWindow(new Date(2026, 11, 6, 9, 30))).toEqual({ startsAt: '2026-12-06T22:00', endsAt: '2026-12-07T02:00' });
    expect(defaultWindow(new Date(2026, 11, 6, 23, 0))).toEqual({ startsAt: '2026-12-07T22:00', endsAt: '2026-12-08T02:00' });
  });
});
