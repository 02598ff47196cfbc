import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type ReplayResult } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { WORKFLOW_BUNDLE_FILE, bundleAtStart, buildWorkflowBundle, workflowsPath } from '../bundle.js';
import { HISTORIES_DIR, committedHistories, historyFromFile } from './fixtures.js';

/**
 * Replays every committed history of real ticket workflows (src/test/histories/<label>/*.json,
 * the old recordings as well as the newest) against today's workflow code. A change that would
 * make running tickets non-deterministic (reordered commands, a removed or added timer, …) fails
 * here before it can strand a ticket in production. How to change the workflow safely, and how
 * to record new histories: docs/deployment.md, "Upgrading workflows safely".
 */
const files = committedHistories();
const load = (file: string) => historyFromFile(readFileSync(join(HISTORIES_DIR, file), 'utf8'));
const mutant = (name: string) => fileURLToPath(new URL(`./replay-mutants/${name}.ts`, import.meta.url));

/**
 * The workflow interceptor the worker adds when tracing is on (src/tracing.ts). It must not change
 * a workflow's commands, or switching tracing on or off would strand running tickets; its sink
 * only exports spans, so here it goes nowhere.
 */
const tracingOptions = {
  interceptors: { workflowModules: [createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')] },
  sinks: { exporter: { export: { fn: () => undefined } } },
};

/** Replays all histories on one replay worker with this workflow code; results by file. */
async function replayAll(path: string, only = files, extra: Partial<typeof tracingOptions> = {}): Promise<Map<string, ReplayResult>> {
  const results = new Map<string, ReplayResult>();
  const histories = only.map((file) => ({ workflowId: file, history: load(file) }));
  for await (const r of Worker.runReplayHistories({ ...bundleAtStart(path), ...extra }, histories)) results.set(r.workflowId, r);
  return results;
}

/** Activity inputs of a history, decoded: the events each step recorded, in order. */
function recordedEventTypes(h: temporal.api.history.v1.IHistory): string[] {
  const types: string[] = [];
  for (const e of h.events ?? []) {
    for (const p of e.activityTaskScheduledEventAttributes?.input?.payloads ?? []) {
      const text = Buffer.from(p.data ?? new Uint8Array()).toString('utf8');
      for (const m of text.matchAll(/"type":"(ticket\.[a-z_]+)"/g)) types.push(m[1]!);
    }
  }
  return types;
}
/** Every activity input of a history, as text. */
function recordedPayloads(h: temporal.api.history.v1.IHistory): string {
  return (h.events ?? [])
    .flatMap((e) => e.activityTaskScheduledEventAttributes?.input?.payloads ?? [])
    .map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8'))
    .join('\n');
}
function updateNames(h: temporal.api.history.v1.IHistory): string[] {
  return (h.events ?? []).flatMap((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? []);
}
const isSubsequence = (wanted: string[], seen: string[]) => {
  let i = 0;
  for (const s of seen) if (s === wanted[i]) i++;
  return i === wanted.length;
};

describe('replay of committed ticket histories', () => {
  let results: Map<string, ReplayResult>;
  beforeAll(async () => {
    results = await replayAll(workflowsPath());
  }, 120_000);

  it('has histories of every journey a running ticket may be in the middle of', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
    const all = files.map((f) => ({ file: f, history: load(f) }));
    const covers = (what: string, ok: (h: temporal.api.history.v1.IHistory) => boolean) =>
      expect(all.filter((x) => ok(x.history)).map((x) => x.file), `a committed history where a ticket is ${what}`).not.toEqual([]);
    covers('opened, escalated, acknowledged and resolved, in that order', (h) =>
      isSubsequence(['ticket.created', 'ticket.escalated', 'ticket.acknowledged', 'ticket.resolved'], recordedEventTypes(h)));
    covers('escalated to the vendor and acknowledged by it', (h) =>
      isSubsequence(['ticket.escalated', 'ticket.vendor_acknowledged'], recordedEventTypes(h)) && updateNames(h).includes('vendorAcknowledge'));
    covers('migrated to a newer policy version', (h) => updateNames(h).includes('migratePolicy') && recordedEventTypes(h).includes('ticket.policy_migrated'));
    covers('waiting on the requester', (h) => updateNames(h).includes('waitOnRequester'));
    covers('closed by the auto-close timer after its resolution (decision 38)', (h) => isSubsequence(['ticket.resolved', 'ticket.closed'], recordedEventTypes(h)) && recordedPayloads(h).includes('"auto":true'));
    covers('reopened and picked up again', (h) => updateNames(h).includes('reopen') && recordedPayloads(h).includes('"afterReopen":true'));
    // Major incidents (decision 40): a parent telling its children, and children hearing it.
    covers('a major incident that linked children and was resolved', (h) => updateNames(h).includes('linkChild') && isSubsequence(['ticket.incident_declared', 'ticket.resolved'], recordedEventTypes(h)));
    covers('a child resolved with its incident, then reopened out of it', (h) => isSubsequence(['ticket.incident_linked', 'ticket.resolved', 'ticket.incident_unlinked', 'ticket.reopened'], recordedEventTypes(h)));
    covers('a child unlinked by IT that then escalated on its own', (h) => isSubsequence(['ticket.incident_linked', 'ticket.incident_unlinked', 'ticket.escalated'], recordedEventTypes(h)));
    covers('a major incident whose owner was reminded of an overdue update', (h) => recordedEventTypes(h).includes('ticket.incident_update_due'));
    covers('continued as new (a later run)', (h) => Boolean(h.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId));
  });

  it.each(files)('%s replays deterministically', (file) => {
    const r = results.get(file);
    expect(r, `no replay result for ${file}`).toBeDefined();
    expect(r!.error, `${file}: ${String(r!.error)}`).toBeUndefined();
  });

  it('replays them all with the tracing interceptor too (tracing may be switched on or off at any deploy)', async () => {
    const traced = await replayAll(workflowsPath(), files, tracingOptions);
    const failed = [...traced.values()].filter((r) => r.error).map((r) => `${r.workflowId}: ${String(r.error)}`);
    expect(traced.size).toBe(files.length);
    expect(failed).toEqual([]);
  }, 120_000);

  it('replays them all on a prebuilt bundle, the way the deployed worker loads its workflows (decision 25)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflow-bundle-'));
    try {
      const codePath = join(dir, WORKFLOW_BUNDLE_FILE);
      await buildWorkflowBundle(codePath);
      const histories = files.map((file) => ({ workflowId: file, history: load(file) }));
      const replayed = new Map<string, ReplayResult>();
      for await (const r of Worker.runReplayHistories({ workflowBundle: { codePath }, sinks: tracingOptions.sinks }, histories)) replayed.set(r.workflowId, r);
      expect(replayed.size).toBe(files.length);
      expect([...replayed.values()].filter((r) => r.error).map((r) => `${r.workflowId}: ${String(r.error)}`)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('the replay check itself', () => {
  // Two files are enough to show the difference; replaying all of them would only take longer.
  const sample = () => [files.find((f) => f.includes('journey-01'))!, files.find((f) => f.includes('continues-as-new'))!];

  it('fails a change that is not behind patched(): a timer added before the first step', async () => {
    const results = await replayAll(mutant('unversioned-change'), sample());
    for (const file of sample()) {
      const error = results.get(file)?.error;
      expect(error, `${file} replayed although the workflow's first command changed`).toBeDefined();
      expect(error!.name).toBe('DeterminismViolationError');
    }
  }, 120_000);

  it('passes the same change behind patched(), as docs/deployment.md prescribes', async () => {
    const results = await replayAll(mutant('patched-change'), sample());
    for (const file of sample()) expect(results.get(file)?.error, file).toBeUndefined();
  }, 120_000);
});
