import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Schemathesis CLI that infra/install.mjs put into the tools cache (pinned in
 * infra/versions.json); TIERLINE_SCHEMATHESIS names another.
 */
export function schemathesisBinary(): string {
  if (process.env.TIERLINE_SCHEMATHESIS) return process.env.TIERLINE_SCHEMATHESIS;
  const versions = JSON.parse(readFileSync(new URL('../../../infra/versions.json', import.meta.url), 'utf8')) as {
    schemathesis: { version: string; binary: string };
  };
  const tools = process.env.TIERLINE_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tierline-tools');
  const bin = join(tools, `schemathesis-${versions.schemathesis.version}`, 'bin', versions.schemathesis.binary);
  if (!existsSync(bin)) throw new Error(`Schemathesis is not installed at ${bin}: run \`npm run infra:install\``);
  return bin;
}

/**
 * What every fuzzed response must satisfy:
 * - not_a_server_error: no 5xx, whatever the input;
 * - status_code_conformance: every status is one the document declares for the operation;
 * - content_type_conformance, response_headers_conformance, response_schema_conformance: every
 *   response matches its declared content type, headers and schema;
 * - negative_data_rejection: input that breaks the document's schema is refused with a 4xx;
 * - missing_required_header, unsupported_method: a missing required header is a 4xx, a method the
 *   path does not have is a 405 with Allow;
 * - ignored_auth: an operation that declares security refuses a request without a valid token.
 * Not run: positive_data_acceptance (a valid request may still be refused for what it means:
 * clinic staff may not publish a policy, an unknown ticket is a 404), and the stateful checks
 * (use_after_free, ensure_resource_availability), which need links between operations the
 * documents do not declare.
 */
export const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
  'missing_required_header',
  'unsupported_method',
  'ignored_auth',
] as const;

export interface FuzzRun {
  /** The served document (also the base of the API: the documents declare `servers: [{ url: '/' }]`). */
  documentUrl: string;
  baseUrl: string;
  token: string;
  seed: number;
  maxExamples: number;
  /** Operations left out ("POST /api/v1/directory/users"), each with the reason why. */
  exclude?: readonly { operation: string; why: string }[];
}

export interface FuzzResult {
  code: number | null;
  output: string;
  args: string[];
}

/** Runs `st run` against one document and resolves with its exit code and report. */
export function runSchemathesis(run: FuzzRun): Promise<FuzzResult> {
  const args = [
    '--config-file',
    fileURLToPath(new URL('../schemathesis.toml', import.meta.url)),
    'run',
    run.documentUrl,
    '--url',
    run.baseUrl,
    '-H',
    `Authorization: Bearer ${run.token}`,
    '--checks',
    CHECKS.join(','),
    '--phases',
    'examples,coverage,fuzzing',
    '--seed',
    String(run.seed),
    '--max-examples',
    String(run.maxExamples),
    '--workers',
    '1',
    '--generation-database',
    'none',
    '--request-timeout',
    '20',
    '--no-color',
    '--output-truncate',
    'true',
  ];
  for (const e of run.exclude ?? []) args.push('--exclude-name', e.operation);
  return new Promise((resolve, reject) => {
    const child = spawn(schemathesisBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output, args: args.map((a) => (a.startsWith('Authorization:') ? 'Authorization: Bearer <token>' : a)) }));
  });
}
