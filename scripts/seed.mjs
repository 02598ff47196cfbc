// Demo data for `npm run up`: the sites and vendor organisation the realm's groups name, the
// contacts the paged demo people would have saved (so escalations reach them), a few open tickets
// opened through the real API by the demo nurse (so each has its workflow and its audit row), and
// the worked tickets of demo-history.mjs (decision 47).
// Runs once: a second `up` finds the contacts and tickets and leaves everything as it is.
import postgres from 'postgres';
import { seedDemoHistory, seedDemoMaintenance } from './demo-history.mjs';
import { log } from './lib.mjs';

const { infraEnv } = await import('../infra/lib/env.mjs');
const { loginAs, DEMO_PASSWORD } = await import('../packages/testing/dist/index.js');

/** The Keycloak user id (`sub`) of a demo user, read from a real login's access token. */
async function userIdOf(username) {
  const { access_token } = await loginAs(username, DEMO_PASSWORD);
  return JSON.parse(Buffer.from(access_token.split('.')[1], 'base64url').toString('utf8')).sub;
}

/**
 * What the demo people who get paged would enter on their profile (PUT /api/v1/me/contacts). Mail
 * goes to Mailpit; SMS, Slack and Teams to the provider stand-ins. Slack handles are user ids,
 * because chat.postMessage addresses a user by id.
 */
const DEMO_CONTACTS = {
  'lee.lead': { email: 'lee.lead@it.tierline.test', mobile: '+15550100001', slackHandle: 'U0LEE00001', teamsHandle: 'lee.lead@it.tierline.test' },
  'alex.agent': { email: 'alex.agent@it.tierline.test', mobile: '+15550100002', slackHandle: 'U0ALEX0002', teamsHandle: 'alex.agent@it.tierline.test' },
  'otto.oncall': { email: 'otto.oncall@it.tierline.test', mobile: '+15550100003', slackHandle: 'U0OTTO0003', teamsHandle: 'otto.oncall@it.tierline.test' },
  'val.vendor': { email: 'val.vendor@acme-it.test', mobile: '+15550100004', slackHandle: null, teamsHandle: null },
};

/** Each person saves their own contacts through the real API, unless they already have some. */
async function seedContacts(portal) {
  for (const [username, contacts] of Object.entries(DEMO_CONTACTS)) {
    const { access_token } = await loginAs(username, DEMO_PASSWORD);
    const headers = { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' };
    const mine = await fetch(`${portal}/api/v1/me/contacts`, { headers });
    if (mine.status !== 200) throw new Error(`reading ${username}'s contacts failed: ${mine.status} ${await mine.text()}`);
    const current = await mine.json();
    if (current.email || current.mobile || current.slackHandle || current.teamsHandle) continue;
    const res = await fetch(`${portal}/api/v1/me/contacts`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ ...contacts, quietHours: null, preferredChannels: [] }),
    });
    if (res.status !== 200) throw new Error(`saving ${username}'s contacts failed: ${res.status} ${await res.text()}`);
    log(`demo contacts of ${username} saved`);
  }
}

export async function seedDemo() {
  const portal = `http://127.0.0.1:${process.env.PORTAL_PORT ?? '3000'}`;
  await seedContacts(portal);
  const env = infraEnv();
  const sql = postgres(env.DATABASE_URL, { max: 1, onnotice: () => undefined });
  try {
    // Team members are configured by username; automatic assignment needs their user ids.
    for (const username of ['alex.agent', 'lee.lead', 'otto.oncall']) {
      await sql`update ticket.team_members set user_id = ${await userIdOf(username)} where username = ${username} and user_id is null`;
    }
    await sql`insert into identity.sites (id, name, time_zone) values
      ('north', 'North Clinic', 'America/New_York'), ('south', 'South Clinic', 'America/New_York')
      on conflict (id) do nothing`;
    await sql`insert into identity.vendor_orgs (id, name) values ('acme-it', 'Acme IT Services') on conflict (id) do nothing`;
    const [{ n }] = await sql`select count(*)::int as n from ticket.tickets`;
    if (n > 0) {
      log(`demo data: already there (${n} tickets)`);
      // A stack seeded before the worked tickets existed gets them; one that has them, nothing.
      await seedHistory(portal);
      return;
    }
  } finally {
    await sql.end();
  }
  const { access_token } = await loginAs('nora.nurse', DEMO_PASSWORD);
  const demo = [
    { title: 'EHR freezes when opening patient charts', category: 'ehr', impact: 'department', urgency: 'high', patientCareAffected: true, description: 'Front desk and triage both affected since 8:10.' },
    { title: 'Label printer in exam room 3 prints blank labels', category: 'printer_scanner', impact: 'one_user', urgency: 'medium', patientCareAffected: false, description: 'Replaced the roll, same result.' },
    { title: 'Guest Wi-Fi down in the waiting room', category: 'network', impact: 'department', urgency: 'low', patientCareAffected: false, description: '' },
  ];
  for (const t of demo) {
    const res = await fetch(`${portal}/api/v1/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}`, 'idempotency-key': `demo-seed-${t.category}` },
      body: JSON.stringify({ ...t, siteId: 'north' }),
    });
    const body = await res.json();
    if (res.status !== 201) throw new Error(`seeding "${t.title}" failed: ${res.status} ${JSON.stringify(body)}`);
    log(`demo ticket ${body.number} (${body.priority}) opened`);
  }
  await seedHistory(portal);
  await sendNicksEnrolmentLink(portal);
}

/** The worked tickets, each person logged in once. */
async function seedHistory(portal) {
  const tokens = new Map();
  const tokenOf = async (username) => {
    if (!tokens.has(username)) tokens.set(username, (await loginAs(username, DEMO_PASSWORD)).access_token);
    return tokens.get(username);
  };
  const { opened, existing } = await seedDemoHistory({ baseUrl: portal, tokenOf, log });
  if (opened === 0) log(`demo history: already there (${existing} worked tickets)`);
  if (await seedDemoMaintenance({ baseUrl: portal, tokenOf })) log('demo maintenance window: the EHR upgrade next Sunday night, scheduled');
}

/**
 * nick.newhire is an IT agent without a second factor: his password alone is refused, and he
 * enrols through the link Keycloak e-mails him (decision 19). The demo's IT lead sends it the way
 * a lead re-sends one, by setting his role again; it lands in Mailpit. A failure is only logged.
 */
async function sendNicksEnrolmentLink(portal) {
  try {
    const { access_token } = await loginAs('lee.lead', DEMO_PASSWORD);
    const headers = { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' };
    const dir = await fetch(`${portal}/api/v1/directory/users?username=nick.newhire`, { headers });
    const [nick] = dir.status === 200 ? (await dir.json()).users : [];
    if (!nick) throw new Error(`nick.newhire not found in the directory (${dir.status})`);
    const res = await fetch(`${portal}/api/v1/directory/users/${nick.id}/roles`, { method: 'PUT', headers, body: JSON.stringify({ roles: ['it_agent'] }) });
    if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
    log('nick.newhire: enrolment link e-mailed (see Mailpit)');
  } catch (err) {
    log(`nick.newhire: sending his enrolment link failed: ${err.message}`);
  }
}
