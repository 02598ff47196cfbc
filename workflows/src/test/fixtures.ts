import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';

import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EscalationPolicy, Priority, Ticket } from '@tierline/contracts';
import type { RecordInput, TicketActivities } from '../activities/index.js';
import type { AssignmentActivities, AutoAssignInput } from '../activities/assignment.js';
import type { Client } from '@temporalio/client';
import { getStateQuery, ticketWorkflowId, type PolicySnapshot, type TicketWorkflowInput } from '@tierline/ticket-workflow';
import { DEFAULT_POLICY } from '@tierline/domain';

export const MIN = 60_000;

/**
 * A 24x7 test policy with round numbers, so every instant in the tests can be checked by hand:
 * P1 response 15 min (warnings at 60 % and 80 %), level 0: no ack after 15 → tier 2, repeated
 * every 15 up to 2 times; level 1: not resolved after 60 → tier 3 vendor acme-it. The vendor's
 * contract runs on the vendor's business hours. P3: response 60, level after 60 → tier 2.
 */
export function testPolicy(overrides: Partial<EscalationPolicy> = {}): EscalationPolicy {
  return {
    name: 'Workflow test policy',
    priorityMatrix: DEFAULT_POLICY.priorityMatrix,
    calendars: {
      always: { mode: '24x7', timeZone: 'UTC' },
      vendor: {
        mode: 'business_hours',
        timeZone: 'America/New_York',
        weeklyHours: {
          mon: [{ start: '09:00', end: '17:00' }],
          tue: [{ start: '09:00', end: '17:00' }],
          wed: [{ start: '09:00', end: '17:00' }],
          thu: [{ start: '09:00', end: '17:00' }],
          fri: [{ start: '09:00', end: '17:00' }],
          sat: [],
          sun: [],
        },
        holidays: [],
      },
      clinic: {
        mode: 'business_hours',
        timeZone: 'America/New_York',
        weeklyHours: {
          mon: [{ start: '08:00', end: '18:00' }],
          tue: [{ start: '08:00', end: '18:00' }],
          wed: [{ start: '08:00', end: '18:00' }],
          thu: [{ start: '08:00', end: '18:00' }],
          fri: [{ start: '08:00', end: '18:00' }],
          sat: [],
          sun: [],
        },
        // Tests that need a holiday add one near the test server's clock (nextSpringForward).
        holidays: [],
      },
    },
    rules: [
      {
        priority: 'P1',
        calendar: 'always',
        responseTargetMinutes: 15,
        resolutionTargetMinutes: 240,
        warnings: [60, 80],
        levels: [
          { after: { clock: 'response', minutes: 15 }, tier: 2, targets: [{ kind: 'it_lead' }], channels: ['sms', 'email'], repeatEveryMinutes: 15, maxRepeats: 2 },
          { after: { clock: 'resolution', minutes: 60 }, tier: 3, targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }], channels: ['email'] },
        ],
        vendorContract: { vendorOrgId: 'acme-it', calendar: 'vendor', responseTargetMinutes: 120, resolutionTargetMinutes: 480 },
      },
      {
        priority: 'P2',
        calendar: 'always',
        responseTargetMinutes: 30,
        resolutionTargetMinutes: 480,
        warnings: [],
        levels: [{ after: { clock: 'response', minutes: 30 }, tier: 2, targets: [{ kind: 'team', teamId: 'it-tier2' }], channels: ['email'] }],
      },
      {
        priority: 'P3',
        calendar: 'clinic',
        responseTargetMinutes: 120,
        resolutionTargetMinutes: 1440,
        warnings: [],
        levels: [{ after: { clock: 'response', minutes: 120 }, tier: 2, targets: [{ kind: 'team', teamId: 'it-tier2' }], channels: ['email'] }],
      },
      {
        priority: 'P4',
        calendar: 'always',
        responseTargetMinutes: 480,
        resolutionTargetMinutes: 2880,
        warnings: [],
        levels: [{ after: { clock: 'resolution', minutes: 1440 }, tier: 2, targets: [{ kind: 'team', teamId: 'it-tier2' }], channels: ['email'] }],
      },
    ],
    reopenPolicy: 'restart_resolution_clock',
    ...overrides,
  };
}

const DAY = 24 * 60 * MIN;
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The UTC offset of `timeZone` at `ms`, in minutes (-300 for EST), read from Intl, not from the policy code. */
export function utcOffsetMinutes(timeZone: string, ms: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'shortOffset' }).formatToParts(ms).find((p) => p.type === 'timeZoneName')!.value;
  const m = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?)?$/.exec(name);
  if (!m) throw new Error(`unexpected offset name ${name}`);
  return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
}

