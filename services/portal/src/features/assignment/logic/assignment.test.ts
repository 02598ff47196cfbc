import { describe, expect, it } from 'vitest';
import type { FieldErrors } from 'react-hook-form';
import { errorsUnder, messagesAt } from '../../../lib/forms.js';
import type { TeamMember } from '../../../lib/api/types.js';
import {
  defaultShift,
  fromLocalInput,
  hoursFieldOf,
  hoursForm,
  hoursResolver,
  inViewerZone,
  rotationFieldOf,
  rotationForm,
  rotationResolver,
  searchPeople,
  toRotationBody,
  memberBody,
  parseSkills,
  ruleFieldOf,
  rulesResolver,
  shiftResolver,
  skillsResolver,
  toDrafts,
  toLocalInput,
  toRulesBody,
  type AssignmentRule,
  type RuleDraft,
} from './assignment.js';

const rules: AssignmentRule[] = [
  { position: 1, category: null, siteId: null, teamId: 'it-tier1', requiredSkills: [], escalationTeamId: null },
  { position: 0, category: 'ehr', siteId: 'north', teamId: 'it-tier1', requiredSkills: ['ehr', 'network'], escalationTeamId: 'it-tier2' },
];
const opts = { fields: {}, shouldUseNativeValidation: false } as const;
const flat = (errors: FieldErrors) => Object.fromEntries(errorsUnder(errors, '').map((i) => [i.path, i.message]));

describe('assignment rules form', () => {
  it('orders drafts by position and turns them back into the PUT body unchanged', () => {
    const drafts = toDrafts(rules);
    expect(drafts.map((d) => d.category)).toEqual(['ehr', '']);
    expect(drafts[0]?.requiredSkills).toBe('ehr, network');
    expect(toRulesBody({ rules: drafts })).toEqual({
      rules: [
        { category: 'ehr', siteId: 'north', teamId: 'it-tier1', requiredSkills: ['ehr', 'network'], escalationTeamId: 'it-tier2' },
        { category: null, siteId: null, teamId: 'it-tier1', requiredSkills: [], escalationTeamId: null },
      ],
    });
  });

  it('reads skills as a comma list, trimmed and lower-cased, ignoring empty entries', () => {
    expect(parseSkills(' EHR, network ,, ')).toEqual(['ehr', 'network']);
    expect(parseSkills('')).toEqual([]);
  });

  it('is checked by the PUT body schema: the body when it passes, each issue on its rule field when not', async () => {
    const good = await rulesResolver({ rules: toDrafts(rules) }, undefined, opts);
    expect(good.errors).toEqual({});
    expect(good.values).toEqual(toRulesBody({ rules: toDrafts(rules) }));

    const bad: RuleDraft[] = [
      { category: '', siteId: ' ', teamId: 'IT Tier 1', requiredSkills: 'ehr, ehr', escalationTeamId: '' },
      { category: 'ehr', siteId: '', teamId: 'it-tier1', requiredSkills: 'ehr, no skill', escalationTeamId: '' },
    ];
    const r = await rulesResolver({ rules: bad }, undefined, opts);
    expect(flat(r.errors)).toEqual({
      'rules.0.teamId': 'must be lower-case letters, digits, "-" or "_", starting with a letter',
      'rules.0.requiredSkills': 'must not repeat a skill',
      'rules.1.requiredSkills.1': 'must be lower-case letters, digits, "-" or "_", starting with a letter',
    });
    // Shown next to the skills field: the list's own message and each skill's.
    expect(messagesAt(r.errors, 'rules.1.requiredSkills')).toEqual(['must be lower-case letters, digits, "-" or "_", starting with a letter']);
  });

  it("puts each server issue on its rule's field or on the rule, and leaves the rest for the summary", () => {
    expect(ruleFieldOf('rules.0.teamId', 2)).toBe('rules.0.teamId');
    expect(ruleFieldOf('rules.0.requiredSkills.1', 2)).toBe('rules.0.requiredSkills');
    expect(ruleFieldOf('rules.1', 2)).toBe('rules.1');
    expect(ruleFieldOf('rules.0.team', 2)).toBeUndefined();
    expect(ruleFieldOf('rules', 2)).toBeUndefined();
    expect(ruleFieldOf('rules.7.teamId', 2), 'a rule no longer shown').toBeUndefined();
  });
});

describe('member skills form', () => {
  const member: TeamMember = {
    username: 'alex.agent',
    userId: 'u1',
    displayName: 'Alex Agent',
    skills: ['ehr'],
    available: false,
    updatedBy: 'lee.lead',
    updatedAt: '2026-03-04T10:00:00Z',
  };

  it('sends the member as stored with the typed skills, checked by the member body schema', async () => {
    const ok = await skillsResolver(member)({ skills: 'EHR, network' }, undefined, opts);
    expect(ok.errors).toEqual({});
    expect(ok.values).toEqual({ displayName: 'Alex Agent', skills: ['ehr', 'network'], available: false });
    const bad = await skillsResolver(member)({ skills: 'ehr, 9lives, ehr' }, undefined, opts);
    expect(messagesAt(bad.errors, 'skills').sort()).toEqual(['must be lower-case letters, digits, "-" or "_", starting with a letter', 'must not repeat a skill']);
    expect(memberBody(member, { available: true })).toEqual({ displayName: 'Alex Agent', skills: ['ehr'], available: true });
  });
});

