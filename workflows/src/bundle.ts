/**
 * The workflow bundle: the workflow code and everything it imports, packed by Temporal's webpack
 * into one file the worker's sandbox runs. `npm run build` writes it once
 * (scripts/build-workflow-bundle.ts, dist/workflow-bundle.js) and the deployed worker loads it at
 * start (decision 25); tests bundle the TypeScript sources on the fly.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from './tracing.js';

/** The file name `npm run build` gives the bundle, next to the compiled worker.js. */
export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';

/** The workflows module: TypeScript source under tests, compiled JavaScript when deployed. */
export function workflowsPath(): string {
  const ts = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL('./workflows/index.js', import.meta.url));
}

/**
 * How webpack resolves workspace packages (@tierline/domain, …) the way the bundled code runs:
 * TypeScript workflows (tests) get the packages' TypeScript sources through the "@tierline/source"
 * export condition, as vitest does; compiled workflows get the packages' compiled dist.
 */
export function workflowBundlerOptions(path: string): Pick<BundleOptions, 'webpackConfigHook'> {
  if (!path.endsWith('.ts')) return {};
  return {
    webpackConfigHook: (config) => ({ ...config, resolve: { ...config.resolve, conditionNames: ['@tierline/source', '...'] } }),
  };
}

/**
 * Worker options that bundle the workflows when the worker is created, as in-process workers of
 * the tests do (the deployed worker loads the prebuilt bundle instead).
 */
export function bundleAtStart(path = workflowsPath()): { workflowsPath: string; bundlerOptions: Pick<BundleOptions, 'webpackConfigHook'> } {
  return { workflowsPath: path, bundlerOptions: workflowBundlerOptions(path) };
}

/**
 * Bundles the workflows into `outFile`, with OpenTelemetry's workflow interceptors: a prebuilt
 * bundle cannot take interceptors at start-up, so they are always in it, and report to the
 * `exporter` sink (src/tracing.ts), which goes nowhere while tracing is off.
 */
export async function buildWorkflowBundle(outFile: string, path = workflowsPath()): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: path,
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
    ...workflowBundlerOptions(path),
  });
  await writeFile(outFile, code);
}
