// The browser bundle is built from `src` (vite root) minus the portal server (`server/`,
// `server.ts`): its imports may reach @tierline/contracts (schemas and zod) but no server
// package, and contracts itself imports only zod. The build step checks the same on the output
// (no `OpenAPIHono` in dist/public); this one fails at once, without a build.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = dirname(fileURLToPath(import.meta.url));
const contracts = join(src, '../../../packages/contracts/src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'server' && dir === src ? [] : sources(path);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && !(dir === src && e.name === 'server.ts') ? [path] : [];
  });
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);

describe('what the browser bundle may import', () => {
  it('the app reaches no server package: of ours, only @tierline/contracts', () => {
    const found = sources(src).flatMap((f) => importsOf(f).filter((i) => i.startsWith('@tierline/') || i === 'hono' || i.startsWith('hono/')).map((i) => `${relative(src, f)}: ${i}`));
    expect(found.length, 'the forms import the contracts schemas').toBeGreaterThan(0);
    expect(found.filter((f) => !f.endsWith(': @tierline/contracts'))).toEqual([]);
  });

  it('contracts imports only zod (with its OpenAPI extension) and its own files', () => {
    const found = sources(contracts).flatMap((f) => importsOf(f).filter((i) => !i.startsWith('./')));
    expect(new Set(found)).toEqual(new Set(['@hono/zod-openapi']));
  });
});
