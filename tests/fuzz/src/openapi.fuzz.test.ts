/**
 * Every service's served OpenAPI document, fuzzed by Schemathesis against the real services, as
 * an IT lead (who may do nearly everything) and as clinic staff (who may do little): no 5xx, every
 * status documented, every response valid against its schema, invalid input refused.
 *
 * `npm test` runs it with a fixed seed and few examples per operation (FUZZ_SEED, FUZZ_MAX_EXAMPLES
 * change them); `npm run fuzz` runs longer with a fresh seed, printed so a failure can be replayed.
 */
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
