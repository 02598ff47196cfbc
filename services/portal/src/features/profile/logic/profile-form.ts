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

/** The profile's words for a field's problem (the schema's own message for a rule across fields). */
export function profileMessage(field: ProfileField, type: string): string | undefined {
  return type === 'custom' && field !== 'quietHours.timeZone' ? undefined : MESSAGES[field];
}

const schemaResolver = zodResolver(profileSchema);

/**
 * The form's resolver: the API's schema, its issues reworded for the person. (The contracts'
 * schema words some rules itself, e.g. "E.164", and zod lets a schema's own message win over an
 * error map, so the wording is applied to the resolver's result.)
 */
export const profileResolver: typeof schemaResolver = async (values, context, options) => {
  const result = await schemaResolver(values, context, options);
  const errors = result.errors as Record<string, { type?: string; message?: string } & Record<string, { type?: string; message?: string }>>;
  for (const field of FIELD_ORDER) {
    const [head, tail] = field.split('.') as [string, string | undefined];
    const error = tail ? errors[head]?.[tail] : errors[head];
    const message = error ? profileMessage(field, String(error.type)) : undefined;
    if (error && message) error.message = message;
  }
  return result;
};
