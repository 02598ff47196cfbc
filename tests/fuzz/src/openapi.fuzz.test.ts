/**
 * Every service's served OpenAPI document, fuzzed by Schemathesis against the real services, as
 * an IT lead (who may do nearly everything) and as clinic staff (who may do little): no 5xx, every
 * status documented, every response valid against its schema, invalid input refused.
 *
 * `npm test` runs it with a fixed seed and few examples per operation (FUZZ_SEED, FUZZ_MAX_EXAMPLES
 * change them); `npm run fuzz` runs longer with a fresh seed, printed so a failure can be replayed.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, loginAs } from '@tierline/testing';
import { startServices, type FuzzedService } from './stack.js';
import { runSchemathesis } from './schemathesis.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const MAX_EXAMPLES = Number(process.env.FUZZ_MAX_EXAMPLES ?? 5);
/** Per service and person: about a minute and a half for the ticket service at 5 examples on 2 cores. */
const RUN_TIMEOUT_MS = MAX_EXAMPLES <= 5 ? 10 * 60_000 : 90 * 60_000;

const PEOPLE = [
  { username: 'lee.lead', role: 'IT lead' },
  { username: 'nora.nurse', role: 'clinic staff' },
] as const;

/**
 * The operations not fuzzed, and only as the IT lead: user management acts on the real accounts
 * of the Keycloak realm that every test (and every engineer's stack) shares. Schemathesis reuses
 * the ids it reads from GET /api/v1/directory/users, so as an IT lead it disables the demo people
 * and changes their roles (a first run did exactly that), and an invitation creates accounts
 * nothing here could take out again. As clinic staff all four are fuzzed and refused (403) before
 * Keycloak is asked anything; identity's own integration tests drive them on real accounts.
 */
const SHARED_REALM = 'changes real accounts of the Keycloak realm every test shares';
const EXCLUDED: Record<string, Record<string, readonly { operation: string; why: string }[]>> = {
  'lee.lead': {
    identity: [
      { operation: 'POST /api/v1/directory/users', why: SHARED_REALM },
      { operation: 'POST /api/v1/directory/users/{id}/disable', why: SHARED_REALM },
      { operation: 'POST /api/v1/directory/users/{id}/enable', why: SHARED_REALM },
      { operation: 'PUT /api/v1/directory/users/{id}/roles', why: SHARED_REALM },
    ],
  },
};

let stack: Awaited<ReturnType<typeof startServices>>;

beforeAll(async () => {
  stack = await startServices('openapi');
  console.log(`fuzz: seed ${SEED}, ${MAX_EXAMPLES} examples per operation (FUZZ_SEED=${SEED} replays it)`);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const serviceNames: FuzzedService['name'][] = ['ticket', 'identity', 'notification', 'audit'];

describe.each(PEOPLE)('the OpenAPI documents fuzzed as $role ($username)', ({ username }) => {
  it.each(serviceNames)('the %s service answers every generated request as its document says', async (name) => {
    const service = stack.services.find((s) => s.name === name)!;
    // A fresh login per run: a run may outlast an access token.
    const { access_token: accessToken } = await loginAs(username, DEMO_PASSWORD);
    const exclude = EXCLUDED[username]?.[name] ?? [];
    const result = await runSchemathesis({
      documentUrl: `${service.baseUrl}${service.documentPath}`,
      baseUrl: service.baseUrl,
      token: accessToken,
      seed: SEED,
      maxExamples: MAX_EXAMPLES,
      exclude,
    });
    const report = `st ${result.args.join(' ')}\n${result.output}`;
    // A few lines per run in the log: how much was generated, how long it took, and Schemathesis'
    // warnings (which do not fail the run), e.g. operations that refused most generated requests.
    const warnings = (/=+ WARNINGS =+\n([\s\S]*?)\n=+ SUMMARY =+/.exec(result.output)?.[1] ?? '')
      .split('\n')
      .filter((l) => l.trim() && !l.trim().startsWith('💡'));
    console.log(
      [`fuzz ${name} as ${username}: ${/Test cases:\s*\n\s*(.+)/.exec(result.output)?.[1] ?? '(no summary)'}; ${/=+ (.+ in [\d.]+s) =+/.exec(result.output)?.[1] ?? ''}`, ...warnings].join('\n  '),
    );
    // Schemathesis exits 0 only when every check passed on every generated request.
    expect(result.code, report).toBe(0);
    // …and it tested every operation of the document but the excluded ones (a document it could
    // not read, or an exclusion that matched more than it says, would show here).
    const ops = /Operations:\s+(\d+) selected \/ (\d+) total/.exec(result.output);
    expect(ops, report).not.toBeNull();
    expect(Number(ops![1]), report).toBe(Number(ops![2]) - exclude.length);
    expect(Number(ops![1]), report).toBeGreaterThan(0);
  }, RUN_TIMEOUT_MS);
});

/** A request over a real socket: fetch refuses to send TRACE, node's HTTP client does not. */
function trace(url: string, token: string): Promise<{ status: number; allow: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'TRACE', headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow }));
    });
    req.on('error', reject);
    req.end();
  });
}

// The findings of the first Schemathesis run, each on the real services and PostgreSQL.
describe('the findings of the first fuzzing, on the real services', () => {
  const ticket = () => stack.services.find((s) => s.name === 'ticket')!.baseUrl;

  it('a NUL character in a ticket title is a 400 naming the field, not a 500 from PostgreSQL', async () => {
    const { access_token: token } = await loginAs('nora.nurse', DEMO_PASSWORD);
    const res = await fetch(`${ticket()}/api/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'EHR down\u0000', category: 'ehr', siteId: 'north', impact: 'whole_site', urgency: 'high' }),
    });
    const body = (await res.json()) as { error: { details?: { path: string }[] } };
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.error.details?.map((d) => d.path)).toEqual(['title']);
  });

  it('a malformed ticket id is a 400, and the document declares it', async () => {
    const { access_token: token } = await loginAs('nora.nurse', DEMO_PASSWORD);
    const res = await fetch(`${ticket()}/api/v1/tickets/not-a-ticket/comments`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(400);
    const doc = (await (await fetch(`${ticket()}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: object }>> };
    expect(doc.paths['/api/v1/tickets/{id}/comments']!['get']!.responses).toHaveProperty('400');
  });

  it('TRACE on a service path is a 405 with Allow', async () => {
    const { access_token: token } = await loginAs('nora.nurse', DEMO_PASSWORD);
    const res = await trace(`${ticket()}/api/v1/tickets`, token);
    expect(res.status).toBe(405);
    expect(res.allow).toBe('GET, HEAD, POST');
  });
});
