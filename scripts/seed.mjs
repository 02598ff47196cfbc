// Demo data for `npm run up`: the sites and vendor organisation the realm's groups name, and a
// few tickets opened through the real API by the demo nurse (so each has its workflow and its
// audit row). Runs once: a second `up` finds the tickets and leaves everything as it is.
import postgres from 'postgres';
import { log } from './lib.mjs';

const { infraEnv } = await import('../infra/lib/env.mjs');
const { loginAs, DEMO_PASSWORD } = await import('../packages/testing/dist/index.js');

/** The Keycloak user id (`sub`) of a demo user, read from a real login's access token. */
async function userIdOf(username) {
  const { access_token } = await loginAs(username, DEMO_PASSWORD);
  return JSON.parse(Buffer.from(access_token.split('.')[1], 'base64url').toString('utf8')).sub;
}

export async function seedDemo() {
  const env = infraEnv();
  const sql = postgres(env.DATABASE_URL, { max: 1, onnotice: () => undefined });
  try {
    // Team members are configured by username; automatic assignment needs their user ids.
    for (const username of ['alex.agent', 'lee.lead']) {
      await sql`update ticket.team_members set user_id = ${await userIdOf(username)} where username = ${username} and user_id is null`;
    }
    await sql`insert into identity.sites (id, name, time_zone) values
      ('north', 'North Clinic', 'America/New_York'), ('south', 'South Clinic', 'America/New_York')
      on conflict (id) do nothing`;
    await sql`insert into identity.vendor_orgs (id, name) values ('acme-it', 'Acme IT Services') on conflict (id) do nothing`;
    const [{ n }] = await sql`select count(*)::int as n from ticket.tickets`;
    if (n > 0) {
      log(`demo data: already there (${n} tickets)`);
      return;
    }
  } finally {
    await sql.end();
  }
  const portal = `http://127.0.0.1:${process.env.PORTAL_PORT ?? '3000'}`;
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
}
