/**
 * The /api/v1/policies endpoints against the real PostgreSQL, Keycloak (PKCE logins of the demo
 * users) and NATS JetStream. One database for the file; the tests run in order and build on each
 * other (versions 1 and 2 are published along the way).
 */
import { describe, expect, it } from 'vitest';
import { EscalationPolicySchema, type EscalationPolicy, type EventEnvelope } from '@tierline/contracts';
import type { Sql } from '@tierline/platform';
import { DEFAULT_POLICY } from '@tierline/domain';
import { demoTokens, subjectOf, type HttpCall } from '@tierline/test-fixtures';
import { ticketAppTest } from '../test/fixtures.js';

// An ordered consumer of new policy events, started before anything is published.
const test = ticketAppTest({ label: 'policies', categories: ['ehr', 'network'], events: ['tierline.events.policy.>'] });
let sql: Sql;
let appCall: HttpCall;
let tokens: Record<'lee' | 'alex' | 'nora' | 'audrey', string>;
let leeId = '';
let received: EventEnvelope[] = [];

async function call(who: keyof typeof tokens | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const { status, body: json, headers: h } = await appCall(who ? tokens[who] : null, method, path, body, headers);
  return { status, body: json, headers: h };
}

/** Waits for a policy event of this database's outbox to arrive on the stream. */
async function eventArrived(type: string, match: (e: EventEnvelope) => boolean = () => true): Promise<EventEnvelope> {
  const ours = new Set((await sql<{ event_id: string }[]>`select event_id from policy_outbox where published_at is not null`).map((r) => r.event_id));
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const e = received.find((x) => x.type === type && ours.has(x.id) && match(x));
    if (e) return e;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${type} event arrived; got ${JSON.stringify(received.filter((x) => ours.has(x.id)).map((x) => x.type))}`);
}

const parsedDefault: EscalationPolicy = EscalationPolicySchema.parse(DEFAULT_POLICY);
const clone = (): EscalationPolicy => structuredClone(parsedDefault);

test.beforeAll(async ({ database, app, events }) => {
  sql = database.sql;
  appCall = app.call;
  received = events.received;
  tokens = await demoTokens({ lee: 'lee.lead', alex: 'alex.agent', nora: 'nora.nurse', audrey: 'audrey.auditor' });
  leeId = subjectOf(tokens.lee);
});

describe('policies: happy path', () => {
  it('has no draft and no version in a new installation', async () => {
    const r = await call('lee', 'GET', '/api/v1/policies/draft');
    expect(r.status, JSON.stringify(r.body)).toBe(404);
    const v = await call('lee', 'GET', '/api/v1/policies/versions');
    expect(v.body).toEqual({ items: [], latest: null });
    const check = await call('lee', 'POST', '/api/v1/policies/draft/validate');
    expect(check.status, JSON.stringify(check.body)).toBe(404);
  });

  it('saves a first draft with If-Match "0" and reads it back with its ETag', async () => {
    const put = await call('lee', 'PUT', '/api/v1/policies/draft', DEFAULT_POLICY, { 'if-match': '"0"' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ valid: true, issues: [], draft: { lockVersion: 1, basedOnVersion: null, updatedBy: leeId } });
    expect(put.headers.get('etag')).toBe('"1"');
    const get = await call('alex', 'GET', '/api/v1/policies/draft');
    expect(get.status).toBe(200);
    expect(get.body.draft.policy).toEqual(parsedDefault);
    expect(get.body.draft.lockVersion).toBe(1);
    expect(get.headers.get('etag')).toBe('"1"');
    const e = await eventArrived('policy.draft_saved');
    expect(e.actor).toEqual({ kind: 'user', id: leeId, role: 'it_lead' });
    expect(e.data).toEqual({ policyName: DEFAULT_POLICY.name, lockVersion: 1, basedOnVersion: null, valid: true, issueCount: 0 });
  });

  it('publishes the draft as version 1, and refuses to publish it again unchanged', async () => {
    const pub = await call('lee', 'POST', '/api/v1/policies/draft/publish', { notes: 'first policy' });
    expect(pub.status, JSON.stringify(pub.body)).toBe(201);
    expect(pub.body).toMatchObject({ version: 1, publishedBy: leeId, notes: 'first policy' });
    expect(pub.body.policy).toEqual(parsedDefault);
    expect(pub.headers.get('location')).toBe('/api/v1/policies/versions/1');
    const e = await eventArrived('policy.published', (x) => x.data['version'] === 1);
    expect(e.data).toEqual({ version: 1, policyName: DEFAULT_POLICY.name });
    const again = await call('lee', 'POST', '/api/v1/policies/draft/publish');
    expect(again.status, JSON.stringify(again.body)).toBe(409);
    expect(again.body.error.message).toMatch(/identical to version 1/);
  });

  it('publishes an edited draft as version 2 and lists both, newest first', async () => {
    const next = clone();
    next.rules[0]!.responseTargetMinutes = 10;
    next.rules[0]!.levels[0]!.after.minutes = 10;
    const put = await call('lee', 'PUT', '/api/v1/policies/draft', next, { 'if-match': '"1"' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.draft).toMatchObject({ lockVersion: 2, basedOnVersion: 1 });
    const pub = await call('lee', 'POST', '/api/v1/policies/draft/publish', undefined, { 'if-match': '"2"' });
    expect(pub.status, JSON.stringify(pub.body)).toBe(201);
    expect(pub.body.version).toBe(2);

    const list = await call('audrey', 'GET', '/api/v1/policies/versions');
    expect(list.status).toBe(200);
    expect(list.body.latest).toBe(2);
    expect(list.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(list.body.items[1]).toMatchObject({ version: 1, name: DEFAULT_POLICY.name, publishedBy: leeId, notes: 'first policy' });
    expect(Date.parse(list.body.items[0].publishedAt)).toBeGreaterThan(0);

    const v1 = await call('alex', 'GET', '/api/v1/policies/versions/1');
    expect(v1.status).toBe(200);
    expect(v1.body.policy).toEqual(parsedDefault);
    const v2 = await call('alex', 'GET', '/api/v1/policies/versions/2');
    expect(v2.body.policy.rules[0].responseTargetMinutes).toBe(10);
  });

  it('diffs two versions, and a version against the draft', async () => {
    const d = await call('alex', 'GET', '/api/v1/policies/diff?from=1&to=2');
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    expect(d.body).toEqual({
      from: 1,
      to: 2,
      changes: [
        { path: 'rules.0.levels.0.after.minutes', kind: 'changed', from: 15, to: 10 },
        { path: 'rules.0.responseTargetMinutes', kind: 'changed', from: 15, to: 10 },
      ],
    });
    const back = await call('alex', 'GET', '/api/v1/policies/diff?from=2&to=1');
    expect(back.body.changes[0]).toEqual({ path: 'rules.0.levels.0.after.minutes', kind: 'changed', from: 10, to: 15 });
    const toDraft = await call('alex', 'GET', '/api/v1/policies/diff?from=2&to=draft');
    expect(toDraft.body).toEqual({ from: 2, to: 'draft', changes: [] });
  });

  it('validates the stored draft when no body is posted', async () => {
    const r = await call('alex', 'POST', '/api/v1/policies/draft/validate');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ valid: true, issues: [] });
  });
});

describe('policies: errors', () => {
  it('refuses a save based on a stale lockVersion with 409, overwriting nothing', async () => {
    const stale = clone();
    stale.description = 'stale edit';
    const r = await call('lee', 'PUT', '/api/v1/policies/draft', stale, { 'if-match': '"1"' });
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body.error.message).toMatch(/now lockVersion 2, you sent 1/);
    const get = await call('lee', 'GET', '/api/v1/policies/draft');
    expect(get.body.draft.lockVersion).toBe(2);
    expect(get.body.draft.policy.description).toBe(DEFAULT_POLICY.description);
  });

  it('requires If-Match on a save, and a well-formed one', async () => {
    const none = await call('lee', 'PUT', '/api/v1/policies/draft', DEFAULT_POLICY);
    expect(none.status).toBe(400);
    expect(none.body.error.details).toEqual([expect.objectContaining({ path: 'if-match' })]);
    const bad = await call('lee', 'PUT', '/api/v1/policies/draft', DEFAULT_POLICY, { 'if-match': '*' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('if-match');
  });

  it('refuses a structurally invalid draft with 400 naming each field', async () => {
    const body = { ...clone(), rules: [], reopenPolicy: 'whenever', calendars: { always: { mode: 'lunar', timeZone: 'UTC' } } };
    const r = await call('lee', 'PUT', '/api/v1/policies/draft', body, { 'if-match': '"2"' });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    const paths = r.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['rules', 'reopenPolicy', 'calendars.always.mode']));
    expect((await call('lee', 'GET', '/api/v1/policies/draft')).body.draft.lockVersion).toBe(2);
  });

  it('stores a well-formed but semantically invalid draft, reports its issues, and will not publish it', async () => {
    const p = clone();
    // P1 resolves in 240 min; a level at 300 min fires after the resolution target.
    p.rules[0]!.levels[1]!.after.minutes = 300;
    const put = await call('lee', 'PUT', '/api/v1/policies/draft', p, { 'if-match': '"2"' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.valid).toBe(false);
    expect(put.body.draft.lockVersion).toBe(3);
    expect(put.body.issues.map((i: { path: string }) => i.path)).toContain('rules.0.levels.1.after.minutes');
    const e = await eventArrived('policy.draft_saved', (x) => x.data['lockVersion'] === 3);
    expect(e.data).toMatchObject({ valid: false, issueCount: put.body.issues.length });

    const get = await call('lee', 'GET', '/api/v1/policies/draft');
    expect(get.body).toMatchObject({ valid: false, draft: { lockVersion: 3 } });
    expect(get.body.draft.policy.rules[0].levels[1].after.minutes).toBe(300);

    const pub = await call('lee', 'POST', '/api/v1/policies/draft/publish');
    expect(pub.status, JSON.stringify(pub.body)).toBe(422);
    expect(pub.body.error.code).toBe('UNPROCESSABLE');
    expect(pub.body.error.details.map((d: { path: string }) => d.path)).toContain('rules.0.levels.1.after.minutes');
    expect((await call('lee', 'GET', '/api/v1/policies/versions')).body.latest).toBe(2);
  });

  it('refuses to publish a draft that changed since it was reviewed', async () => {
    const r = await call('lee', 'POST', '/api/v1/policies/draft/publish', { notes: 'x' }, { 'if-match': '"2"' });
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body.error.message).toMatch(/now lockVersion 3/);
  });

  it('validate names the field of each semantic problem in a posted policy', async () => {
    const cases: [string, (p: EscalationPolicy) => void, string][] = [
      ['a level after the resolution target', (p) => void (p.rules[0]!.levels[1]!.after.minutes = 241), 'rules.0.levels.1.after.minutes'],
      ['an unknown time zone', (p) => void (p.calendars['always']!.timeZone = 'America/Springfield'), 'calendars.always.timeZone'],
      [
        'a business-hours calendar without hours',
        (p) => {
          p.calendars['clinic-hours'] = { mode: 'business_hours', timeZone: 'America/New_York', weeklyHours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }, holidays: [] };
        },
        'calendars.clinic-hours.weeklyHours',
      ],
      ['a rule on a calendar that does not exist', (p) => void (p.rules[0]!.calendar = 'nowhere'), 'rules.0.calendar'],
    ];
    for (const [what, edit, path] of cases) {
      const p = clone();
      edit(p);
      const r = await call('alex', 'POST', '/api/v1/policies/draft/validate', p);
      expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.body.valid, what).toBe(false);
      expect(r.body.issues.map((i: { path: string }) => i.path), what).toContain(path);
      expect(r.body.issues.find((i: { path: string }) => i.path === path).message, what).toBeTruthy();
    }
  });

  it('validate reports structural problems as issues too, not as a 400', async () => {
    const r = await call('alex', 'POST', '/api/v1/policies/draft/validate', { ...clone(), rules: 'all of them' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ valid: false, issues: [expect.objectContaining({ path: 'rules' })] });
    // The auto-close days (decision 38): out of range is named with the range the editor should offer.
    const days = await call('alex', 'POST', '/api/v1/policies/draft/validate', { ...clone(), autoCloseAfterDays: 45 });
    expect(days.body).toEqual({ valid: false, issues: [{ path: 'autoCloseAfterDays', message: expect.stringMatching(/at most 30 days/) }] });
    expect((await call('alex', 'POST', '/api/v1/policies/draft/validate', { ...clone(), autoCloseAfterDays: 7 })).body).toEqual({ valid: true, issues: [] });
    const stored = await call('alex', 'POST', '/api/v1/policies/draft/validate');
    expect(stored.body.valid).toBe(false);
  });

  it('refuses every change to a published version with 409, and the database refuses it too', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const r = await call('lee', method, '/api/v1/policies/versions/1', method === 'DELETE' ? undefined : DEFAULT_POLICY);
      expect(r.status, `${method}: ${JSON.stringify(r.body)}`).toBe(409);
      expect(r.body.error.message).toMatch(/^version 1 is published and cannot change/);
    }
    expect((await call('lee', 'PUT', '/api/v1/policies/versions/99', DEFAULT_POLICY)).status).toBe(404);

    await expect(sql`update policy_versions set notes = 'rewritten' where version = 1`).rejects.toThrow(/version 1 is published and cannot change/);
    await expect(sql`update policy_versions set document = '{}'::jsonb`).rejects.toThrow(/is published and cannot change/);
    await expect(sql`delete from policy_versions where version = 2`).rejects.toThrow(/version 2 is published and cannot change/);
    await expect(sql`truncate policy_versions cascade`).rejects.toThrow(/immutable/);
    const [v1] = await sql`select notes from policy_versions where version = 1`;
    expect(v1!.notes).toBe('first policy');
  });

  it('answers 404 for unknown versions and 400 for malformed ones', async () => {
    expect((await call('alex', 'GET', '/api/v1/policies/versions/7')).status).toBe(404);
    const bad = await call('alex', 'GET', '/api/v1/policies/versions/first');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('version');
    expect((await call('alex', 'GET', '/api/v1/policies/diff?from=1&to=9')).status).toBe(404);
    const d = await call('alex', 'GET', '/api/v1/policies/diff?from=one&to=2');
    expect(d.status).toBe(400);
    expect(d.body.error.details.map((x: { path: string }) => x.path)).toContain('from');
  });
});

describe('policies: API description', () => {
  it('documents every policy endpoint under the Policies tag', async () => {
    const r = await call(null, 'GET', '/api/v1/openapi.json');
    expect(r.status).toBe(200);
    const ops = Object.entries(r.body.paths as Record<string, Record<string, { tags?: string[] }>>)
      .filter(([p]) => p.startsWith('/api/v1/policies'))
      .flatMap(([p, methods]) => Object.entries(methods).map(([m, op]) => ({ op: `${m.toUpperCase()} ${p}`, tags: op.tags })));
    expect(ops.map((o) => o.op).sort()).toEqual(
      [
        'GET /api/v1/policies/draft',
        'PUT /api/v1/policies/draft',
        'POST /api/v1/policies/draft/validate',
        'POST /api/v1/policies/draft/publish',
        'GET /api/v1/policies/versions',
        'GET /api/v1/policies/versions/{version}',
        'PUT /api/v1/policies/versions/{version}',
        'PATCH /api/v1/policies/versions/{version}',
        'DELETE /api/v1/policies/versions/{version}',
        'GET /api/v1/policies/diff',
        'POST /api/v1/policies/migrate',
        'POST /api/v1/policies/preview',
        'POST /api/v1/policies/what-if',
      ].sort(),
    );
    expect(ops.every((o) => o.tags?.join() === 'Policies')).toBe(true);
    expect(r.body.components.schemas).toHaveProperty('EscalationPolicy');
  });
});

describe('policies: security', () => {
  it('needs a token', async () => {
    for (const [m, p] of [['GET', '/api/v1/policies/draft'], ['GET', '/api/v1/policies/versions'], ['PUT', '/api/v1/policies/draft']] as const) {
      const r = await call(null, m, p, m === 'PUT' ? DEFAULT_POLICY : undefined);
      expect(r.status, `${m} ${p}`).toBe(401);
    }
  });

  it('lets IT agents and auditors read but not change', async () => {
    for (const who of ['alex', 'audrey'] as const) {
      expect((await call(who, 'GET', '/api/v1/policies/draft')).status, who).toBe(200);
      expect((await call(who, 'GET', '/api/v1/policies/versions')).status, who).toBe(200);
      expect((await call(who, 'GET', '/api/v1/policies/versions/1')).status, who).toBe(200);
      expect((await call(who, 'GET', '/api/v1/policies/diff?from=1&to=2')).status, who).toBe(200);
      const put = await call(who, 'PUT', '/api/v1/policies/draft', DEFAULT_POLICY, { 'if-match': '"3"' });
      expect(put.status, `${who} PUT: ${JSON.stringify(put.body)}`).toBe(403);
      expect(put.body.error.code).toBe('FORBIDDEN');
      expect((await call(who, 'POST', '/api/v1/policies/draft/publish')).status, who).toBe(403);
      expect((await call(who, 'PUT', '/api/v1/policies/versions/1', DEFAULT_POLICY)).status, who).toBe(403);
      const mig = await call(who, 'POST', '/api/v1/policies/migrate', { toVersion: 2, filter: {}, reason: 'try' });
      expect(mig.status, who).toBe(403);
    }
    expect((await call('lee', 'GET', '/api/v1/policies/draft')).body.draft.lockVersion).toBe(3);
  });

  it('refuses clinic staff everything, before looking at the body', async () => {
    for (const [m, p] of [
      ['GET', '/api/v1/policies/draft'],
      ['GET', '/api/v1/policies/versions'],
      ['GET', '/api/v1/policies/versions/1'],
      ['GET', '/api/v1/policies/diff?from=1&to=2'],
      ['POST', '/api/v1/policies/draft/validate'],
      ['POST', '/api/v1/policies/draft/publish'],
    ] as const) {
      const r = await call('nora', m, p);
      expect(r.status, `${m} ${p}: ${JSON.stringify(r.body)}`).toBe(403);
    }
    const garbage = await call('nora', 'PUT', '/api/v1/policies/draft', { nonsense: true });
    expect(garbage.status, JSON.stringify(garbage.body)).toBe(403);
  });
});

// Finding of the OpenAPI fuzzing: `PUT /api/v1/policies/versions/41973296136555` was a 500, the
// number reaching a PostgreSQL integer column. Every method on the path, and the diff and migrate
// numbers, must refuse it with a 400 naming the field.
describe('policies: numbers beyond PostgreSQL integer', () => {
  it('refuses a version beyond 2147483647 in the path with a 400 naming it, on every method', async () => {
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      const r = await call('lee', method, '/api/v1/policies/versions/41973296136555');
      expect(r.status, `${method}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.error.details.map((d: { path: string }) => d.path)).toEqual(['version']);
    }
    expect((await call('lee', 'GET', '/api/v1/policies/versions/2147483647')).status).toBe(404);
  });

  it('refuses such a number in a diff query and in a migration body', async () => {
    expect((await call('lee', 'GET', '/api/v1/policies/diff?from=1&to=41973296136555')).status).toBe(400);
    const r = await call('lee', 'POST', '/api/v1/policies/migrate', { toVersion: 41973296136555, filter: {}, reason: 'out of range' });
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toEqual(['toVersion']);
  });
});
