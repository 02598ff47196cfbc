import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { auditRecorder } from '@tierline/audit/test-harness';
import { pollKeycloakEvents, syncDirectory } from '@tierline/identity';
import type { Sql } from '@tierline/platform';
import { DEMO_PASSWORD, loginAs } from '@tierline/testing';
import { api, actionLinkFromMailpit, collectEvents, createPerson, enrolTotpThroughLink, failedLoginOnce, kcAdmin, identityTest, type Identity } from './test/mfa-identity.js';

// The identity service, the identity events it publishes (followed from the start), and the
// audit consumer recording them in the same database.
const test = identityTest('sec-login-events')
  .extend('identityEvents', { scope: 'file' }, async ({ nats }, { onCleanup }) => {
    const events = collectEvents(nats.nc);
    onCleanup(() => events.stop());
    return events;
  })
  .extend('audit', { scope: 'file' }, async ({ database, nats, identity }, hooks) =>
    auditRecorder({ dbUrl: database.url, nc: nats.nc, logger: identity.logger, name: 'sec-audit-login-events' }, hooks),
  );

/**
 * Security review, Low item: "Keycloak login successes, failures and second-factor events reach
 * the audit log too." Before the fix the realm stored no events and nothing read them: a password
 * tried a hundred times, or an authenticator added, left no trace in Tierline's audit log.
 */
describe("Keycloak's login events reach the audit log, once each, without free text", () => {
  let id: Identity;
  let auditSql: Sql;
  let events: ReturnType<typeof collectEvents>;
  const created: string[] = [];

  test.beforeAll(({ identity, identityEvents, audit }) => {
    id = identity;
    events = identityEvents;
    auditSql = audit.sql;
  });
  afterAll(async () => {
    for (const u of created) await kcAdmin('DELETE', `/users/${u}`);
  });

  async function audited(eventId: string, ms = 5_000) {
    const start = Date.now();
    for (;;) {
      const rows = await auditSql<{ event_type: string; actor_id: string; content: string }[]>`select event_type, actor_id, content from audit_log where event_id = ${eventId}`;
      if (rows.length || Date.now() - start > ms) return rows;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('records a login, a failed password, a refused factor-less login, an unknown username and a second factor enrolled', async () => {
    const nurse = await createPerson(['clinic_staff'], 'sec-ev-nurse');
    const agent = await createPerson(['it_agent'], 'sec-ev-agent');
    created.push(nurse.id, agent.id);
    await syncDirectory(id.sql, id.kc);

    await loginAs(nurse.username, DEMO_PASSWORD);
    await failedLoginOnce(nurse.username, 'not-her-password');
    await expect(loginAs(agent.username, DEMO_PASSWORD)).rejects.toThrow(/second factor/);
    const typed = `<b>nobody-${randomBytes(3).toString('hex')}</b>`;
    await failedLoginOnce(typed, DEMO_PASSWORD);
    const lead = (await loginAs('lee.lead', DEMO_PASSWORD)).access_token;
    expect((await api(id.baseUrl, lead)('PUT', `/api/v1/directory/users/${agent.id}/roles`, { roles: ['it_agent'] })).status).toBe(200);
    await enrolTotpThroughLink(await actionLinkFromMailpit(agent.email));

    const { published } = await pollKeycloakEvents({ sql: id.sql, kc: id.kc, js: id.js });
    expect(published).toBeGreaterThanOrEqual(5);

    const ok = await events.waitFor((e) => e.type === 'identity.login_succeeded' && e.data['userId'] === nurse.id);
    expect(ok.data).toMatchObject({ keycloakType: 'LOGIN', clientId: 'tierline-portal', ipAddress: '127.0.0.1', error: null });
    expect(ok.actor).toEqual({ kind: 'user', id: nurse.id, role: 'clinic_staff' });
    const bad = await events.waitFor((e) => e.type === 'identity.login_failed' && e.data['userId'] === nurse.id);
    expect(bad.data).toMatchObject({ keycloakType: 'LOGIN_ERROR', error: 'invalid_user_credentials' });
    // Keycloak's own event names the refused agent by typed username only; it becomes his id.
    const refused = await events.waitFor((e) => e.type === 'identity.login_failed' && e.data['userId'] === agent.id && e.data['error'] === 'access_denied');
    expect(refused.actor).toMatchObject({ kind: 'user', id: agent.id });
    const enrolled = await events.waitFor((e) => e.type === 'identity.credential_changed' && e.data['userId'] === agent.id && e.data['credentialType'] === 'otp');
    expect(enrolled.data['keycloakType']).toMatch(/^UPDATE_(TOTP|CREDENTIAL)$/);

    // No free text: every event carries the same fixed fields, and a typed unknown username is nowhere.
    const mine = events.events.filter((e) => ['identity.login_succeeded', 'identity.login_failed', 'identity.credential_changed', 'identity.action_link_used'].includes(e.type));
    for (const e of mine) {
      expect(Object.keys(e.data).sort()).toEqual(['clientId', 'credentialType', 'error', 'ipAddress', 'keycloakEventId', 'keycloakType', 'userId']);
    }
    expect(JSON.stringify(mine)).not.toContain('nobody-');
    expect(mine.some((e) => e.type === 'identity.login_failed' && e.data['userId'] === null && e.actor['kind'] === 'system'), 'the unknown username is recorded without it').toBe(true);

    // And the audit service records them, hash-chained like every other event.
    for (const e of [ok, bad, refused, enrolled]) {
      const rows = await audited(e.id);
      expect(rows.map((r) => r.event_type), e.type).toEqual([e.type]);
    }
  });

  it('publishes nothing twice: a second round publishes only events it had not published, and a round repeated after a lost cursor is dropped as a duplicate', async () => {
    // Other test files log people in on the same realm meanwhile, so a second round may find events
    // that are new; what it must not do is publish again one it already published: each event it
    // publishes is a row it had not recorded before.
    const recorded = async () => new Set((await id.sql<{ id: string }[]>`select id::text from keycloak_events_published`).map((r) => r.id));
    const first = await recorded();
    const second = await pollKeycloakEvents({ sql: id.sql, kc: id.kc, js: id.js });
    const added = [...(await recorded())].filter((r) => !first.has(r));
    expect(second.published).toBe(added.length);
    const before = events.events.length;
    const [some] = await id.sql<{ id: string }[]>`select id::text from keycloak_events_published order by time desc limit 1`;
    // As if the process died after publishing and before recording: the ids are gone.
    await id.sql`delete from keycloak_events_published where time > now() - interval '1 minute'`;
    const again = await pollKeycloakEvents({ sql: id.sql, kc: id.kc, js: id.js });
    expect(again.published).toBeGreaterThan(0);
    // The repeats carry the same envelope ids: JetStream's duplicate window drops them from the
    // stream, and the audit log (unique event id) keeps one row each.
    await new Promise((r) => setTimeout(r, 1_000));
    const repeated = [...new Set(events.events.slice(before).map((e) => e.id))];
    expect(repeated).toContain(some!.id);
    const rows = await auditSql<{ event_id: string; n: number }[]>`select event_id::text, count(*)::int as n from audit_log where event_id = any(${repeated}::uuid[]) group by event_id`;
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.n, r.event_id).toBe(1);
  });
});
