/**
 * Built-in policies. DEFAULT_POLICY is what a new installation publishes as version 1 (an IT lead
 * then edits it); TEST_FAST_POLICY has minute-scale clocks for integration tests. Both must pass
 * validatePolicy (asserted in defaults.test.ts).
 */
import type { EscalationPolicy, PriorityMatrix } from '@tierline/contracts';

/** Same matrix as the ticket service's built-in one. */
const PRIORITY_MATRIX: PriorityMatrix = {
  matrix: {
    whole_site: { high: 'P1', medium: 'P2', low: 'P2' },
    department: { high: 'P2', medium: 'P3', low: 'P3' },
    one_user: { high: 'P3', medium: 'P3', low: 'P4' },
  },
  patientCareRaisesBy: 1,
};

const WEEKDAY_8_TO_18 = [{ start: '08:00', end: '18:00' }];

export const DEFAULT_POLICY: EscalationPolicy = {
  name: 'Clinic default escalation policy',
  description:
    'P1/P2 run around the clock (patient care cannot wait for Monday); P3/P4 run on clinic hours. ' +
    'Tier 2 is the internal IT leads, tier 3 the contracted vendor Acme IT.',
  priorityMatrix: PRIORITY_MATRIX,
  calendars: {
    always: { mode: '24x7', timeZone: 'America/New_York' },
    'clinic-hours': {
      mode: 'business_hours',
      timeZone: 'America/New_York',
      weeklyHours: {
        mon: WEEKDAY_8_TO_18,
        tue: WEEKDAY_8_TO_18,
        wed: WEEKDAY_8_TO_18,
        thu: WEEKDAY_8_TO_18,
        fri: WEEKDAY_8_TO_18,
        sat: [{ start: '09:00', end: '13:00' }],
        sun: [],
      },
      // US federal holidays the clinic's IT observes (2026 Independence Day is observed Fri 07-03).
      holidays: ['2026-01-01', '2026-01-19', '2026-05-25', '2026-07-03', '2026-09-07', '2026-11-26', '2026-12-25', '2027-01-01'],
    },
    'acme-support': {
      mode: 'business_hours',
      timeZone: 'America/New_York',
      weeklyHours: {
        mon: [{ start: '07:00', end: '19:00' }],
        tue: [{ start: '07:00', end: '19:00' }],
        wed: [{ start: '07:00', end: '19:00' }],
        thu: [{ start: '07:00', end: '19:00' }],
        fri: [{ start: '07:00', end: '19:00' }],
        sat: [],
        sun: [],
      },
      holidays: ['2026-01-01', '2026-11-26', '2026-12-25', '2027-01-01'],
    },
  },
  rules: [
    {
      priority: 'P1',
      calendar: 'always',
      responseTargetMinutes: 15,
      resolutionTargetMinutes: 240,
      warnings: [75, 90],
      levels: [
        {
          after: { clock: 'response', minutes: 15 },
          tier: 2,
          targets: [{ kind: 'it_lead' }],
          channels: ['sms', 'email'],
          repeatEveryMinutes: 15,
          maxRepeats: 3,
        },
        {
          after: { clock: 'resolution', minutes: 60 },
          tier: 3,
          targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }, { kind: 'it_lead' }],
          channels: ['email', 'sms'],
          repeatEveryMinutes: 30,
          maxRepeats: 4,
        },
      ],
      // P1 hand-offs are covered by Acme's 24/7 emergency line.
      vendorContract: { vendorOrgId: 'acme-it', calendar: 'always', responseTargetMinutes: 30, resolutionTargetMinutes: 240 },
    },
    {
      // Medical devices (infusion pumps, monitors…) go to biomedical engineering, not Acme.
      priority: 'P1',
      categories: ['medical_device'],
      calendar: 'always',
      responseTargetMinutes: 10,
      resolutionTargetMinutes: 240,
      warnings: [50, 75, 90],
      levels: [
        { after: { clock: 'response', minutes: 0 }, tier: 1, targets: [{ kind: 'on_call', teamId: 'biomed' }], channels: ['sms'] },
        {
          after: { clock: 'response', minutes: 10 },
          tier: 2,
          targets: [{ kind: 'it_lead' }, { kind: 'team', teamId: 'biomed' }],
          channels: ['sms', 'email'],
          repeatEveryMinutes: 10,
          maxRepeats: 3,
        },
      ],
    },
    {
      priority: 'P2',
      calendar: 'always',
      responseTargetMinutes: 30,
      resolutionTargetMinutes: 480,
      warnings: [75, 90],
      levels: [
        {
          after: { clock: 'response', minutes: 30 },
          tier: 2,
          targets: [{ kind: 'it_lead' }],
          channels: ['email', 'slack'],
          repeatEveryMinutes: 30,
          maxRepeats: 2,
        },
        {
          after: { clock: 'resolution', minutes: 240 },
          tier: 3,
          targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }],
          channels: ['email'],
        },
      ],
      vendorContract: { vendorOrgId: 'acme-it', calendar: 'acme-support', responseTargetMinutes: 60, resolutionTargetMinutes: 960 },
    },
    {
      priority: 'P3',
      calendar: 'clinic-hours',
      responseTargetMinutes: 120,
      resolutionTargetMinutes: 1800,
      warnings: [75],
      levels: [
        { after: { clock: 'response', minutes: 120 }, tier: 2, targets: [{ kind: 'team', teamId: 'it-tier2' }], channels: ['email', 'teams'] },
        { after: { clock: 'resolution', minutes: 1200 }, tier: 2, targets: [{ kind: 'it_lead' }], channels: ['email'] },
      ],
    },
    {
      priority: 'P4',
      calendar: 'clinic-hours',
      responseTargetMinutes: 480,
      resolutionTargetMinutes: 4800,
      warnings: [75],
      levels: [
        { after: { clock: 'response', minutes: 480 }, tier: 1, targets: [{ kind: 'team', teamId: 'it-helpdesk' }], channels: ['email'] },
        { after: { clock: 'resolution', minutes: 3600 }, tier: 2, targets: [{ kind: 'it_lead' }], channels: ['email'] },
      ],
    },
  ],
  reopenPolicy: 'resume_resolution_clock',
  // Five days to say "not fixed" before a resolved ticket closes on its own (decision 38).
  autoCloseAfterDays: 5,
  // Likely duplicates: P1/P2 of the last two hours; linking stays IT's one click (decision 42).
  duplicates: { windowMinutes: 120, autoLink: false },
};

