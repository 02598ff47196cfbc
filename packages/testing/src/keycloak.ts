import { createHash, createHmac, randomBytes } from 'node:crypto';
import { demoUser } from './demo-users.js';
import { testEnv } from './env.js';

export interface Tokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in: number;
}

const b64url = (b: Buffer) => b.toString('base64url');

/** Minimal cookie jar: Keycloak's login needs its session cookies across the form steps. */
class CookieJar {
  private cookies = new Map<string, string>();
  store(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      if (i > 0) this.cookies.set(pair!.slice(0, i).trim(), pair!.slice(i + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

function formAction(html: string): string | null {
  const form = /<form\b[^>]*>/gi;
  for (const m of html.matchAll(form)) {
    const tag = m[0];
    if (!/kc-form-login|kc-otp-login-form|id="kc-form/i.test(tag)) continue;
    const action = /action="([^"]+)"/i.exec(tag)?.[1];
    if (action) return action.replace(/&amp;/g, '&');
  }
  return null;
}

function pageError(html: string): string {
  const m =
    /id="input-error[^"]*"[^>]*>\s*([^<]+)</i.exec(html) ??
    /class="[^"]*(?:alert|kc-feedback-text|pf-m-danger)[^"]*"[^>]*>[\s\S]*?<span[^>]*>\s*([^<]+)</i.exec(html) ??
    /<title>([^<]+)<\/title>/i.exec(html);
  return m?.[1]?.trim() ?? 'unknown page';
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), as Keycloak's default OTP policy computes it. */
export function totp(secret: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1]! & 0xf;
  const code = (h.readUInt32BE(o) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, '0');
}

/**
 * Keycloak stopped the login at a second-factor enrolment page: no code was issued, but whoever
 * holds the password could register their own authenticator there. The realm no longer does this
 * (decision 19); security tests use it to tell the old behaviour from the new.
 */
export class SecondFactorSetupRequired extends Error {}

/**
 * The realm denied the login because the account must have a second factor and has none; the page
 * points to the e-mailed enrolment link (decision 19). The message carries the page's text.
 */
export class SecondFactorNotEnrolled extends Error {}

/**
 * Logs a person in the way the portal does: authorization code + PKCE on Keycloak's own login
 * page, here driven over HTTP. No test-only direct-grant client is needed. When the realm asks
 * for a one-time code, the code is computed from `opts.totpSecret`, or else from the demo user's
 * seeded secret (demo-users.ts), so callers of demo users need not know about MFA.
 */
export async function loginAs(
  username: string,
  password: string,
  opts: { clientId?: string; redirectUri?: string; totpSecret?: string } = {},
): Promise<Tokens> {
  // Keycloak's brute-force detector serialises logins per user, and test files in parallel log
  // the same demo users in at once: some attempts are refused for a moment. Retry those.
  const totpSecret = opts.totpSecret ?? demoUser(username)?.totpSecret;
  const withSecret = totpSecret ? { ...opts, totpSecret } : opts;
  let last: unknown;
  for (let attempt = 0; attempt < 6; attempt++) {
    try {
      return await loginOnce(username, password, withSecret);
    } catch (err) {
      last = err;
      if (err instanceof SecondFactorSetupRequired || err instanceof SecondFactorNotEnrolled) throw err;
      const message = (err as Error).message;
      // A demo user's seeded code is known to be right: when it is not accepted, the 30-second
      // window turned between computing and posting it (or a parallel login used it). Wait for
      // the next window and log in afresh. A code the caller chose is never retried.
      if (/not accepted/.test(message) && !opts.totpSecret && totpSecret) {
        await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 250 + Math.random() * 500));
        continue;
      }
      if (!/refused|ended with HTTP 5/.test(message)) throw err;
      await new Promise((r) => setTimeout(r, 250 + Math.random() * 750 * (attempt + 1)));
    }
  }
  throw last;
}

async function loginOnce(
  username: string,
  password: string,
  opts: { clientId?: string; redirectUri?: string; totpSecret?: string },
): Promise<Tokens> {
  const env = testEnv();
  const clientId = opts.clientId ?? 'tierline-portal';
  const redirectUri = opts.redirectUri ?? 'http://localhost:3000/auth/callback';
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const base = `${env.keycloakUrl}/realms/${env.realm}/protocol/openid-connect`;
  const auth = new URL(`${base}/auth`);
  auth.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: b64url(randomBytes(8)),
    nonce: b64url(randomBytes(8)),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();

  const jar = new CookieJar();
  let res = await fetch(auth, { redirect: 'manual' });
  jar.store(res);
  let html = await res.text();
  let action = formAction(html);
  if (!action) throw new Error(`Keycloak did not show a login form (${res.status}): ${pageError(html)}`);

  res = await fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ username, password, credentialId: '' }),
  });
  jar.store(res);
  // Denied after the password: the realm refuses a user whose role needs a second factor and who
  // has none (enrolment only through the e-mailed link), on an error page that says so.
  if (res.status === 401) {
    html = await res.text();
    const message = /id="kc-error-message"[\s\S]*?<p[^>]*>\s*([^<]+)</i.exec(html)?.[1]?.trim() ?? pageError(html);
    if (/second factor/i.test(message)) throw new SecondFactorNotEnrolled(`login of ${username} denied until a second factor is enrolled: ${message}`);
    throw new Error(`login of ${username} denied (HTTP 401): ${message}`);
  }
  // A second factor, when the account has one: the OTP form.
  if (res.status === 200) {
    html = await res.text();
    if (/kc-totp-settings-form|webauthn-register|id="register"/i.test(html)) {
      throw new SecondFactorSetupRequired(`login of ${username} stopped at second-factor enrolment (no code issued)`);
    }
    action = formAction(html);
    if (!action || !/otp/i.test(html)) throw new Error(`login of ${username} refused: ${pageError(html)}`);
    if (!opts.totpSecret) throw new Error(`login of ${username} asks for a one-time code and no TOTP secret was given`);
    res = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: new URLSearchParams({ otp: totp(opts.totpSecret), credentialId: '' }),
    });
    jar.store(res);
    // Not "refused": a wrong code is final, and retrying would trip brute-force detection.
    if (res.status === 200) throw new Error(`one-time code of ${username} not accepted: ${pageError(await res.text())}`);
  }
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`login of ${username} ended with HTTP ${res.status}`);
  // A user who must have a second factor but has none is sent to enrolment: no code.
  if (/required-action\?execution=(CONFIGURE_TOTP|webauthn-register)/.test(location)) {
    throw new SecondFactorSetupRequired(`login of ${username} stopped at second-factor enrolment (no code issued)`);
  }
  const code = new URL(location).searchParams.get('code');
  if (!code) throw new Error(`login of ${username} redirected without a code: ${location}`);

  const tokenRes = await fetch(`${base}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, code_verifier: verifier }),
  });
  if (!tokenRes.ok) throw new Error(`token exchange for ${username} failed: ${tokenRes.status} ${await tokenRes.text()}`);
  return (await tokenRes.json()) as Tokens;
}

/** A service account's token (client credentials grant of a confidential client). */
export async function serviceToken(clientId: string, secret = `${clientId}-dev-secret`): Promise<Tokens> {
  const env = testEnv();
  const res = await fetch(`${env.keycloakUrl}/realms/${env.realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
  if (!res.ok) throw new Error(`client credentials for ${clientId} failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Tokens;
}

