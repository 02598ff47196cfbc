import { inspectRoutes } from 'hono/dev';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTicketApp } from '@tierline/ticket';
import { CALLERS, startWorld, withKeycloakTokens, type CallerName, type World } from './authz-matrix-world.js';
import { EXPECTATIONS, targetsFor, type CallContext, type Expectation, type Scope, type Service } from './authz-matrix-table.js';

/**
 * Every route × every role × own and foreign object, over the real apps of the four services and
 * the portal server: a call the matrix does not allow must be refused (401, 403 or 404: never 2xx,
 * never 5xx), a call it allows must answer exactly the status its entry names. The routes come
 * from each app's own route table (every handler, the infrastructure routes and the portal's
 * routes for every method included), so a route added without an entry in authz-matrix-table.ts
 * fails here by name. The matrix runs twice: with tokens the world signs, then with tokens of the
 * real Keycloak.
 */
interface Check {
  service: Service;
  key: string;
  method: string;
  exp: Expectation;
  caller: CallerName;
  scope: Scope;
  target: ReturnType<typeof targetsFor>[number];
  allowed: boolean;
}
interface Outcome extends Check {
  status: number;
  problem: string | null;
}

/** Every route with a handler (middleware, which `app.use` registers for ALL methods, left out). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function routeKeys(app: Hono<any, any, any>): string[] {
  const keys = new Set<string>();
  for (const r of inspectRoutes(app)) if (!r.isMiddleware) keys.add(`${r.method} ${r.path}`);
  return [...keys].sort();
}

/** The status an allowed call must answer. */
const expectedStatus = (exp: Expectation, scope: Scope) => (scope === 'foreign' ? (exp.foreignStatus ?? exp.status) : exp.status) ?? 200;

async function inBatches<T, R>(items: T[], size: number, run: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return out;
}

