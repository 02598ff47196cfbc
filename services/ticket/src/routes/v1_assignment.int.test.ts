/**
 * The assignment endpoints (teams, members, rules, on-call) against the real PostgreSQL, Keycloak
 * (PKCE logins of the demo users) and NATS JetStream. One database for the file, migrated with
 * the seed of 004_assignment.sql; the happy-path tests run in order and build on each other.
 */
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@tierline/contracts';
import type { Sql } from '@tierline/platform';
import { forgeFrom, serviceToken } from '@tierline/testing';
import { demoTokens, subjectOf, type HttpCall } from '@tierline/test-fixtures';
import { ticketAppTest } from '../test/fixtures.js';

const test = ticketAppTest({ label: 'assignment', categories: ['ehr', 'network', 'printer_scanner', 'other'], events: ['tierline.events.assignment.>'] });
let sql: Sql;
let appCall: HttpCall;
let tokens: Record<'lee' | 'alex' | 'nora', string>;
const ids: Record<'lee' | 'alex', string> = { lee: '', alex: '' };
let received: EventEnvelope[] = [];

/** A request as a named demo user, as a given token (any other string), or with none (null). */
async function call(who: string | null, method: string, path: string, body?: unknown) {
  const token = who === null ? null : who in tokens ? tokens[who as keyof typeof tokens] : who;
  const { status, body: json, headers } = await appCall(token, method, path, body);
  return { status, body: json, headers };
}

