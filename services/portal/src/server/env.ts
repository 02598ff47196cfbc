import { z } from 'zod';
import { baseEnvSchema, httpUrl, port } from '@tierline/platform';

/** An http(s) base URL without a trailing slash, so paths can be appended verbatim. */
const baseUrl = httpUrl.transform((u) => u.replace(/\/+$/, ''));

/**
 * The portal's environment, parsed once at start-up. Everything the browser needs to know
 * (Keycloak address, realm, client) comes from here via /config.json, so one built bundle runs
 * in every deployment.
 */
export const portalEnvSchema = baseEnvSchema.extend({
  // TCP port the browser talks to; Keycloak's registered redirect URIs expect 3000.
  PORT: port.default(3000),
  // Interface to bind: loopback by default, 0.0.0.0 only behind a container or reverse proxy.
  HOST: z.string().min(1).default('127.0.0.1'),
  // Ticket service: /api/v1/tickets*, the API docs and the OpenAPI document; also /readyz's check.
  TICKET_SERVICE_URL: baseUrl.default('http://127.0.0.1:3001'),
  // Identity service: /api/v1/me and /api/v1/sites*.
  IDENTITY_SERVICE_URL: baseUrl.default('http://127.0.0.1:3002'),
  // Notification service: /api/v1/notifications* (the live event stream later).
  NOTIFICATION_SERVICE_URL: baseUrl.default('http://127.0.0.1:3003'),
  // Audit service: /api/v1/audit*.
  AUDIT_SERVICE_URL: baseUrl.default('http://127.0.0.1:3004'),
  // Keycloak as the *browser* reaches it (login page, token endpoint); also allowed in the CSP.
  KEYCLOAK_URL: baseUrl.default('http://localhost:8180'),
  // Keycloak realm holding Tierline's users and clients.
  KEYCLOAK_REALM: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a plain realm name')
    .default('tierline'),
  // Full issuer (…/realms/<realm>); when set it wins over KEYCLOAK_URL + KEYCLOAK_REALM, so the
  // portal and the token-verifying services cannot disagree about which realm is in use.
  KEYCLOAK_ISSUER: baseUrl
    .refine((u) => /\/realms\/[A-Za-z0-9_-]+$/.test(u), 'must end in /realms/<realm>')
    .optional(),
  // Public OIDC client the browser signs in with (authorization code + PKCE, no secret).
  PORTAL_CLIENT_ID: z.string().min(1).default('tierline-portal'),
  // Directory of the built browser app; defaults to dist/public beside the compiled server.
  PORTAL_PUBLIC_DIR: z.string().min(1).optional(),
  // The largest attachment upload passed on to the ticket service, in bytes: its ATTACHMENT_MAX_BYTES
  // plus room for the multipart framing, so an oversized file still gets the ticket service's
  // message naming it. Every other request keeps the small default limit.
  PORTAL_UPLOAD_MAX_BYTES: z.coerce.number().int().positive().max(200 * 1024 * 1024).default(11 * 1024 * 1024),
});

export type PortalEnv = z.infer<typeof portalEnvSchema>;

/** What the browser bundle is told at run time (served as /config.json). */
export interface PublicConfig {
  keycloakUrl: string;
  realm: string;
  clientId: string;
}

export function publicConfig(env: PortalEnv): PublicConfig {
  if (env.KEYCLOAK_ISSUER) {
    const at = env.KEYCLOAK_ISSUER.lastIndexOf('/realms/');
    return {
      keycloakUrl: env.KEYCLOAK_ISSUER.slice(0, at),
      realm: env.KEYCLOAK_ISSUER.slice(at + '/realms/'.length),
      clientId: env.PORTAL_CLIENT_ID,
    };
  }
  return { keycloakUrl: env.KEYCLOAK_URL, realm: env.KEYCLOAK_REALM, clientId: env.PORTAL_CLIENT_ID };
}
