import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
