import { fileURLToPath } from 'node:url';
import { describe, expect, it, test } from 'vitest';
import { EventEnvelopeSchema } from '@tierline/contracts';
import { createLogger, type JetStreamClient } from '@tierline/platform';
import { migratedDatabase } from '@tierline/test-fixtures';
import type { KeycloakAdmin, KeycloakEvent } from './keycloak-admin.js';
import { keycloakEventEnvelope, startKeycloakEventPoller } from './keycloak-events.js';

const nurse = { id: '9870419e-270a-4ae1-a3fe-1d2a465820e2', roles: ['clinic_staff'] };
const byId = new Map([[nurse.id, nurse]]);
const byUsername = new Map([['nora.nurse', nurse]]);

describe('Keycloak events as Tierline events', () => {
  it('a login: the user as actor, ids and codes only, the Keycloak event id as envelope id', () => {
    const e = keycloakEventEnvelope(
      { id: '7D71DFAF-7C4E-48FC-8140-708B62A7EB92', time: 1_796_282_895_091, type: 'LOGIN', clientId: 'tierline-portal', userId: nurse.id, ipAddress: '127.0.0.1', details: { username: 'nora.nurse', redirect_uri: 'http://x' } },
      byId,
      byUsername,
    )!;
    expect(EventEnvelopeSchema.parse(e)).toBeTruthy();
    expect(e).toMatchObject({ id: '7d71dfaf-7c4e-48fc-8140-708b62a7eb92', type: 'identity.login_succeeded', actor: { kind: 'user', id: nurse.id, role: 'clinic_staff' } });
    expect(e.data).toEqual({ keycloakEventId: '7D71DFAF-7C4E-48FC-8140-708B62A7EB92', keycloakType: 'LOGIN', userId: nurse.id, clientId: 'tierline-portal', ipAddress: '127.0.0.1', error: null, credentialType: null });
  });

  it('a failed login by typed username: the id when the name is known, nothing of the text when it is not', () => {
    const known = keycloakEventEnvelope({ id: 'a', time: 1, type: 'LOGIN_ERROR', error: 'access_denied', details: { username: 'Nora.Nurse' } }, byId, byUsername)!;
    expect(known.data['userId']).toBe(nurse.id);
    const unknown = keycloakEventEnvelope({ id: 'b', time: 1, type: 'LOGIN_ERROR', error: 'user_not_found', ipAddress: 'not an ip', clientId: 'a b<script>', details: { username: '<b>evil</b>' } }, byId, byUsername)!;
    expect(unknown.actor).toEqual({ kind: 'system', id: 'keycloak' });
    expect(unknown.data).toMatchObject({ userId: null, ipAddress: null, clientId: null, error: 'user_not_found' });
    expect(JSON.stringify(unknown)).not.toContain('evil');
    // A non-UUID Keycloak id still gives a stable UUID envelope id.
    expect(EventEnvelopeSchema.parse(unknown).id).toBe(keycloakEventEnvelope({ id: 'b', time: 2, type: 'LOGIN_ERROR' }, byId, byUsername)!.id);
  });

  it('a second factor enrolled is a credential change; an event type Tierline does not carry is skipped', () => {
    const e = keycloakEventEnvelope({ id: 'c', time: 1, type: 'UPDATE_CREDENTIAL', userId: nurse.id, details: { credential_type: 'otp' } }, byId, byUsername)!;
    expect(e).toMatchObject({ type: 'identity.credential_changed', data: { credentialType: 'otp' } });
    expect(keycloakEventEnvelope({ id: 'd', time: 1, type: 'CODE_TO_TOKEN' }, byId, byUsername)).toBeNull();
  });
});

// The poller on the identity schema of the real PostgreSQL. Keycloak stands in by its one call the
// poller makes, so the test decides when a round's read of Keycloak returns; it returns no event,
// so JetStream is never reached (its stand-in throws if it were).
const withDatabase = test.extend('database', { scope: 'file' }, migratedDatabase({ label: 'kc-events', schema: 'identity', migrations: fileURLToPath(new URL('../migrations', import.meta.url)), max: 2 }));

describe('the Keycloak event poller', () => {
  withDatabase('stop() waits for a round in flight, and no round starts after it', async ({ database: { sql } }) => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let roundDone = false;
    const kc = {
      listEvents: async (): Promise<KeycloakEvent[]> => {
        calls++;
        await gate;
        roundDone = true;
        return [];
      },
    } as unknown as KeycloakAdmin;
    const js = new Proxy({}, { get: () => { throw new Error('JetStream used'); } }) as unknown as JetStreamClient;
    const poller = startKeycloakEventPoller({ sql, kc, js, logger: createLogger('kc-events-test', 'silent'), intervalMs: 20 });
    await expect.poll(() => calls).toBe(1);

    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 100));
    // The round is still reading Keycloak: stop() has not returned, and the interval started no other round.
    expect(stopped).toBe(false);
    expect(calls).toBe(1);
    release();
    await stopping;
    expect(roundDone).toBe(true);
    // Stopped: neither the interval nor a direct call starts another round.
    await poller.round();
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(1);
  });
});
