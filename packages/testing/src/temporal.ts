import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Temporal time-skipping test server installed by infra/install.mjs. @temporalio/testing
 * would otherwise try to download it, which this project never relies on.
 */
export function temporalTestServerPath(): string {
  const fromEnv = process.env.TIERLINE_TEMPORAL_TEST_SERVER;
  if (fromEnv) return fromEnv;
  const versionsFile = fileURLToPath(new URL('../../../infra/versions.json', import.meta.url));
  const versions = JSON.parse(readFileSync(versionsFile, 'utf8')) as { temporalTestServer: { version: string } };
  const tools = process.env.TIERLINE_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tierline-tools');
  const path = join(tools, `temporal-test-server-${versions.temporalTestServer.version}`, 'temporal-test-server');
  if (!existsSync(path)) throw new Error(`Temporal test server not found at ${path}; run: node infra/install.mjs`);
  return path;
}
