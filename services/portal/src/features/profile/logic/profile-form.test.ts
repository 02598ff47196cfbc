import { describe, expect, it } from 'vitest';
import { profileResolver, profileSchema, toContacts, toValues, type ProfileValues } from './profile-form.js';

const base: ProfileValues = {
  email: '',
  mobile: '',
  slackHandle: '',
  teamsHandle: '',
  quietHoursOn: false,
  quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' },
  preferredChannels: [],
};
const issues = (v: ProfileValues) => profileSchema.safeParse(v).error?.issues.map((i) => `${i.path.join('.')}: ${i.code}`) ?? [];

describe('the profile form against the API schema', () => {
  it('turns empty boxes into none and leaves quiet hours off unless switched on', () => {
    expect(profileSchema.parse(base)).toEqual({ email: null, mobile: null, slackHandle: null, teamsHandle: null, quietHours: null, preferredChannels: [] });
    const on = profileSchema.parse({ ...base, mobile: '+49 151 2345 6789', quietHoursOn: true, preferredChannels: ['sms'] });
    expect(on).toMatchObject({ mobile: '+4915123456789', quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' }, preferredChannels: ['sms'] });
  });

  it("names the field in error, by the API's own rules", () => {
    expect(issues({ ...base, mobile: '0151 2345' })).toEqual(['mobile: invalid_format']);
    expect(issues({ ...base, email: 'not-an-address' })).toEqual(['email: invalid_format']);
    expect(issues({ ...base, quietHoursOn: true, quietHours: { start: '25:00', end: '07:00', timeZone: 'Nowhere/Atlantis' } })).toEqual([
      'quietHours.start: invalid_format',
      'quietHours.timeZone: custom',
    ]);
    // Quiet hours switched off are not checked (nor sent).
    expect(issues({ ...base, quietHours: { start: '', end: '', timeZone: '' } })).toEqual([]);
  });

  it('refuses a channel without the contact it needs', () => {
    expect(issues({ ...base, preferredChannels: ['sms'] })).toEqual(['preferredChannels: custom']);
    expect(issues({ ...base, mobile: '+4915123456789', preferredChannels: ['sms'] })).toEqual([]);
  });

  it('round-trips what the API stores', () => {
    const stored = { email: 'nora@clinic.example', mobile: '+4915123456789', slackHandle: null, teamsHandle: null, quietHours: { start: '21:30', end: '06:45', timeZone: 'America/New_York' }, preferredChannels: ['sms' as const] };
    expect(toContacts(toValues(stored, 'UTC'))).toEqual(stored);
    expect(toValues({ ...stored, quietHours: null }, 'Europe/Paris').quietHours.timeZone, 'new quiet hours start in the browser zone').toBe('Europe/Paris');
  });

  it("words the API's rules for the person, next to the field", async () => {
    const r = await profileResolver({ ...base, mobile: '0151', quietHoursOn: true, quietHours: { start: '7', end: '07:00', timeZone: 'UTC' }, preferredChannels: ['slack'] }, undefined, {
      fields: {},
      shouldUseNativeValidation: false,
    });
    expect(r.errors['mobile']?.message).toContain('international form');
    expect(r.errors.quietHours?.start?.message).toBe('Enter the start as HH:MM, e.g. 22:00.');
    expect(r.errors['preferredChannels']?.message).toBe('Slack needs your slack handle above.');
  });
});
