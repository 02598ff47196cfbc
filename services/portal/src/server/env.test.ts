import { describe, expect, it } from 'vitest';
import { parseEnv } from '@tierline/platform';
import { portalEnvSchema, publicConfig } from './env.js';

describe('portal env', () => {
  it('has working defaults for local development', () => {
    const env = parseEnv(portalEnvSchema, {});
    expect(env).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      TICKET_SERVICE_URL: 'http://127.0.0.1:3001',
      IDENTITY_SERVICE_URL: 'http://127.0.0.1:3002',
      NOTIFICATION_SERVICE_URL: 'http://127.0.0.1:3003',
      AUDIT_SERVICE_URL: 'http://127.0.0.1:3004',
      KEYCLOAK_URL: 'http://localhost:8180',
      KEYCLOAK_REALM: 'tierline',
      PORTAL_CLIENT_ID: 'tierline-portal',
    });
    expect(env.KEYCLOAK_ISSUER).toBeUndefined();
    expect(publicConfig(env)).toEqual({ keycloakUrl: 'http://localhost:8180', realm: 'tierline', clientId: 'tierline-portal' });
  });

  it('coerces the port and strips trailing slashes from URLs', () => {
    const env = parseEnv(portalEnvSchema, { PORT: '8080', TICKET_SERVICE_URL: 'http://ticket:3001/', KEYCLOAK_URL: 'https://sso.example.org//' });
    expect(env.PORT).toBe(8080);
    expect(env.TICKET_SERVICE_URL).toBe('http://ticket:3001');
    expect(publicConfig(env).keycloakUrl).toBe('https://sso.example.org');
  });

  it('derives Keycloak URL and realm from KEYCLOAK_ISSUER when given', () => {
    const env = parseEnv(portalEnvSchema, {
      KEYCLOAK_ISSUER: 'https://sso.example.org/auth/realms/clinic',
      KEYCLOAK_URL: 'http://ignored:1',
      PORTAL_CLIENT_ID: 'portal-x',
    });
    expect(publicConfig(env)).toEqual({ keycloakUrl: 'https://sso.example.org/auth', realm: 'clinic', clientId: 'portal-x' });
  });

  it('rejects bad values, naming every offending variable', () => {
    expect(() =>
      parseEnv(portalEnvSchema, {
        PORT: '70000',
        TICKET_SERVICE_URL: 'ftp://x',
        KEYCLOAK_ISSUER: 'http://localhost:8180/no-realm',
        KEYCLOAK_REALM: 'bad realm',
        LOG_LEVEL: 'loud',
      }),
    ).toThrow(/PORT[\s\S]*TICKET_SERVICE_URL|TICKET_SERVICE_URL[\s\S]*PORT/);
    const result = portalEnvSchema.safeParse({ PORT: 'x', AUDIT_SERVICE_URL: 'not a url', KEYCLOAK_ISSUER: 'http://kc/no-realm', KEYCLOAK_REALM: 'a b', LOG_LEVEL: 'loud' });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(['AUDIT_SERVICE_URL', 'KEYCLOAK_ISSUER', 'KEYCLOAK_REALM', 'LOG_LEVEL', 'PORT']);
  });
});
