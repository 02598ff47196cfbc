import { describe, expect, it } from 'vitest';
import { EventEnvelopeSchema } from '@tierline/contracts';
import { keycloakEventEnvelope } from './keycloak-events.js';

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
