import { describe, expect, it } from 'vitest';
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { CalendarSchema, EscalationPolicySchema, type EscalationPolicyInput } from './policy.js';

const minimal = (): EscalationPolicyInput => ({
  priorityMatrix: {
    matrix: {
      whole_site: { high: 'P1', medium: 'P2', low: 'P2' },
      department: { high: 'P2', medium: 'P3', low: 'P3' },
      one_user: { high: 'P3', medium: 'P3', low: 'P4' },
    },
    patientCareRaisesBy: 1,
  },
  calendars: {
    always: { mode: '24x7', timeZone: 'UTC' },
    office: { mode: 'business_hours', timeZone: 'America/New_York', weeklyHours: { mon: [{ start: '08:00', end: '18:00' }] } },
  },
  rules: [
    {
      priority: 'P1',
      calendar: 'always',
      responseTargetMinutes: 15,
      resolutionTargetMinutes: 240,
      levels: [{ after: { clock: 'response', minutes: 15 }, tier: 2, targets: [{ kind: 'it_lead' }], channels: ['sms'] }],
    },
  ],
  reopenPolicy: 'restart_resolution_clock',
});

/** The dotted paths of the zod issues, as the API reports them. */
function failurePaths(input: unknown): string[] {
  const r = EscalationPolicySchema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => i.path.join('.'));
}

describe('EscalationPolicySchema (structure)', () => {
  it('accepts a minimal policy and fills defaults (closed days, no holidays, no warnings)', () => {
    const p = EscalationPolicySchema.parse(minimal());
    const office = p.calendars.office!;
    expect(office.mode === 'business_hours' && office.weeklyHours.sun).toEqual([]);
    expect(office.mode === 'business_hours' && office.holidays).toEqual([]);
    expect(p.rules[0]!.warnings).toEqual([]);
  });

  it('refuses malformed times, dates and names with the field path', () => {
    const p = minimal() as { calendars: Record<string, unknown> };
    p.calendars.office = { mode: 'business_hours', timeZone: 'America/New_York', weeklyHours: { mon: [{ start: '8:00', end: '24:30' }] }, holidays: ['2026-02-30'] };
    p.calendars['Bad Name'] = { mode: '24x7', timeZone: 'UTC' };
    expect(failurePaths(p)).toEqual(
      expect.arrayContaining([
        'calendars.office.weeklyHours.mon.0.start',
        'calendars.office.weeklyHours.mon.0.end',
        'calendars.office.holidays.0',
        'calendars.Bad Name',
      ]),
    );
  });

  it('refuses empty levels, empty targets, bad tiers, out-of-range warnings and unknown fields', () => {
    const p = minimal() as { rules: Array<Record<string, unknown>> };
    p.rules[0]!.warnings = [0, 100];
    p.rules[0]!.levels = [];
    p.rules.push({
      ...p.rules[0]!,
      warnings: [75],
      levels: [{ after: { clock: 'ack', minutes: -1 }, tier: 4, targets: [], channels: ['pager'] }],
      extra: true,
    });
    expect(failurePaths(p)).toEqual(
      expect.arrayContaining([
        'rules.0.warnings.0',
        'rules.0.warnings.1',
        'rules.0.levels',
        'rules.1.levels.0.after.clock',
        'rules.1.levels.0.after.minutes',
        'rules.1.levels.0.tier',
        'rules.1.levels.0.targets',
        'rules.1.levels.0.channels.0',
        'rules.1',
      ]),
    );
  });

  it('requires every cell of the priority matrix', () => {
    const p = minimal() as { priorityMatrix: { matrix: Record<string, Record<string, string>> } };
    delete p.priorityMatrix.matrix.department!.low;
    expect(failurePaths(p)).toContain('priorityMatrix.matrix.department.low');
  });

  it('discriminates calendars on mode', () => {
    expect(CalendarSchema.safeParse({ mode: '24x7', timeZone: 'UTC', weeklyHours: {} }).success).toBe(false);
    expect(CalendarSchema.safeParse({ mode: 'weekly', timeZone: 'UTC' }).success).toBe(false);
  });
});

describe('OpenAPI', () => {
  it('renders the policy schema as named components', () => {
    const app = new OpenAPIHono();
    const route = createRoute({
      method: 'put',
      path: '/policy',
      request: { body: { content: { 'application/json': { schema: EscalationPolicySchema } } } },
      responses: { 204: { description: 'saved' } },
    });
    app.openapi(route, (c) => c.body(null, 204));
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    expect(Object.keys(doc.components?.schemas ?? {})).toEqual(
      expect.arrayContaining(['EscalationPolicy', 'PolicyRule', 'EscalationLevel', 'Calendar', 'BusinessHoursCalendar', 'EscalationTarget', 'VendorContract']),
    );
  });
});
