/**
 * The profile form's binding to the API's own body schema: `ContactsSchema` of @tierline/contracts
 * (what PUT /api/v1/me/contacts validates) checks each field in the browser, with the profile's
 * wording; the server's field errors land on the same fields. The form holds text as typed (an
 * empty box is "none") and quiet hours behind a switch; the resolver turns that into Contacts.
 */
import { ContactsSchema, type CONTACT_CHANNELS, type Contacts } from '@tierline/contracts';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';

export type Channel = (typeof CONTACT_CHANNELS)[number];
export const CHANNELS: { value: Channel; label: string; needs: ProfileField }[] = [
  { value: 'email', label: 'Email', needs: 'email' },
  { value: 'sms', label: 'SMS (text message)', needs: 'mobile' },
  { value: 'slack', label: 'Slack', needs: 'slackHandle' },
  { value: 'teams', label: 'Microsoft Teams', needs: 'teamsHandle' },
];

export interface ProfileValues {
  email: string;
  mobile: string;
  slackHandle: string;
  teamsHandle: string;
  quietHoursOn: boolean;
  quietHours: { start: string; end: string; timeZone: string };
  preferredChannels: Channel[];
}
export type ProfileField = 'email' | 'mobile' | 'slackHandle' | 'teamsHandle' | 'quietHours.start' | 'quietHours.end' | 'quietHours.timeZone' | 'preferredChannels';
export const FIELD_ORDER: ProfileField[] = ['email', 'mobile', 'slackHandle', 'teamsHandle', 'quietHours.start', 'quietHours.end', 'quietHours.timeZone', 'preferredChannels'];
export const FIELD_NAMES: Record<ProfileField, string> = {
  email: 'Email',
  mobile: 'Mobile number',
  slackHandle: 'Slack handle',
  teamsHandle: 'Teams handle',
  'quietHours.start': 'Quiet from',
  'quietHours.end': 'Quiet until',
  'quietHours.timeZone': 'Time zone',
  preferredChannels: 'How to reach you',
};

const MESSAGES: Partial<Record<ProfileField, string>> = {
  email: 'Enter an email address like name@clinic.example, or leave it empty.',
  mobile: 'Enter the number in international form, starting with + and the country code, e.g. +4915123456789.',
  slackHandle: 'Enter your Slack handle: letters, digits, dots, dashes or underscores.',
  teamsHandle: 'Enter your Teams handle (up to 254 characters).',
  'quietHours.start': 'Enter the start as HH:MM, e.g. 22:00.',
  'quietHours.end': 'Enter the end as HH:MM, e.g. 07:00.',
  'quietHours.timeZone': 'Choose your time zone.',
};

const text = (v: string): string | null => (v.trim() === '' ? null : v.trim());

/** The form's values as the API takes them. */
export function toContacts(v: ProfileValues): Contacts {
  return {
    email: text(v.email),
    mobile: text(v.mobile)?.replace(/[\s-]/g, '') ?? null,
    slackHandle: text(v.slackHandle),
    teamsHandle: text(v.teamsHandle),
    quietHours: v.quietHoursOn ? { start: v.quietHours.start, end: v.quietHours.end, timeZone: v.quietHours.timeZone } : null,
    preferredChannels: v.preferredChannels,
  };
}

export function toValues(c: Contacts, browserTimeZone: string): ProfileValues {
  return {
    email: c.email ?? '',
    mobile: c.mobile ?? '',
    slackHandle: c.slackHandle ?? '',
    teamsHandle: c.teamsHandle ?? '',
    quietHoursOn: c.quietHours !== null,
    quietHours: c.quietHours ?? { start: '22:00', end: '07:00', timeZone: browserTimeZone },
    preferredChannels: c.preferredChannels,
  };
}

/** The server's or the schema's path (`quietHours.start`, `['mobile']`) as a field of the form. */
export function fieldOf(path: readonly PropertyKey[] | string): ProfileField | null {
  const key = (typeof path === 'string' ? path : path.map(String).join('.')).replace(/^body\./, '');
  return (FIELD_ORDER as string[]).includes(key) ? (key as ProfileField) : key.startsWith('preferredChannels') ? 'preferredChannels' : null;
}

/**
 * The schema the form is checked with: the form's values, turned into Contacts, then checked by
 * ContactsSchema itself; its issues come back on the form's fields in the profile's words, and a
 * channel chosen without the contact it needs is named on the channels.
 */
export const profileSchema = z
  .custom<ProfileValues>()
  .transform((v) => toContacts(v))
  .pipe(
    ContactsSchema.superRefine((c, ctx) => {
      for (const ch of CHANNELS) {
        const need = ch.needs as keyof Contacts;
        if (c.preferredChannels.includes(ch.value) && c[need] === null) {
          ctx.addIssue({ code: 'custom', path: ['preferredChannels'], message: `${ch.label} needs your ${FIELD_NAMES[ch.needs].toLowerCase()} above.` });
        }
      }
    }),
  );

export function profileMessage(issue: { code: string; path?: PropertyKey[] | undefined; message?: string }): string | undefined {
  const f = issue.path ? fieldOf(issue.path) : null;
  if (!f || issue.code === 'custom') return undefined;
  return MESSAGES[f];
}

export const profileResolver = zodResolver(profileSchema, { error: profileMessage });
