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
import { ticketWorkflowId, type PolicySnapshot, type TicketWorkflowInput } from '../definitions.js';
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
        holidays: ['2027-03-15'],
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
  const activities: TicketActivities & AssignmentActivities = {
    // Tier 1 → the help desk, tier 2 → the level's team or the IT leads' team; nobody in particular.
    autoAssign: async (i) => {
      assignments.push(i);
      return { teamId: i.teamId ?? (i.tier === 1 ? 'it-tier1' : 'it-tier2'), assigneeId: null, assigneeUsername: null, via: 'rule' as const };
    },
    recordTicketOpened: async (i) => {
      const list = calls.get(i.ticket.id) ?? [];
      list.push({ ticketId: i.ticket.id, events: [i.event], ...(i.patch ? { patch: i.patch } : {}) });
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
export async function saveHistories(env: TestWorkflowEnvironment, runs: { name: string; workflowId: string }[], prefix = ''): Promise<void> {
  const dir = recordingDir();
  await mkdir(dir, { recursive: true });
  for (const [i, r] of runs.entries()) {
    const slug = r.name.split(' > ').pop()!.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 60).replace(/-$/, '');
    const history = await env.client.workflow.getHandle(r.workflowId).fetchHistory();
    const json = temporal.api.history.v1.History.toObject(history as temporal.api.history.v1.History, { longs: String, bytes: String, defaults: false });
    const file = join(dir, `${prefix}${String(i + 1).padStart(2, '0')}-${slug}.json`);
    try {
      await writeFile(file, `${JSON.stringify(json, null, 1)}\n`, { flag: 'wx' });
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
