import type { Sql } from 'postgres';
/** Realm roles (the same names as @tierline/contracts ROLES; this package does not depend on it). */
export type DemoRole = 'clinic_staff' | 'it_agent' | 'it_lead' | 'vendor' | 'auditor' | 'admin';

/**
 * The demo users of infra/keycloak/tierline-realm.demo.json (the demo overlay, never imported by a
 * deployment). DEMO-ONLY credentials: the TOTP secrets
 * below are seeded into the realm file as each user's OTP credential (base32, SHA-1, 6 digits,
 * 30 s), so tests can compute the one-time code the login page asks for. Never reuse them.
 */
export interface DemoUser {
  username: string;
  roles: DemoRole[];
  sites: string[];
  vendorOrg: string | null;
  /** Base32 TOTP secret seeded in the realm; absent when the user has no second factor. */
  totpSecret?: string;
}

/** Password of every demo user (complies with the realm's password policy). */
export const DEMO_PASSWORD = 'Tierline-demo-1';

export const DEMO_USERS: readonly DemoUser[] = [
  // clinic_staff: no second factor required.
  { username: 'nora.nurse', roles: ['clinic_staff'], sites: ['north'], vendorOrg: null },
  { username: 'sam.staff', roles: ['clinic_staff'], sites: ['south'], vendorOrg: null },
  // Every other role must pass a second factor.
  { username: 'alex.agent', roles: ['it_agent'], sites: [], vendorOrg: null, totpSecret: '4JPMGES72HJJW6HZJDV7E7RSFJ3N2NTZ' },
  { username: 'lee.lead', roles: ['it_lead'], sites: [], vendorOrg: null, totpSecret: 'KIAGJU3PZCHQQ377E6BBDYRKY7FUNCOE' },
  { username: 'val.vendor', roles: ['vendor'], sites: [], vendorOrg: 'acme-it', totpSecret: 'OH4BRFJMR7SMZKJ3YJNOJ3JZALAS5TJK' },
  { username: 'audrey.auditor', roles: ['auditor'], sites: [], vendorOrg: null, totpSecret: 'XCOPQZ6FQUWRFZRXV5EE7ZMLS6U7MYRG' },
  { username: 'ada.admin', roles: ['admin'], sites: [], vendorOrg: null, totpSecret: 'PIIG7DKNSDZ2QKXPKBZA3IRDKGTVV2JM' },
  // For tests that break things (wrong codes, disabling): nobody else logs in as otto.
  { username: 'otto.oncall', roles: ['it_agent'], sites: [], vendorOrg: null, totpSecret: '5GHYYO5O6IASAQJBT7RMHMUY7CUCK27N' },
  // An IT user WITHOUT a second factor: the login must stop at OTP enrolment, never issue a code.
  { username: 'nick.newhire', roles: ['it_agent'], sites: [], vendorOrg: null },
];

export function demoUser(username: string): DemoUser | undefined {
  return DEMO_USERS.find((u) => u.username === username);
}

export interface DemoContacts {
  email?: string;
  mobile?: string;
  slackHandle?: string;
  teamsHandle?: string;
  quietHours?: { start: string; end: string; timeZone: string } | null;
}

/**
 * What the demo people have set as their contacts (the same as scripts/seed.mjs gives them for
 * `npm run up`). Slack handles are user ids: chat.postMessage addresses a user by id.
 */
export const DEMO_CONTACTS: Record<string, DemoContacts> = {
  'lee.lead': { email: 'lee.lead@it.tierline.test', mobile: '+15550100001', slackHandle: 'U0LEE00001', teamsHandle: 'lee.lead@it.tierline.test' },
  'alex.agent': { email: 'alex.agent@it.tierline.test', mobile: '+15550100002', slackHandle: 'U0ALEX0002', teamsHandle: 'alex.agent@it.tierline.test' },
  'otto.oncall': { email: 'otto.oncall@it.tierline.test', mobile: '+15550100003', slackHandle: 'U0OTTO0003', teamsHandle: 'otto.oncall@it.tierline.test' },
  'val.vendor': { email: 'val.vendor@acme-it.test', mobile: '+15550100004' },
};

/**
 * Gives the demo people their contacts (email, mobile) in an identity database whose directory
 * has already been synced from Keycloak, as the test and bench stacks need them.
 */
export async function seedDemoContacts(sql: Sql): Promise<void> {
  for (const [username, c] of Object.entries(DEMO_CONTACTS)) {
    await sql`
      insert into user_contacts (user_id, email, mobile)
      select id, ${c.email ?? null}, ${c.mobile ?? null} from users where username = ${username}
      on conflict (user_id) do update set email = excluded.email, mobile = excluded.mobile, updated_at = now()`;
  }
}
