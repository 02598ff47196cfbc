import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './compose.js';

// Decision 28: Tierline runs on the Node.js pinned in infra/versions.json (24 LTS). The scripts of
// the repo root run themselves under it (scripts/lib.mjs usePinnedNode); every other place that
// names a Node version follows the pin.
const readJson = <T>(...path: string[]): T => JSON.parse(readFileSync(join(REPO, ...path), 'utf8')) as T;
const pinned = readJson<{ node: { version: string; npm: string; integrity: string } }>('infra', 'versions.json').node;
const major = Number(pinned.version.split('.')[0]);
const majorOf = (version: string) => Number(/^\D*(\d+)/.exec(version)?.[1]);

describe('the Node.js Tierline runs on', () => {
  it('is an LTS line that is not past its end of life (24 or newer)', () => {
    expect(major).toBeGreaterThanOrEqual(24);
    expect(major % 2, 'even majors are the LTS lines').toBe(0);
    expect(pinned.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pinned.integrity, 'the tarball is checked against a pinned digest').toMatch(/^sha512-[A-Za-z0-9+/]+=*$/);
  });

  it('is what package.json engines, .nvmrc and @types/node say', () => {
    const root = readJson<{ engines: { node: string }; devDependencies: Record<string, string> }>('package.json');
    expect(root.engines.node).toBe(`>=${major}`);
    expect(readFileSync(join(REPO, '.nvmrc'), 'utf8').trim()).toBe(String(major));
    expect(majorOf(root.devDependencies['@types/node']!)).toBe(major);
    // The lock file resolved it to that major too.
    const lock = readJson<{ packages: Record<string, { version: string }> }>('package-lock.json');
    expect(majorOf(lock.packages['node_modules/@types/node']!.version)).toBe(major);
  });

  it('is the Node these tests run on (or a newer one a developer brought)', () => {
    expect(majorOf(process.versions.node)).toBeGreaterThanOrEqual(major);
  });

  it('is installed in the tools cache from the npm registry and runs', () => {
    const tools = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e',
      `import { toolPaths } from ${JSON.stringify(join(REPO, 'infra', 'lib', 'tools.mjs'))}; console.log(JSON.stringify(toolPaths()))`], { encoding: 'utf8' })) as { node: string };
    expect(execFileSync(tools.node, ['--version'], { encoding: 'utf8' }).trim()).toBe(`v${pinned.version}`);
    expect(execFileSync(tools.node, ['-p', 'process.arch + "-" + process.platform'], { encoding: 'utf8' }).trim())
      .toBe(pinned.npm.replace(/^node-(\w+)-(\w+)$/, '$2-$1'));
  });
});

describe('a root script started on an older Node (scripts/lib.mjs usePinnedNode)', () => {
  // A script like scripts/test.mjs, told that it runs on Node 20: it must re-run itself under the
  // pinned Node, hand that Node to its own children through PATH, and end as its child ends.
  let dir: string;
  let probe: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tierline-node-'));
    probe = join(dir, 'probe.mjs');
    writeFileSync(probe, `
      import { execFileSync } from 'node:child_process';
      import { usePinnedNode } from ${JSON.stringify(pathToFileURL(join(REPO, 'scripts', 'lib.mjs')).href)};
      if (!process.env.TIERLINE_PINNED_NODE) await usePinnedNode({ running: '20.19.0' });
      const onPath = execFileSync('node', ['-p', 'process.execPath'], { encoding: 'utf8' }).trim();
      console.log('PROBE ' + JSON.stringify({ execPath: process.execPath, version: process.versions.node, onPath, args: process.argv.slice(2) }));
      setTimeout(() => process.exit(Number(process.argv[2])), Number(process.argv[3] ?? 0));
    `);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // The environment of a shell without the pinned Node on its PATH (`npm test` runs these tests with it first).
  const oldShell = (): NodeJS.ProcessEnv => ({
    ...process.env,
    TIERLINE_PINNED_NODE: '',
    PATH: (process.env.PATH ?? '').split(delimiter).filter((d) => d !== dirname(pinnedNode().node)).join(delimiter),
  });
  const pinnedNode = () => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e',
    `import { toolPaths } from ${JSON.stringify(join(REPO, 'infra', 'lib', 'tools.mjs'))}; console.log(JSON.stringify(toolPaths()))`], { encoding: 'utf8' })) as { node: string };

  it('re-runs itself under the pinned Node, which its children find first in PATH, and exits with its code', () => {
    const r = spawnSync(process.execPath, [probe, '7'], { encoding: 'utf8', env: oldShell() });
    const line = /^PROBE (.*)$/m.exec(r.stdout)?.[1];
    expect(line, r.stdout + r.stderr).toBeDefined();
    const seen = JSON.parse(line!) as { execPath: string; version: string; onPath: string; args: string[] };
    expect(seen.execPath).toBe(pinnedNode().node);
    expect(seen.version).toBe(pinned.version);
    expect(seen.onPath, '`node` in a child process').toBe(pinnedNode().node);
    expect(seen.args).toEqual(['7']);
    expect(r.stdout).toContain(`Node.js ${pinned.version} (this is Node 20.19.0`);
    expect(r.status, 'the exit code of the re-run script').toBe(7);
  });

  it('passes SIGTERM on to the re-run script', async () => {
    // The probe ends by itself after 30 s, so nothing outlives a failed run for long.
    const parent = spawn(process.execPath, [probe, '0', '30000'], { env: oldShell(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await vi.waitFor(() => expect(out).toContain('PROBE'), { timeout: 20_000, interval: 100 });
    const exited = new Promise<number | null>((resolve) => parent.once('exit', (code) => resolve(code)));
    parent.kill('SIGTERM');
    const late = new Promise<string>((resolve) => setTimeout(() => resolve('still running 10 s after SIGTERM'), 10_000).unref());
    const outcome = await Promise.race([exited, late]);
    if (typeof outcome === 'string') parent.kill('SIGKILL');
    // 128 + 15: the re-run script died of the SIGTERM passed on to it.
    expect(outcome).toBe(143);
  });
});