/** Waits for an event of this database's outbox to arrive on the stream. */
async function eventArrived(type: string, match: (e: EventEnvelope) => boolean = () => true): Promise<EventEnvelope> {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const ours = new Set((await sql<{ event_id: string }[]>`select event_id from policy_outbox where published_at is not null`).map((r) => r.event_id));
    const e = received.find((x) => x.type === type && ours.has(x.id) && match(x));
    if (e) return e;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no matching ${type} event arrived; got ${JSON.stringify(received.map((x) => [x.type, x.data]))}`);
}

const subOf = subjectOf;

const weekdays = (start: string, end: string) => {
  const d = [{ start, end }];
  return { mon: d, tue: d, wed: d, thu: d, fri: d, sat: [], sun: [] };
};

test.beforeAll(async ({ database, app, events }) => {
  sql = database.sql;
  appCall = app.call;
  received = events.received;
  tokens = await demoTokens({ lee: 'lee.lead', alex: 'alex.agent', nora: 'nora.nurse' });
  ids.lee = subOf(tokens.lee);
  ids.alex = subOf(tokens.alex);
});

describe('assignment: happy path', () => {
  it('serves the seeded teams, members and rules to IT agents', async () => {
    const teams = await call('alex', 'GET', '/api/v1/teams');
    expect(teams.status, JSON.stringify(teams.body)).toBe(200);
    expect(teams.body.items.map((t: { id: string; tier: number }) => [t.id, t.tier])).toEqual([
      ['biomed', 1],
      ['it-helpdesk', 1],
      ['it-tier1', 1],
      ['it-tier2', 2],
    ]);
    const tier1 = await call('alex', 'GET', '/api/v1/teams/it-tier1');
    expect(tier1.body).toMatchObject({ name: 'Help desk', timeZone: 'America/New_York', members: [{ username: 'alex.agent', skills: ['ehr', 'network'], available: true, userId: null }] });
    const rules = await call('alex', 'GET', '/api/v1/assignment-rules');
    expect(rules.body.rules).toEqual([
      { position: 0, category: 'ehr', siteId: null, teamId: 'it-tier1', requiredSkills: ['ehr'], escalationTeamId: null },
      { position: 1, category: 'network', siteId: null, teamId: 'it-tier1', requiredSkills: [], escalationTeamId: null },
      { position: 2, category: null, siteId: null, teamId: 'it-tier1', requiredSkills: [], escalationTeamId: null },
    ]);
  });

  it('creates a team (201), then updates it (200), publishing assignment.team_changed by the lead', async () => {
    const body = { name: 'EHR specialists', tier: 2, timeZone: 'America/Chicago', weeklyHours: weekdays('07:00', '19:00') };
    const created = await call('lee', 'PUT', '/api/v1/teams/ehr-specialists', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ id: 'ehr-specialists', tier: 2, leadUsername: null, members: [], updatedBy: ids.lee });
    const updated = await call('lee', 'PUT', '/api/v1/teams/ehr-specialists', { ...body, leadUsername: 'lee.lead' });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.leadUsername).toBe('lee.lead');
    const e = await eventArrived('assignment.team_changed', (x) => x.data['teamId'] === 'ehr-specialists' && x.data['change'] === 'team_updated');
    expect(e.actor).toEqual({ kind: 'user', id: ids.lee, role: 'it_lead' });
    expect(e.data).toMatchObject({ name: 'EHR specialists', tier: 2, timeZone: 'America/Chicago', leadUsername: 'lee.lead' });
  });

  it('adds and updates members; a lead adding themselves records their user id', async () => {
    const self = await call('lee', 'PUT', '/api/v1/teams/ehr-specialists/members/lee.lead', { displayName: 'Lee Lead', skills: ['ehr'] });
    expect(self.status, JSON.stringify(self.body)).toBe(201);
    expect(self.body).toMatchObject({ username: 'lee.lead', userId: ids.lee, skills: ['ehr'], available: true });
    const alex = await call('lee', 'PUT', '/api/v1/teams/it-tier1/members/alex.agent', {
      displayName: 'Alex Agent',
      skills: ['ehr', 'network'],
      userId: ids.alex,
    });
    expect(alex.status, JSON.stringify(alex.body)).toBe(200);
    expect(alex.body.userId).toBe(ids.alex);
    // Omitting userId later keeps it.
    const away = await call('lee', 'PUT', '/api/v1/teams/it-tier1/members/alex.agent', { displayName: 'Alex Agent', skills: ['ehr', 'network'], available: false });
    expect(away.body).toMatchObject({ available: false, userId: ids.alex });
    const e = await eventArrived('assignment.team_changed', (x) => x.data['change'] === 'member_updated' && x.data['available'] === false);
    expect(e.data).toEqual({ teamId: 'it-tier1', change: 'member_updated', username: 'alex.agent', userId: ids.alex, skills: ['ehr', 'network'], available: false });
  });

  it('replaces the ordered rules and publishes assignment.rules_changed with the new list', async () => {
    const rules = [
      { category: 'ehr', siteId: 'north', teamId: 'it-tier1', requiredSkills: ['ehr'], escalationTeamId: 'ehr-specialists' },
      { category: 'ehr', teamId: 'it-tier1', requiredSkills: ['ehr'] },
      { teamId: 'it-tier1' },
    ];
    const put = await call('lee', 'PUT', '/api/v1/assignment-rules', { rules });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.rules.map((r: { position: number; siteId: string | null }) => [r.position, r.siteId])).toEqual([
      [0, 'north'],
      [1, null],
      [2, null],
    ]);
    expect((await call('alex', 'GET', '/api/v1/assignment-rules')).body).toEqual(put.body);
    const e = await eventArrived('assignment.rules_changed');
    expect(e.data['ruleCount']).toBe(3);
    expect(e.data['rules']).toEqual(put.body.rules);
  });

  let shiftId = '';
  it('adds back-to-back on-call shifts, lists them and removes one, each an audited event', async () => {
    await call('lee', 'PUT', '/api/v1/teams/it-tier1/members/lee.lead', { displayName: 'Lee Lead' });
    const first = await call('lee', 'POST', '/api/v1/teams/it-tier1/on-call', { username: 'alex.agent', startsAt: '2030-01-07T23:00:00Z', endsAt: '2030-01-08T13:00:00Z' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.headers.get('location')).toBe(`/api/v1/teams/it-tier1/on-call/${first.body.id}`);
    const second = await call('lee', 'POST', '/api/v1/teams/it-tier1/on-call', { username: 'lee.lead', startsAt: '2030-01-08T13:00:00Z', endsAt: '2030-01-08T23:00:00+00:00' });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    shiftId = second.body.id;

    const list = await call('alex', 'GET', '/api/v1/teams/it-tier1/on-call');
    expect(list.body.items.map((s: { username: string; startsAt: string }) => [s.username, s.startsAt])).toEqual([
      ['alex.agent', '2030-01-07T23:00:00.000Z'],
      ['lee.lead', '2030-01-08T13:00:00.000Z'],
    ]);
    const window = await call('alex', 'GET', '/api/v1/teams/it-tier1/on-call?from=2030-01-08T14:00:00Z&to=2030-01-09T00:00:00Z');
    expect(window.body.items.map((s: { username: string }) => s.username)).toEqual(['lee.lead']);

    const added = await eventArrived('assignment.on_call_changed', (x) => x.data['shiftId'] === shiftId);
    expect(added.data).toEqual({ teamId: 'it-tier1', change: 'shift_added', shiftId, username: 'lee.lead', startsAt: '2030-01-08T13:00:00.000Z', endsAt: '2030-01-08T23:00:00.000Z' });

    const del = await call('lee', 'DELETE', `/api/v1/teams/it-tier1/on-call/${shiftId}`);
    expect(del.status, JSON.stringify(del.body)).toBe(204);
    await eventArrived('assignment.on_call_changed', (x) => x.data['shiftId'] === shiftId && x.data['change'] === 'shift_removed');
    expect((await call('alex', 'GET', '/api/v1/teams/it-tier1/on-call')).body.items).toHaveLength(1);
  });

  it('removes a member without future shifts', async () => {
    const del = await call('lee', 'DELETE', '/api/v1/teams/it-tier1/members/lee.lead');
    expect(del.status, JSON.stringify(del.body)).toBe(204);
    const team = await call('lee', 'GET', '/api/v1/teams/it-tier1');
    expect(team.body.members.map((m: { username: string }) => m.username)).toEqual(['alex.agent']);
    await eventArrived('assignment.team_changed', (x) => x.data['change'] === 'member_removed' && x.data['username'] === 'lee.lead');
  });

  it('documents every endpoint under the Assignment tag', async () => {
    const doc = await call(null, 'GET', '/api/v1/openapi.json');
    const tagged = Object.entries(doc.body.paths as Record<string, Record<string, { tags?: string[] }>>).flatMap(([p, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.tags?.includes('Assignment'))
        .map(([m]) => `${m.toUpperCase()} ${p}`),
    );
    expect(tagged.sort()).toEqual(
      [
        'GET /api/v1/teams',
        'GET /api/v1/teams/{id}',
        'PUT /api/v1/teams/{id}',
        'PUT /api/v1/teams/{id}/members/{username}',
        'DELETE /api/v1/teams/{id}/members/{username}',
        'GET /api/v1/assignment-rules',
        'PUT /api/v1/assignment-rules',
        'GET /api/v1/teams/{id}/on-call',
        'POST /api/v1/teams/{id}/on-call',
        'DELETE /api/v1/teams/{id}/on-call/{shiftId}',
        'GET /api/v1/teams/{id}/on-call/schedule',
        'GET /api/v1/teams/{id}/rotation',
        'PUT /api/v1/teams/{id}/rotation',
        'DELETE /api/v1/teams/{id}/rotation',
      ].sort(),
    );
  });
});

describe('assignment: errors', () => {
  it('refuses a malformed team with 400 naming each field', async () => {
    const r = await call('lee', 'PUT', '/api/v1/teams/it-tier1', {
      name: '',
      tier: 3,
      timeZone: 'Mars/Olympus',
      weeklyHours: { ...weekdays('08:00', '18:00'), mon: [{ start: '18:00', end: '08:00' }] },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    const paths = r.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'tier', 'timeZone', 'weeklyHours.mon.0.end']));
    const badId = await call('lee', 'PUT', '/api/v1/teams/Not%20An%20Id', { name: 'x', tier: 1, timeZone: 'UTC', weeklyHours: {} });
    expect(badId.status).toBe(400);
    expect(badId.body.error.details.map((d: { path: string }) => d.path)).toEqual(['id']);
  });

  it('refuses invalid rules with 400 naming the rule fields, and keeps the old rules', async () => {
    const before = (await call('lee', 'GET', '/api/v1/assignment-rules')).body;
    const r = await call('lee', 'PUT', '/api/v1/assignment-rules', {
      rules: [
        { category: 'ehr', teamId: 'it-tier1' },
        { category: 'toaster', teamId: 'it-tier1' },
        { category: 'network', teamId: 'no-such-team' },
        { category: 'ehr', teamId: 'it-tier1', requiredSkills: ['ehr'] },
        { category: 'other', teamId: 'it-tier1', escalationTeamId: 'it-tier1' },
      ],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.details).toEqual([
      { path: 'rules.1.category', message: expect.stringContaining('unknown category') },
      { path: 'rules.2.teamId', message: 'no team no-such-team' },
      { path: 'rules.3', message: expect.stringContaining('same category and site as rules.0') },
      { path: 'rules.4.escalationTeamId', message: expect.stringContaining('must be tier 2') },
    ]);
    const structural = await call('lee', 'PUT', '/api/v1/assignment-rules', { rules: [{ teamId: 'it-tier1', requiredSkills: ['EHR', 'ehr'], extra: 1 }] });
    expect(structural.status).toBe(400);
    expect(structural.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['rules.0.requiredSkills.0', 'rules.0']));
    expect((await call('lee', 'GET', '/api/v1/assignment-rules')).body).toEqual(before);
  });

  it('refuses to demote a team that rules escalate to (409)', async () => {
    const r = await call('lee', 'PUT', '/api/v1/teams/ehr-specialists', { name: 'EHR specialists', tier: 1, timeZone: 'UTC', weeklyHours: {} });
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body.error.message).toMatch(/escalation team of rules at positions 0/);
  });

  it('refuses an overlapping shift with 409 naming the clash, and a bad shift with 400', async () => {
    const overlap = await call('lee', 'POST', '/api/v1/teams/it-tier1/on-call', { username: 'alex.agent', startsAt: '2030-01-08T12:00:00Z', endsAt: '2030-01-08T20:00:00Z' });
    expect(overlap.status, JSON.stringify(overlap.body)).toBe(409);
    expect(overlap.body.error.message).toMatch(/overlaps shift .* of alex\.agent \(2030-01-07T23:00:00.000Z/);
    const inside = await call('lee', 'POST', '/api/v1/teams/it-tier1/on-call', { username: 'alex.agent', startsAt: '2030-01-08T00:00:00Z', endsAt: '2030-01-08T01:00:00Z' });
    expect(inside.status).toBe(409);

    const backwards = await call('lee', 'POST', '/api/v1/teams/it-tier1/on-call', { username: 'alex.agent', startsAt: '2030-02-01T10:00:00Z', endsAt: '2030-02-01T09:00:00Z' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details).toEqual([{ path: 'endsAt', message: 'must be after startsAt' }]);
    const stranger = await call('lee', 'POST', '/api/v1/teams/it-tier1/on-call', { username: 'nora.nurse', startsAt: '2030-02-01T10:00:00Z', endsAt: '2030-02-01T11:00:00Z' });
    expect(stranger.status).toBe(400);
    expect(stranger.body.error.details).toEqual([{ path: 'username', message: 'nora.nurse is not a member of team it-tier1' }]);
    const missingFields = await call('lee', 'POST', '/api/v1/teams/it-tier1/on-call', { startsAt: 'tomorrow' });
    expect(missingFields.status).toBe(400);
    expect(missingFields.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['endsAt', 'startsAt', 'username']);
  });

  it('refuses to remove a member who still has shifts to come (409)', async () => {
    const r = await call('lee', 'DELETE', '/api/v1/teams/it-tier1/members/alex.agent');
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect((await call('lee', 'GET', '/api/v1/teams/it-tier1')).body.members).toHaveLength(1);
  });

  it('answers 404 for unknown teams, members and shifts', async () => {
    expect((await call('alex', 'GET', '/api/v1/teams/nope')).status).toBe(404);
    expect((await call('alex', 'GET', '/api/v1/teams/nope/on-call')).status).toBe(404);
    expect((await call('lee', 'PUT', '/api/v1/teams/nope/members/alex.agent', { displayName: 'A' })).status).toBe(404);
    expect((await call('lee', 'DELETE', '/api/v1/teams/it-tier1/members/nobody')).status).toBe(404);
    expect((await call('lee', 'DELETE', '/api/v1/teams/it-tier1/on-call/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await call('lee', 'POST', '/api/v1/teams/nope/on-call', { username: 'alex.agent', startsAt: '2031-01-01T00:00:00Z', endsAt: '2031-01-01T01:00:00Z' })).status).toBe(404);
  });
});

describe('assignment: rotations', () => {
  const TEAM = '/api/v1/teams/ehr-specialists';
  const rotation = {
    participants: ['rota.ann', 'rota.bob', 'rota.cat'],
    handoffWeekday: 'mon',
    handoffTime: '09:00',
    lengthDays: 7,
    timeZone: 'Europe/London',
    startDate: '2030-03-02',
  };

  it('sets a weekly rotation of members, audited, and shows it with its first hand-off', async () => {
    for (const u of ['rota.ann', 'rota.bob', 'rota.cat', 'rota.dan']) {
      expect((await call('lee', 'PUT', `${TEAM}/members/${u}`, { displayName: u })).status).toBe(201);
    }
    expect((await call('alex', 'GET', `${TEAM}/rotation`)).body.error.message).toBe('team ehr-specialists has no rotation');
    const put = await call('lee', 'PUT', `${TEAM}/rotation`, rotation);
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    // 2 March 2030 is a Saturday: the first hand-off is the Monday after, 09:00 GMT.
    expect(put.body).toMatchObject({ ...rotation, teamId: 'ehr-specialists', firstHandoffAt: '2030-03-04T09:00:00.000Z', updatedBy: ids.lee });
    expect((await call('alex', 'GET', `${TEAM}/rotation`)).body).toEqual(put.body);
    const e = await eventArrived('assignment.on_call_changed', (x) => x.data['change'] === 'rotation_created');
    expect(e.data).toEqual({ teamId: 'ehr-specialists', change: 'rotation_created', ...rotation });
    expect(e.actor).toMatchObject({ id: ids.lee, role: 'it_lead' });
    const again = await call('lee', 'PUT', `${TEAM}/rotation`, rotation);
    expect(again.status).toBe(200);
    await eventArrived('assignment.on_call_changed', (x) => x.data['change'] === 'rotation_changed');
  });

  it('lists the schedule with an override cut into the rotation, hand-offs at 09:00 London across the clock change', async () => {
    const override = await call('lee', 'POST', `${TEAM}/on-call`, { username: 'rota.dan', startsAt: '2030-03-26T18:00:00Z', endsAt: '2030-03-27T18:00:00Z' });
    expect(override.status, JSON.stringify(override.body)).toBe(201);
    const schedule = await call('alex', 'GET', `${TEAM}/on-call/schedule?from=2030-03-25T09:00:00Z&to=2030-04-08T08:00:00Z`);
    expect(schedule.status, JSON.stringify(schedule.body)).toBe(200);
    expect(schedule.body.items).toEqual([
      { username: 'rota.ann', startsAt: '2030-03-25T09:00:00.000Z', endsAt: '2030-03-26T18:00:00.000Z', source: 'rotation', overrideId: null },
      { username: 'rota.dan', startsAt: '2030-03-26T18:00:00.000Z', endsAt: '2030-03-27T18:00:00.000Z', source: 'override', overrideId: override.body.id },
      { username: 'rota.ann', startsAt: '2030-03-27T18:00:00.000Z', endsAt: '2030-04-01T08:00:00.000Z', source: 'rotation', overrideId: null },
      { username: 'rota.bob', startsAt: '2030-04-01T08:00:00.000Z', endsAt: '2030-04-08T08:00:00.000Z', source: 'rotation', overrideId: null },
    ]);
    // The override list (one-off shifts) is unchanged by the rotation.
    const overrides = await call('alex', 'GET', `${TEAM}/on-call?from=2030-01-01T00:00:00Z`);
    expect(overrides.body.items.map((o: { id: string }) => o.id)).toEqual([override.body.id]);
    // Four weeks after `from` by default; nothing before the rotation's first hand-off.
    const defaults = (await call('alex', 'GET', `${TEAM}/on-call/schedule?from=2030-04-01T08:00:00Z`)).body.items as { username: string; startsAt: string }[];
    expect(defaults.map((s) => [s.username, s.startsAt])).toEqual([
      ['rota.bob', '2030-04-01T08:00:00.000Z'],
      ['rota.cat', '2030-04-08T08:00:00.000Z'],
      ['rota.ann', '2030-04-15T08:00:00.000Z'],
      ['rota.bob', '2030-04-22T08:00:00.000Z'],
    ]);
    expect((await call('alex', 'GET', `${TEAM}/on-call/schedule?from=2030-01-01T00:00:00Z&to=2030-03-04T09:00:00Z`)).body.items).toEqual([]);
  });

  it('refuses a bad rotation with 400 naming each field, and a participant outside the team', async () => {
    const bad = await call('lee', 'PUT', `${TEAM}/rotation`, { ...rotation, participants: [], handoffWeekday: 'funday', handoffTime: '9am', lengthDays: 0.5, timeZone: 'Mars/Olympus', startDate: '2030-02-30' });
    expect(bad.status, JSON.stringify(bad.body)).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['handoffTime', 'handoffWeekday', 'lengthDays', 'participants', 'startDate', 'timeZone']);
    const zone = await call('lee', 'PUT', `${TEAM}/rotation`, { ...rotation, timeZone: 'Mars/Olympus' });
    expect(zone.body.error.details).toEqual([{ path: 'timeZone', message: 'unknown IANA time zone' }]);
    const stranger = await call('lee', 'PUT', `${TEAM}/rotation`, { ...rotation, participants: ['rota.ann', 'nora.nurse'] });
    expect(stranger.status).toBe(400);
    expect(stranger.body.error.details).toEqual([{ path: 'participants.1', message: 'nora.nurse is not a member of team ehr-specialists' }]);
    const twice = await call('lee', 'PUT', `${TEAM}/rotation`, { ...rotation, participants: ['rota.ann', 'rota.ann'] });
    expect(twice.body.error.details).toEqual([{ path: 'participants', message: 'must not name a person twice' }]);
    const tooLong = await call('alex', 'GET', `${TEAM}/on-call/schedule?from=2030-01-01T00:00:00Z&to=2030-06-01T00:00:00Z`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details).toEqual([{ path: 'to', message: 'must be at most 92 days after from' }]);
    expect((await call('alex', 'GET', '/api/v1/teams/nope/on-call/schedule')).status).toBe(404);
    expect((await call('lee', 'PUT', '/api/v1/teams/nope/rotation', rotation)).status).toBe(404);
    expect((await call('alex', 'GET', `${TEAM}/rotation`)).body.participants).toEqual(rotation.participants);
  });

  it('refuses to remove a member in the rotation (409), then ends the rotation, audited', async () => {
    const r = await call('lee', 'DELETE', `${TEAM}/members/rota.cat`);
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body.error.message).toBe('rota.cat is in the on-call rotation of team ehr-specialists; take them out of the rotation first');
    expect((await call('lee', 'DELETE', `${TEAM}/rotation`)).status).toBe(204);
    await eventArrived('assignment.on_call_changed', (x) => x.data['change'] === 'rotation_removed' && x.data['teamId'] === 'ehr-specialists');
    expect((await call('lee', 'DELETE', `${TEAM}/rotation`)).status).toBe(404);
    expect((await call('lee', 'DELETE', `${TEAM}/members/rota.cat`)).status).toBe(204);
    const after = await call('alex', 'GET', `${TEAM}/on-call/schedule?from=2030-03-25T09:00:00Z&to=2030-04-08T08:00:00Z`);
    expect(after.body.items.map((s: { username: string }) => s.username)).toEqual(['rota.dan']);
  });
});

describe('assignment: security', () => {
  const writes: [string, string, unknown][] = [
    ['PUT', '/api/v1/teams/it-tier1', { name: 'Mine now', tier: 1, timeZone: 'UTC', weeklyHours: {} }],
    ['PUT', '/api/v1/teams/it-tier1/members/nora.nurse', { displayName: 'Nora' }],
    ['DELETE', '/api/v1/teams/it-tier1/members/alex.agent', undefined],
    ['PUT', '/api/v1/assignment-rules', { rules: [] }],
    ['POST', '/api/v1/teams/it-tier1/on-call', { username: 'alex.agent', startsAt: '2032-01-01T00:00:00Z', endsAt: '2032-01-01T01:00:00Z' }],
    ['DELETE', '/api/v1/teams/it-tier1/on-call/00000000-0000-4000-8000-000000000000', undefined],
    ['PUT', '/api/v1/teams/it-tier1/rotation', { participants: ['alex.agent'], handoffTime: '09:00', lengthDays: 7, timeZone: 'UTC', startDate: '2032-01-01' }],
    ['DELETE', '/api/v1/teams/it-tier1/rotation', undefined],
  ];
  const reads = ['/api/v1/teams', '/api/v1/teams/it-tier1', '/api/v1/assignment-rules', '/api/v1/teams/it-tier1/on-call', '/api/v1/teams/it-tier1/on-call/schedule', '/api/v1/teams/it-tier1/rotation'];

  it('answers 401 without a token, with a forged one and with an expired one', async () => {
    const forged = await forgeFrom(tokens.lee, 'other-key');
    const expired = await forgeFrom(tokens.lee, 'expired');
    for (const [m, p, b] of [...writes, ...reads.map((p) => ['GET', p, undefined] as const)]) {
      expect((await call(null, m, p, b)).status, `${m} ${p}`).toBe(401);
      expect((await call(forged, m, p, b)).status, `forged ${m} ${p}`).toBe(401);
      expect((await call(expired, m, p, b)).status, `expired ${m} ${p}`).toBe(401);
    }
  });

  it('lets IT agents read but not change anything (403, before validation)', async () => {
    for (const [m, p, b] of writes) {
      const r = await call('alex', m, p, b);
      expect(r.status, `${m} ${p}: ${JSON.stringify(r.body)}`).toBe(403);
    }
    // Even a malformed body is refused for the role first, so nothing is learned by probing.
    expect((await call('alex', 'PUT', '/api/v1/assignment-rules', { rules: 'nope' })).status).toBe(403);
  });

  it('refuses clinic staff everything (403)', async () => {
    for (const p of reads) expect((await call('nora', 'GET', p)).status, p).toBe(403);
    for (const [m, p, b] of writes) expect((await call('nora', m, p, b)).status, `${m} ${p}`).toBe(403);
  });

  it("lets the notification service's account read one team and its rota, nothing else, and no other service", async () => {
    const notification = (await serviceToken('tierline-notification')).access_token;
    const team = await call(notification, 'GET', '/api/v1/teams/it-tier1');
    expect(team.status, JSON.stringify(team.body)).toBe(200);
    expect(team.body.members.map((m: { username: string }) => m.username)).toContain('alex.agent');
    const rota = await call(notification, 'GET', '/api/v1/teams/it-tier1/on-call');
    expect(rota.status, JSON.stringify(rota.body)).toBe(200);
    expect((await call(notification, 'GET', '/api/v1/teams/it-tier1/on-call/schedule')).status).toBe(200);
    for (const p of ['/api/v1/teams', '/api/v1/assignment-rules', '/api/v1/teams/it-tier1/rotation']) expect((await call(notification, 'GET', p)).status, p).toBe(403);
    for (const [m, p, b] of writes) expect((await call(notification, m, p, b)).status, `${m} ${p}`).toBe(403);
    const worker = (await serviceToken('tierline-worker')).access_token;
    expect((await call(worker, 'GET', '/api/v1/teams/it-tier1')).status).toBe(403);
    expect((await call(worker, 'GET', '/api/v1/teams/it-tier1/on-call')).status).toBe(403);
  });

  it('changed nothing and published nothing for refused callers', async () => {
    const team = (await call('lee', 'GET', '/api/v1/teams/it-tier1')).body;
    expect(team.name).toBe('Help desk');
    expect(team.members.map((m: { username: string }) => m.username)).toEqual(['alex.agent']);
    const [{ n } = { n: -1 }] = await sql<{ n: number }[]>`
      select count(*)::int as n from policy_outbox where event->'actor'->>'id' <> ${ids.lee}`;
    expect(n).toBe(0);
  });
});