describe('on-call shift form', () => {
  it('round-trips a local date-time and refuses what is not one', () => {
    const d = new Date(2026, 2, 4, 23, 5);
    expect(toLocalInput(d)).toBe('2026-03-04T23:05');
    expect(fromLocalInput('2026-03-04T23:05')).toBe(d.toISOString());
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('tomorrow')).toBeNull();
  });

  it('proposes a shift from the next full hour, eight hours long', () => {
    const s = defaultShift(new Date(2026, 2, 4, 9, 41));
    expect(s).toEqual({ startsAt: '2026-03-04T10:00', endsAt: '2026-03-04T18:00' });
  });

  it('sends the local times as instants, checked by the on-call body schema', async () => {
    const ok = await shiftResolver({ username: 'alex.agent', startsAt: '2026-03-04T23:00', endsAt: '2026-03-05T07:00' }, undefined, opts);
    expect(ok.errors).toEqual({});
    expect(ok.values).toEqual({ username: 'alex.agent', startsAt: new Date(2026, 2, 4, 23).toISOString(), endsAt: new Date(2026, 2, 5, 7).toISOString() });

    const empty = await shiftResolver({ username: 'alex.agent', startsAt: '', endsAt: '' }, undefined, opts);
    expect(flat(empty.errors)).toEqual({ startsAt: 'enter a start date and time', endsAt: 'enter an end date and time' });
    const backwards = await shiftResolver({ username: 'alex.agent', startsAt: '2026-03-05T07:00', endsAt: '2026-03-04T23:00' }, undefined, opts);
    expect(flat(backwards.errors)).toEqual({ endsAt: 'must be after startsAt' });
    const long = await shiftResolver({ username: 'Alex', startsAt: '2026-03-01T00:00', endsAt: '2026-04-02T00:00' }, undefined, opts);
    expect(Object.keys(flat(long.errors)).sort()).toEqual(['endsAt', 'username']);
  });
});

describe('rotation form', () => {
  const today = '2026-03-12';
  const form = rotationForm(null, { timeZone: 'Europe/London', participants: ['alex.agent', 'lee.lead'], today });

  it('starts as a weekly Monday 09:00 rotation of the members in the team\'s time zone, from today', () => {
    expect(toRotationBody(form)).toEqual({
      participants: ['alex.agent', 'lee.lead'],
      handoffWeekday: 'mon',
      handoffTime: '09:00',
      lengthDays: 7,
      timeZone: 'Europe/London',
      startDate: today,
    });
    expect(toRotationBody({ ...form, handoffWeekday: '', participants: ' Alex.Agent ,, otto.oncall' })).toMatchObject({ handoffWeekday: null, participants: ['alex.agent', 'otto.oncall'] });
  });

  it('is checked by the route schema: each wrong field named, in words for the unreadable ones', async () => {
    const r = await rotationResolver({ ...form, participants: '', lengthDays: '', startDate: '' }, undefined, opts);
    expect(messagesAt(r.errors as FieldErrors, 'participants')).toEqual(['needs at least one person']);
    expect(messagesAt(r.errors as FieldErrors, 'lengthDays')).toEqual(['enter a number of days']);
    expect(messagesAt(r.errors as FieldErrors, 'startDate')).toEqual(['enter a start date']);
    expect(rotationFieldOf('participants.1')).toBe('participants');
    expect(rotationFieldOf('rotation')).toBeUndefined();
  });

  it('shows shifts in the viewer\'s time zone and finds people not yet in the team', () => {
    expect(inViewerZone('2026-03-30T08:00:00Z', 'Europe/London')).toBe('Mon 30 Mar, 09:00');
    expect(inViewerZone('2026-03-30T08:00:00Z', 'America/New_York')).toBe('Mon 30 Mar, 04:00');
    const people = [
      { username: 'alex.agent', displayName: 'Alex Agent' },
      { username: 'otto.oncall', displayName: 'Otto Oncall' },
    ];
    expect(searchPeople(people, [{ username: 'alex.agent' }], 'o').map((p) => p.username)).toEqual(['otto.oncall']);
    expect(searchPeople(people, [], 'AGENT').map((p) => p.username)).toEqual(['alex.agent']);
  });
});

describe('working hours form', () => {
  const team = {
    name: 'Help desk',
    tier: 1 as const,
    leadUsername: 'lee.lead',
    timeZone: 'America/New_York',
    weeklyHours: { mon: [{ start: '08:00', end: '18:00' }], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
  };

  it('holds one interval a day, empty for a closed day, and sends the team as stored with the new hours', async () => {
    const form = hoursForm(team);
    expect(form.days.mon).toEqual({ start: '08:00', end: '18:00' });
    expect(form.days.sun).toEqual({ start: '', end: '' });
    const ok = await hoursResolver(team)({ ...form, days: { ...form.days, tue: { start: '09:00', end: '17:00' } } }, undefined, opts);
    expect(ok.values).toMatchObject({ name: 'Help desk', tier: 1, leadUsername: 'lee.lead', weeklyHours: { mon: [{ start: '08:00', end: '18:00' }], tue: [{ start: '09:00', end: '17:00' }], sun: [] } });
  });

  it('names a day whose end is not after its start, and maps the server\'s paths to the day', async () => {
    const form = hoursForm(team);
    const bad = await hoursResolver(team)({ ...form, days: { ...form.days, mon: { start: '18:00', end: '08:00' } } }, undefined, opts);
    expect(messagesAt(bad.errors as FieldErrors, 'weeklyHours.mon')).toEqual(['must be after start (18:00)']);
    expect(hoursFieldOf('weeklyHours.fri.0.end')).toBe('weeklyHours.fri');
    expect(hoursFieldOf('timeZone')).toBe('timeZone');
    expect(hoursFieldOf('name')).toBeUndefined();
  });
});
