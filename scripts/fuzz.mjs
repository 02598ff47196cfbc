// `npm run fuzz`: the OpenAPI fuzzing of tests/fuzz, longer than in `npm test` and with a fresh
// seed each run (printed, so a failure can be replayed with FUZZ_SEED=<seed> npm run fuzz).
// Starts the servers that are not already running and stops exactly those at the end.
// FUZZ_MAX_EXAMPLES (default 50) sets the examples per operation; FUZZ_SEED a seed of your own.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { ensureNodeModules, installTools, log, repo, run, runAsync, usePinnedNode } from './lib.mjs';

await usePinnedNode();

installTools();
ensureNodeModules();

const { infraEnv } = await import('../infra/lib/env.mjs');
const { toolPaths } = await import('../infra/lib/tools.mjs');

const dataDir = process.env.TIERLINE_DATA_DIR || join(repo, '.data');
mkdirSync(dataDir, { recursive: true });
const record = join(dataDir, `fuzz-started-${process.pid}`);
rmSync(record, { force: true });

const seed = process.env.FUZZ_SEED ?? String(randomInt(1, 2 ** 31 - 1));
const maxExamples = process.env.FUZZ_MAX_EXAMPLES ?? '50';
let code = 1;
try {
  log('starting servers the fuzzing needs (infra/stack.mjs)');
  run(process.execPath, [join(repo, 'infra', 'stack.mjs'), 'up', '--record', record]);
  const env = {
    ...process.env,
    ...infraEnv(),
    TIERLINE_SCHEMATHESIS: toolPaths().schemathesis,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    NODE_ENV: 'test',
    FUZZ_SEED: seed,
    FUZZ_MAX_EXAMPLES: maxExamples,
  };
  log(`fuzzing every service's OpenAPI document: seed ${seed}, ${maxExamples} examples per operation`);
  code = await runAsync('npx', ['vitest', 'run'], { env, cwd: join(repo, 'tests', 'fuzz') });
  log(code === 0 ? `fuzz: no failures (seed ${seed})` : `fuzz: FAILED; replay with FUZZ_SEED=${seed} FUZZ_MAX_EXAMPLES=${maxExamples} npm run fuzz`);
} finally {
  log('stopping the servers this run started');
  if (existsSync(record)) run(process.execPath, [join(repo, 'infra', 'stack.mjs'), 'down', '--from', record], { allowFail: true });
  rmSync(record, { force: true });
}
process.exit(code);
