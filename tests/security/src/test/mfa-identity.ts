import { randomBytes } from 'node:crypto';
import type { Role } from '@tierline/contracts';
import { createTestUser, DEMO_PASSWORD, serviceToken, testEnv, totp } from '@tierline/testing';

/**
 * Helpers of the MFA, directory and login-event security tests: Keycloak admin calls for set-up,
 * people created for one test, and Mailpit. The identity service itself is started as its own
 * tests start it, as a file-scoped fixture (services/identity/src/test/harness.ts).
 */
export { api, collectEvents, identityTest, type Identity } from '@tierline/identity/test-harness';

export interface ApiResult {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** Keycloak's admin API as the identity service account (set-up and clean-up of the tests). */
export async function kcAdmin(method: string, path: string, body?: unknown): Promise<ApiResult> {
  const env = testEnv();
  const t = (await serviceToken('tierline-identity')).access_token;
  const res = await fetch(`${env.keycloakUrl}/admin/realms/${env.realm}${path}`, {
    method,
    headers: { authorization: `Bearer ${t}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A person of this test only, with the demo password and an e-mail address in Mailpit's reach (packages/testing's createTestUser). */
export async function createPerson(roles: Role[], prefix = 'sec'): Promise<{ id: string; username: string; email: string }> {
  const { id, username, email } = await createTestUser({ prefix, roles });
  return { id, username, email };
}

interface MailpitSummary {
  ID: string;
  Subject: string;
  To: { Address: string }[];
}

/** The Keycloak action link (execute-actions e-mail) last sent to `email`, waiting up to `ms` for it. */
export async function actionLinkFromMailpit(email: string, ms = 15_000): Promise<string> {
  const { mailpitUrl } = testEnv();
  const start = Date.now();
  for (;;) {
    const res = await fetch(`${mailpitUrl}/api/v1/search?${new URLSearchParams({ query: `to:"${email}"`, limit: '10' }).toString()}`);
    if (res.ok) {
      const { messages } = (await res.json()) as { messages: MailpitSummary[] };
      for (const m of messages) {
        if (!m.To.some((t) => t.Address.toLowerCase() === email.toLowerCase())) continue;
        const body = (await (await fetch(`${mailpitUrl}/api/v1/message/${m.ID}`)).json()) as { Text: string; HTML: string };
        const hit = /https?:\/\/[^\s"<>]+\/login-actions\/action-token\?[^\s"<>]+/.exec(body.Text || body.HTML);
        if (hit) return hit[0].replace(/&amp;/g, '&');
      }
    }
    if (Date.now() - start > ms) throw new Error(`no action link e-mailed to ${email} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A minimal cookie jar for driving Keycloak's pages over HTTP. */
class Jar {
  private cookies = new Map<string, string>();
  store(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** GET with redirects followed by hand, so the cookies Keycloak sets on the way are kept. */
async function follow(url: string, jar: Jar): Promise<{ res: Response; html: string; url: string }> {
  let at = url;
  for (let i = 0; i < 10; i++) {
    const res = await fetch(at, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      at = new URL(location, at).toString();
      continue;
    }
    return { res, html: await res.text(), url: at };
  }
  throw new Error(`too many redirects from ${url}`);
}

/** The visible text of a Keycloak page's main part, for error messages. */
const pageText = (html: string) => (/<main[\s\S]*<\/main>/.exec(html)?.[0] ?? html).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);

const unescape = (s: string) => s.replace(/&amp;/g, '&').replace(/&#x2F;/g, '/').replace(/&#x3D;/g, '=');

/**
 * Opens an e-mailed action link over HTTP, as the person would in a browser, and enrols an
 * authenticator on Keycloak's configure-OTP page: reads the secret from its manual-entry mode and
 * posts a code computed from it. Returns the base32 secret (for later logins) and the final page.
 */
export async function enrolTotpThroughLink(link: string, opts: { newPassword?: string } = {}): Promise<{ secret: string; finalPage: string }> {
  const jar = new Jar();
  let { html, url } = await follow(link, jar);
  // Keycloak first lists the actions the link will run, with a link to proceed.
  const proceed = /id="kc-info-message"[\s\S]*?<a href="([^"]*login-actions\/action-token[^"]*)"/.exec(html)?.[1];
  if (proceed) ({ html, url } = await follow(unescape(proceed), jar));
  return completeTotpPage(html, url, jar, opts);
}

/** On Keycloak's configure-OTP page: reads the secret in manual-entry mode and posts a code from it (then a new password, if asked). */
async function completeTotpPage(html: string, url: string, jar: Jar, opts: { newPassword?: string }): Promise<{ secret: string; finalPage: string }> {
  if (!/kc-totp-settings-form|id="kc-totp-secret-qr-code"|mode=manual/.test(html)) throw new Error(`the link did not open the configure-OTP page: ${pageText(html)}`);
  const manualHref = /href="([^"]*mode=manual[^"]*)"/.exec(html)?.[1];
  if (manualHref) ({ html } = await follow(new URL(unescape(manualHref), url).toString(), jar));
  const shown = /id="kc-totp-secret-key"[^>]*>([^<]+)</.exec(html)?.[1];
  if (!shown) throw new Error('the configure-OTP page shows no secret in manual mode');
  const secret = shown.replace(/\s+/g, '');
  const form = /<form[^>]*id="kc-totp-settings-form"[^>]*action="([^"]+)"/.exec(html) ?? /<form[^>]*action="([^"]+)"[^>]*id="kc-totp-settings-form"/.exec(html);
  const hidden = /name="totpSecret"[^>]*value="([^"]+)"/.exec(html)?.[1] ?? /value="([^"]+)"[^>]*name="totpSecret"/.exec(html)?.[1];
  if (!form || !hidden) throw new Error('the configure-OTP form is missing');
  const action = unescape(form[1]!);
  const res = await fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ totp: totp(secret), totpSecret: unescape(hidden), userLabel: 'security test', mode: 'manual' }),
  });
  jar.store(res);
  const loc = res.headers.get('location');
  let finalPage = loc ? (await follow(new URL(loc, action).toString(), jar)).html : await res.text();
  if (/kc-totp-settings-form/.test(finalPage)) throw new Error('Keycloak did not accept the one-time code at enrolment');
  // A link that also sets the password (an invited account) asks for it next.
  if (/id="password-new"/.test(finalPage)) {
    const pwAction = unescape(/<form[^>]*action="([^"]+)"/.exec(finalPage)![1]!);
    const pw = opts.newPassword ?? DEMO_PASSWORD;
    const r = await fetch(pwAction, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: new URLSearchParams({ 'password-new': pw, 'password-confirm': pw }),
    });
    jar.store(r);
    const next = r.headers.get('location');
    finalPage = next ? (await follow(new URL(next, pwAction).toString(), jar)).html : await r.text();
    if (/id="password-new"/.test(finalPage)) throw new Error(`Keycloak did not accept the new password: ${pageText(finalPage)}`);
  }
  return { secret, finalPage };
}

/**
 * One login attempt with a wrong password on Keycloak's page, without loginAs's retries (each
 * retry would be one more failure for brute-force detection).
 */
export async function failedLoginOnce(username: string, password: string): Promise<void> {
  const env = testEnv();
  const auth = new URL(`${env.keycloakUrl}/realms/${env.realm}/protocol/openid-connect/auth`);
  auth.search = new URLSearchParams({
    client_id: 'tierline-portal',
    redirect_uri: 'http://localhost:3000/auth/callback',
    response_type: 'code',
    scope: 'openid',
    code_challenge: randomBytes(32).toString('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const jar = new Jar();
  const { html } = await follow(auth.toString(), jar);
  const action = unescape(/<form[^>]*action="([^"]+)"/.exec(html)![1]!);
  const res = await fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ username, password, credentialId: '' }),
  });
  if (res.status === 302) throw new Error(`the login of ${username} with that password succeeded`);
}