/**
 * Minute-scale clocks for integration tests (24x7, UTC). P1: not acknowledged after 1 min → tier 2
 * (IT lead, repeated every minute twice); not resolved after 2 min → tier 3 (vendor acme-it).
 */
export const TEST_FAST_POLICY: EscalationPolicy = {
  name: 'Fast test policy',
  priorityMatrix: PRIORITY_MATRIX,
  calendars: { always: { mode: '24x7', timeZone: 'UTC' } },
  rules: [
    {
      priority: 'P1',
      calendar: 'always',
      responseTargetMinutes: 1,
      resolutionTargetMinutes: 5,
      warnings: [50],
      levels: [
        { after: { clock: 'response', minutes: 1 }, tier: 2, targets: [{ kind: 'it_lead' }], channels: ['email', 'sms'], repeatEveryMinutes: 1, maxRepeats: 2 },
        { after: { clock: 'resolution', minutes: 2 }, tier: 3, targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }], channels: ['email', 'sms'] },
      ],
      vendorContract: { vendorOrgId: 'acme-it', calendar: 'always', responseTargetMinutes: 2, resolutionTargetMinutes: 5 },
    },
    {
      priority: 'P2',
      calendar: 'always',
      responseTargetMinutes: 2,
      resolutionTargetMinutes: 10,
      warnings: [50],
      levels: [
        { after: { clock: 'response', minutes: 2 }, tier: 2, targets: [{ kind: 'it_lead' }], channels: ['email'] },
        { after: { clock: 'resolution', minutes: 4 }, tier: 3, targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }], channels: ['email'] },
      ],
      vendorContract: { vendorOrgId: 'acme-it', calendar: 'always', responseTargetMinutes: 2, resolutionTargetMinutes: 10 },
    },
    {
      priority: 'P3',
      calendar: 'always',
      responseTargetMinutes: 3,
      resolutionTargetMinutes: 15,
      warnings: [],
      levels: [{ after: { clock: 'response', minutes: 3 }, tier: 2, targets: [{ kind: 'team', teamId: 'it-tier2' }], channels: ['email'] }],
    },
    {
      priority: 'P4',
      calendar: 'always',
      responseTargetMinutes: 5,
      resolutionTargetMinutes: 20,
      warnings: [],
      levels: [{ after: { clock: 'resolution', minutes: 10 }, tier: 2, targets: [{ kind: 'team', teamId: 'it-tier2' }], channels: ['email'] }],
    },
  ],
  reopenPolicy: 'restart_resolution_clock',
};