/**
 * The first spring daylight-saving change in New York (US rule: the second Sunday of March) whose
 * Friday 17:00 EST is still ahead of `afterMs`, the test server's clock; so a test of it never
 * expires. Gives that Friday 17:00 EST, the Monday after (made a holiday by the test) and Tuesday
 * 09:00 EDT.
 */
export function nextSpringForward(afterMs: number) {
  for (let year = new Date(afterMs).getUTCFullYear(); ; year++) {
    const march1 = new Date(Date.UTC(year, 2, 1)).getUTCDay();
    const sunday = 1 + ((7 - march1) % 7) + 7;
    const friday17 = Date.UTC(year, 2, sunday - 2, 22);
    if (friday17 <= afterMs + MIN) continue;
    const tuesday9 = Date.UTC(year, 2, sunday + 2, 13);
    // The premise, checked against the platform's time-zone data rather than assumed.
    if (utcOffsetMinutes('America/New_York', friday17) !== -300 || utcOffsetMinutes('America/New_York', tuesday9) !== -240) {
      throw new Error(`no spring-forward between ${new Date(friday17).toISOString()} and ${new Date(tuesday9).toISOString()}`);
    }
    return { friday17, monday: ymd(Date.UTC(year, 2, sunday + 1)), tuesday9 };
  }
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/**
 * The first Saturday–Tuesday in `timeZone` that starts more than a day after `afterMs` (the test
 * server's clock) with no daylight-saving change inside it. `at('tue', '09:30')` is that local
 * time as a UTC instant; `monday` the Monday's date (for a holiday).
 */
export function nextWeekend(afterMs: number, timeZone: string) {
  const localDay = (ms: number) => new Date(ms + utcOffsetMinutes(timeZone, ms) * MIN).getUTCDay();
  let noon = Date.UTC(new Date(afterMs).getUTCFullYear(), new Date(afterMs).getUTCMonth(), new Date(afterMs).getUTCDate() + 2, 12);
  while (localDay(noon) !== 6 || utcOffsetMinutes(timeZone, noon) !== utcOffsetMinutes(timeZone, noon + 3 * DAY)) noon += DAY;
  const offset = utcOffsetMinutes(timeZone, noon);
  const saturday = noon - (noon % DAY); // 00:00 UTC of that date
  const at = (day: 'sat' | 'sun' | 'mon' | 'tue', hhmm: string): number => {
    const days = (WEEKDAYS.indexOf(day) + 1) % 7; // sat 0, sun 1, mon 2, tue 3
    const [h, m] = hhmm.split(':').map(Number);
    return saturday + days * DAY + (h! * 60 + m!) * MIN - offset * MIN;
  };
  return { monday: ymd(saturday + 2 * DAY), at };
}

export function makeTicket(createdAtMs: number, priority: Priority = 'P1', category = 'network'): Ticket {
  const id = randomUUID();
  const at = new Date(createdAtMs).toISOString();
  return {
    id,
    number: `IT-${Math.floor(createdAtMs / 1000) % 100000}`,
    title: 'Network down',
    description: 'Patient Jane Doe cannot be checked in',
    category,
    siteId: 'north',
    requesterId: 'nurse-1',
    impact: 'whole_site',
    urgency: 'high',
    patientCareAffected: true,
    priority,
    status: 'new',
    tier: 1,
    policyVersion: 1,
    workflowId: ticketWorkflowId(id),
    teamId: null,
    assigneeId: null,
    vendorOrgId: null,
    majorIncident: false,
    incidentParentId: null,
    escalationLevel: 0,
    nextDeadlineAt: null,
    nextDeadlineKind: null,
    slaAtRisk: false,
    acknowledgedAt: null,
    resolvedAt: null,
    closedAt: null,
    createdAt: at,
    updatedAt: at,
  };
}

export function input(ticket: Ticket, policy: PolicySnapshot = { version: 1, policy: testPolicy() }, extra: Partial<TicketWorkflowInput> = {}): TicketWorkflowInput {
  return { ticket, openedBy: { id: ticket.requesterId, role: 'clinic_staff' }, policy, ...extra };
}

/** Mock activities that remember every call, per ticket. */
export function recordingActivities() {
  const calls = new Map<string, RecordInput[]>();
  const assignments: AutoAssignInput[] = [];
  let client: Client | undefined;
  /** Maintenance windows' ends as the store would answer (decision 43): set by the tests, null once cancelled. */
  const windows = new Map<string, string | null>();
  const activities: TicketActivities & AssignmentActivities = {
    // What the read model would show of a ticket a major incident links: read from its workflow.
    incidentChildFacts: async (ticketId) => {
      if (!client) throw new Error('recordingActivities: useClient first');
      try {
        const s = await client.workflow.getHandle(ticketWorkflowId(ticketId)).query(getStateQuery);
        return { number: s.number, status: s.status, majorIncident: s.incident?.role === 'major', incidentParentId: s.incident?.role === 'child' ? s.incident.parentTicketId : null };
      } catch (err) {
        if ((err as Error).name === 'WorkflowNotFoundError') return null;
        throw err;
      }
    },
    maintenanceWindowEnd: async (windowId) => {
      if (!windows.has(windowId)) throw new Error(`no maintenance window ${windowId}`);
      return windows.get(windowId)!;
    },
    // Tier 1 → the help desk, tier 2 → the level's team or the IT leads' team; nobody in particular.
    autoAssign: async (i) => {
      assignments.push(i);
      return { teamId: i.teamId ?? (i.tier === 1 ? 'it-tier1' : 'it-tier2'), assigneeId: null, assigneeUsername: null, via: 'rule' as const };
    },
    recordTicketOpened: async (i) => {
      const list = calls.get(i.ticket.id) ?? [];
      list.push({ ticketId: i.ticket.id, events: [i.event], ...(i.patch ? { patch: i.patch } : {}), ...(i.rev !== undefined ? { rev: i.rev } : {}) });
      calls.set(i.ticket.id, list);
      return { seq: list.length };
    },
    recordTicketEvent: async (i) => {
      const list = calls.get(i.ticketId) ?? [];
      list.push(i);
      calls.set(i.ticketId, list);
    },
  };
  return {
    activities,
    /** The client incidentChildFacts reads the workflows with. */
    useClient: (c: Client) => {
      client = c;
    },
    windows,
    assignments: (ticketId: string) => assignments.filter((a) => a.ticketId === ticketId),
    calls: (ticketId: string) => calls.get(ticketId) ?? [],
    events: (ticketId: string) => (calls.get(ticketId) ?? []).flatMap((c) => c.events ?? []),
    notifications: (ticketId: string) => (calls.get(ticketId) ?? []).flatMap((c) => c.notifies ?? []),
  };
}

/**
 * The time-skipping server starts with no custom search attributes; register Tierline's as the
 * infra runner does for the dev server, so the workflow's upserts are exercised for real.
 */
export async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const { KEYWORD, INT } = { KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT };
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: { TicketNumber: KEYWORD, Priority: KEYWORD, Status: KEYWORD, Site: KEYWORD, Tier: INT, PolicyVersion: INT },
  });
}