/**
 * What the password alone allowed a person without a second-factor role: sign in to Keycloak's
 * account console and add an authenticator (`kc_action=CONFIGURE_TOTP`). Returns the secret.
 */
export async function selfEnrolThroughAccountConsole(username: string, password: string): Promise<string> {
  const env = testEnv();
  const auth = new URL(`${env.keycloakUrl}/realms/${env.realm}/protocol/openid-connect/auth`);
  auth.search = new URLSearchParams({
    client_id: 'account-console',
    redirect_uri: `${env.keycloakUrl}/realms/${env.realm}/account/`,
    response_type: 'code',
    scope: 'openid',
    kc_action: 'CONFIGURE_TOTP',
    code_challenge: randomBytes(32).toString('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const jar = new Jar();
  const { html } = await follow(auth.toString(), jar);
  const action = unescape(/<form[^>]*action="([^"]+)"/.exec(html)![1]!);
  const res = await fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ username, password, credentialId: '' }),
  });
  jar.store(res);
  const loc = res.headers.get('location');
  const page = loc ? await follow(new URL(loc, action).toString(), jar) : { html: await res.text(), url: action };
  return (await completeTotpPage(page.html, page.url, jar, {})).secret;
}

/** Waits until `check` holds, polling every 25 ms; returns how long it took. */
export async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
