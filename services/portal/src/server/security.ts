import { secureHeaders } from 'hono/secure-headers';

/**
 * Security headers for every response. The CSP forbids inline scripts and styles entirely;
 * the only foreign origin is Keycloak (token requests via fetch, and its login form posting).
 */
export function portalSecureHeaders(keycloakUrl: string) {
  const keycloak = new URL(keycloakUrl).origin;
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'", keycloak],
      frameSrc: ["'none'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'", keycloak],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
    permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
  });
}