describe('authorization matrix', () => {
  let w: World;

  beforeAll(async () => {
    w = await startWorld();
  }, 240_000);
  afterAll(async () => {
    await w?.stop();
  });

  it('has an entry for every route of every service, and no entry for a route that does not exist', () => {
    const missing: string[] = [];
    const stale: string[] = [];
    for (const service of Object.keys(EXPECTATIONS) as Service[]) {
      const keys = routeKeys(w.apps[service]);
      expect(keys.length, `${service} has routes`).toBeGreaterThan(0);
      for (const k of keys) if (!EXPECTATIONS[service][k]) missing.push(`${service}: ${k}`);
      for (const k of Object.keys(EXPECTATIONS[service])) if (!keys.includes(k)) stale.push(`${service}: ${k}`);
    }
    expect(missing, 'routes without an entry in authz-matrix-table.ts: say who may call them').toEqual([]);
    expect(stale, 'entries in authz-matrix-table.ts for routes that no longer exist').toEqual([]);
  });

  for (const pass of ['signed', 'keycloak'] as const) {
    it(`refuses every call the matrix does not allow, and answers every allowed call as its entry says (tokens ${pass === 'signed' ? 'the world signs' : 'of the real Keycloak'})`, async () => {
      const world = pass === 'signed' ? w : await withKeycloakTokens(w);
      const outcomes = await runMatrix(world, pass);
      const problems = outcomes.filter((o) => o.problem).map((o) => `${o.service} ${o.key} as ${o.caller} (${o.scope}): ${o.problem}`);
      expect(problems, 'calls that broke the matrix').toEqual([]);
      // The matrix is only worth something if it exercised both sides everywhere.
      expect(outcomes.filter((o) => !o.allowed).length).toBeGreaterThan(500);
      expect(outcomes.filter((o) => o.allowed && o.status < 300).length).toBeGreaterThan(200);
      for (const service of Object.keys(EXPECTATIONS) as Service[]) {
        expect(outcomes.filter((o) => o.service === service && o.allowed && o.status < 300).length, `${service}: allowed calls answered`).toBeGreaterThan(0);
      }
    }, 600_000);
  }

  it('limits ticket creation per person: 429 with the error envelope and Retry-After, nothing created', async () => {
    const limited = createTicketApp({ ...w.ticketDeps, rateLimits: { ticketCreatePerMinute: 2 } });
    const open = (caller: CallerName, siteId: string) =>
      limited.request('/api/v1/tickets', {
        method: 'POST',
        headers: { authorization: `Bearer ${w.callers[caller].token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Rate limited', description: 'x', category: 'network', impact: 'one_user', urgency: 'low', siteId }),
      });
    expect((await open('nurse', 'north')).status).toBe(201);
    expect((await open('nurse', 'north')).status).toBe(201);
    const before = await w.ticketSql`select count(*)::int as n from tickets where title = 'Rate limited'`;
    const refused = await open('nurse', 'north');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    const body = (await refused.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('ticket creation'), requestId: expect.any(String) });
    const after = await w.ticketSql`select count(*)::int as n from tickets where title = 'Rate limited'`;
    expect(after[0]!['n'], 'the refused request created nothing').toBe(before[0]!['n']);
    expect((await open('otherNurse', 'south')).status, 'another person has a window of their own').toBe(201);
  });
});


/** One pass of the matrix over the world's apps, with the world's callers and their tokens. */
async function runMatrix(w: World, pass: string): Promise<Outcome[]> {
  const started = Date.now();
  const checks: Check[] = [];
  for (const service of Object.keys(EXPECTATIONS) as Service[]) {
    const present = new Set(routeKeys(w.apps[service]));
    for (const [key, exp] of Object.entries(EXPECTATIONS[service])) {
      if (!present.has(key)) continue;
      const method = key.split(' ')[0]!;
      for (const caller of CALLERS) {
        for (const target of targetsFor(exp.objects, caller, w)) {
          const allowed = exp.public !== undefined || (target.scope === 'own' ? exp.own : (exp.foreign ?? [])).includes(caller);
          checks.push({ service, key, method: method === 'ALL' ? 'GET' : method, exp, caller, scope: target.scope, target, allowed });
        }
      }
    }
  }

  const run = async (c: Check): Promise<Outcome> => {
    let ticket = w.fixtures.tickets[c.target.ticketKind];
    if (c.allowed && c.exp.fresh) {
      ticket = await w.fixtures.freshTicket(c.target.ticketKind, 'Throwaway ticket of the authorization matrix');
      await c.exp.fresh.prepare?.(w, ticket.id);
    }
    const ctx: CallContext = { w, caller: w.callers[c.caller], scope: c.scope, ticketId: ticket.id, ticketKind: c.target.ticketKind, userId: c.target.userId, allowed: c.allowed };
    const req = await c.exp.request(ctx);
    const res = c.exp.probe ? await c.exp.probe(ctx, req) : await w.as(c.caller, c.service)(c.method, req.path, req.body, req.headers);
    const expected = expectedStatus(c.exp, c.scope);
    let problem: string | null = null;
    if (res.status >= 500) problem = `server error ${res.status}`;
    else if (!c.allowed && ![401, 403, 404].includes(res.status)) problem = `not allowed, but answered ${res.status}`;
    else if (c.allowed && res.status !== expected) problem = `allowed, and its entry says ${expected}, but answered ${res.status}`;
    else if (c.allowed && res.status < 300) {
      problem = c.exp.check?.(res, ctx) ?? null;
      c.exp.after?.(res, ctx);
    }
    if (problem) problem += `: ${JSON.stringify(res.body)?.slice(0, 200)}`;
    return { ...c, status: res.status, problem };
  };

  // Reads first, in parallel; then what changes state, one route at a time, so a resolve or a
  // published policy cannot change what a read above sees.
  const outcomes: Outcome[] = [];
  outcomes.push(...(await inBatches(checks.filter((c) => !c.exp.mutates), 8, run)));
  const mutating = checks.filter((c) => c.exp.mutates);
  for (const key of [...new Set(mutating.map((c) => `${c.service} ${c.key}`))]) {
    outcomes.push(...(await inBatches(mutating.filter((c) => `${c.service} ${c.key}` === key), 4, run)));
  }
  printSummary(outcomes, Date.now() - started, pass);
  return outcomes;
}

function printSummary(outcomes: Outcome[], ms: number, pass: string) {
  const rows = new Map<string, { checks: number; refused: number; ok2xx: number; okOther: Map<number, number>; broken: number }>();
  for (const o of outcomes) {
    const r = rows.get(o.service) ?? { checks: 0, refused: 0, ok2xx: 0, okOther: new Map(), broken: 0 };
    r.checks++;
    if (o.problem) r.broken++;
    if (!o.allowed) r.refused++;
    else if (o.status < 300) r.ok2xx++;
    else r.okOther.set(o.status, (r.okOther.get(o.status) ?? 0) + 1);
    rows.set(o.service, r);
  }
  const lines = ['service       checks  refused  allowed:2xx  allowed:other (status×n)  broken'];
  for (const [service, r] of rows) {
    const other = [...r.okOther].map(([s, n]) => `${s}×${n}`).join(' ') || '-';
    lines.push(`${service.padEnd(13)} ${String(r.checks).padStart(6)}  ${String(r.refused).padStart(7)}  ${String(r.ok2xx).padStart(11)}  ${other.padEnd(24)}  ${r.broken}`);
  }
  const odd = outcomes.filter((o) => o.allowed && o.status >= 300 && !o.problem).map((o) => `  ${o.status} ${o.service} ${o.key} as ${o.caller} (${o.scope})`);
  console.log(`authorization matrix (${pass} tokens): ${outcomes.length} calls in ${(ms / 1000).toFixed(1)} s\n${lines.join('\n')}${odd.length ? `\nallowed, not 2xx, as their entries say (state, not access):\n${odd.join('\n')}` : ''}`);
}
