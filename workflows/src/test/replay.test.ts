import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { workflowsPath } from '../worker-factory.js';
import { HISTORIES_DIR, historyFromFile } from './fixtures.js';

/**
 * Replays committed histories of real ticket workflows against today's workflow code. A change
 * that would make running tickets non-deterministic (reordered commands, a removed timer…)
 * fails here before it can strand a ticket in production.
 */
const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();

describe('replay of committed ticket histories', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it.each(files)('%s replays deterministically', async (file) => {
    const history = historyFromFile(readFileSync(join(HISTORIES_DIR, file), 'utf8'));
    await expect(Worker.runReplayHistory({ workflowsPath: workflowsPath() }, history, `replay-${file}`)).resolves.toBeUndefined();
  });
});