export const HISTORIES_DIR = fileURLToPath(new URL('./histories/', import.meta.url));

/**
 * Where a recording goes: histories/<label>/, the label being RECORD_HISTORIES when it names one
 * (`RECORD_HISTORIES=2027-01-10-sla-pause`), else today's UTC date. One folder per recording, so a
 * new recording sits beside the old ones, which keep being replayed (docs/deployment.md).
 */
export function recordingDir(label = process.env.RECORD_HISTORIES): string {
  const named = label && /^[a-z0-9][a-z0-9._-]*$/i.test(label) && !/^(1|true|yes)$/i.test(label);
  return join(HISTORIES_DIR, named ? label : new Date().toISOString().slice(0, 10));
}

/**
 * Writes the event history of each of these workflows (its latest run, for a continued-as-new
 * chain) to recordingDir(), for the replay test. Run `npm run record-histories` after a deliberate,
 * versioned change to the workflow, and commit the new files. An existing file is never
 * overwritten: a history already committed is what running tickets look like, and must stay.
 */
/** The checkout's root (this file is workflows/src/test/fixtures.ts). */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

export async function saveHistories(env: TestWorkflowEnvironment, runs: { name: string; workflowId: string }[], prefix = ''): Promise<void> {
  const dir = recordingDir();
  await mkdir(dir, { recursive: true });
  for (const [i, r] of runs.entries()) {
    const slug = r.name.split(' > ').pop()!.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 60).replace(/-$/, '');
    const history = await env.client.workflow.getHandle(r.workflowId).fetchHistory();
    const json = temporal.api.history.v1.History.toObject(history as temporal.api.history.v1.History, { longs: String, bytes: String, defaults: false });
    const file = join(dir, `${prefix}${String(i + 1).padStart(2, '0')}-${slug}.json`);
    try {
      // Stack traces of failures name files by absolute path: keep them relative to the checkout.
      const text = JSON.stringify(json, null, 1).replaceAll(`${REPO_ROOT}/`, '');
      await writeFile(file, `${text}\n`, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      throw new Error(`${file} exists: committed histories are kept. Record under a new label: RECORD_HISTORIES=<label> npm run record-histories`);
    }
  }
}

/** Every committed history, as paths relative to HISTORIES_DIR (label/file.json), oldest label first. */
export function committedHistories(): string[] {
  return readdirSync(HISTORIES_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.split(sep).join('/'))
    .sort();
}

/** Reads a history written by saveHistories. */
export function historyFromFile(text: string): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.fromObject(JSON.parse(text) as Record<string, unknown>);
}
