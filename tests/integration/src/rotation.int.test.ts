import { describe, expect, it } from 'vitest';
import { demoTokens, subjectOf } from '@tierline/test-fixtures';
import { api, eventually, sliceTest, type Slice } from './harness.js';

/**
 * On-call rotations on the real servers (decision 45): a lead sets a weekly rotation and a one-off
 * override through the API, both land in the real audit log through the real audit consumer, and
 * a P1 opened out of the team's hours is assigned by the worker to the override person, not to
 * the rotation's.
 */
const test = sliceTest('rotation');

describe('on-call rotation with an override', () => {
  let slice: Slice;
  let tokens: Record<'lead' | 'nurse' | 'alex' | 'otto', string>;

  test.beforeAll(async ({ slice: running }) => {
    slice = running;
    tokens = await demoTokens({ lead: 'lee.lead', nurse: 'nora.nurse', alex: 'alex.agent', otto: 'otto.oncall' });
  });

  it('routes an out-of-hours P1 to the override person, and audits the rotation and the override', { timeout: 120_000 }, async () => {
    const lead = api(slice.baseUrl, tokens.lead);
    // The help desk is never at work in this database, so every P1 goes to whoever is on call.
    const team = (await lead('GET', '/api/v1/teams/it-tier1')).body;
    const closed = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
    const put = await lead('PUT', '/api/v1/teams/it-tier1', { name: team.name, tier: team.tier, timeZone: team.timeZone, weeklyHours: closed, leadUsername: team.leadUsername });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    for (const [username, who] of [['alex.agent', 'alex'], ['otto.oncall', 'otto']] as const) {
      const m = await lead('PUT', `/api/v1/teams/it-tier1/members/${username}`, { displayName: username, userId: subjectOf(tokens[who]) });
      expect(m.status, JSON.stringify(m.body)).toBeLessThan(300);
    }
    // A daily rotation that started a week ago: alex alone holds the pager every day.
    const today = new Date();
    const weekAgo = new Date(today.getTime() - 7 * 86_400_000).toISOString().slice(0, 10);
    const rotation = await lead('PUT', '/api/v1/teams/it-tier1/rotation', { participants: ['alex.agent'], handoffTime: '09:00', lengthDays: 1, timeZone: 'America/New_York', startDate: weekAgo });
    expect(rotation.status, JSON.stringify(rotation.body)).toBe(201);
    const override = await lead('POST', '/api/v1/teams/it-tier1/on-call', {
      username: 'otto.oncall',
      startsAt: new Date(today.getTime() - 3_600_000).toISOString(),
      endsAt: new Date(today.getTime() + 3_600_000).toISOString(),
    });
    expect(override.status, JSON.stringify(override.body)).toBe(201);
    const now = (await lead('GET', '/api/v1/teams/it-tier1/on-call/schedule?to=' + encodeURIComponent(new Date(today.getTime() + 60_000).toISOString()))).body.items;
    expect(now.map((s: { username: string; source: string }) => [s.username, s.source])).toEqual([['otto.oncall', 'override']]);

    const created = await api(slice.baseUrl, tokens.nurse)('POST', '/api/v1/tickets', {
      title: 'EHR down on the ward',
      category: 'ehr',
      siteId: 'north',
      impact: 'whole_site',
      urgency: 'high',
      patientCareAffected: true,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.priority).toBe('P1');
    const assigned = await eventually('the on-call assignment', async () => {
      const r = await api(slice.baseUrl, tokens.alex)('GET', `/api/v1/tickets/${created.body.id}`);
      return r.body.assigneeId ? r.body : undefined;
    });
    expect(assigned.assigneeId).toBe(subjectOf(tokens.otto));

    const audited = await eventually('the rotation and the override in the audit log', async () => {
      const rows = await slice.auditSql<{ actor_id: string; actor_role: string; content: string }[]>`
        select actor_id, actor_role, content from audit_log where event_type = 'assignment.on_call_changed' order by seq`;
      return rows.length >= 2 ? rows : undefined;
    });
    expect(audited.map((r) => [r.actor_id, r.actor_role])).toEqual([
      [subjectOf(tokens.lead), 'it_lead'],
      [subjectOf(tokens.lead), 'it_lead'],
    ]);
    expect(audited[0]!.content).toContain('rotation_created');
    expect(audited[1]!.content).toContain(override.body.id);
  });
});
