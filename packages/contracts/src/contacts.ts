import { z } from '@hono/zod-openapi';

/**
 * A person's contact details and notification preferences: the identity service's
 * GET/PUT /api/v1/me/contacts and the portal's profile form, one schema for both.
 */
const hhmm = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'HH:MM, 24-hour');
const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone, e.g. Europe/Berlin');

export const CONTACT_CHANNELS = ['email', 'sms', 'slack', 'teams'] as const;

export const ContactsSchema = z
  .object({
    email: z.email().nullable(),
    mobile: z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'E.164, e.g. +4915123456789').nullable(),
    slackHandle: z.string().regex(/^@?[A-Za-z0-9._-]{1,80}$/, 'a Slack handle: letters, digits, . _ -').nullable(),
    teamsHandle: z.string().min(1).max(254).nullable(),
    quietHours: z.object({ start: hhmm, end: hhmm, timeZone }).nullable(),
    preferredChannels: z.array(z.enum(CONTACT_CHANNELS)).max(4),
  })
  .openapi('Contacts');
export type Contacts = z.infer<typeof ContactsSchema>;
