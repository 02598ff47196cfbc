/**
 * The safe path to a second factor, end to end in Chromium (decision 19): nick.newhire, an IT
 * agent without a factor, signs in with his password and is refused with the enrolment message
 * (before the fix Keycloak showed him its configure-OTP page: whoever held the password enrolled
 * their own authenticator). An IT lead's role grant through the identity service makes Keycloak
 * e-mail him a single-use link; the test reads it back from Mailpit, opens it, reads the secret
 * from the configure-OTP page's manual-entry mode, enrols with a code computed from it, and then
 * signs in to the portal with password and code and sees the queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD, loginAs, serviceToken, testEnv, totp } from '@tierline/testing';
import { axeCheck, DESKTOP, launchBrowser, newPage } from './browser.js';
import { PORTAL_ORIGIN, startStack, type Stack } from './stack.js';

const NICK = 'nick.newhire';

async function kcAdmin(method: string, path: string): Promise<{ status: number; body: unknown }> {
  const env = testEnv();
  const t = (await serviceToken('tierline-identity')).access_token;
  const res = await fetch(`${env.keycloakUrl}/admin/realms/${env.realm}${path}`, { method, headers: { authorization: `Bearer ${t}` } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Back to the demo's state: nick has a password and no second factor. */
async function removeNicksFactors(nickId: string) {
  const creds = (await kcAdmin('GET', `/users/${nickId}/credentials`)).body as { id: string; type: string }[];
  for (const c of creds.filter((x) => x.type !== 'password')) await kcAdmin('DELETE', `/users/${nickId}/credentials/${c.id}`);
  await kcAdmin('DELETE', `/attack-detection/brute-force/users/${nickId}`);
}

interface MailpitSummary {
  ID: string;
  Created: string;
  To: { Address: string }[];
}

/** The action link in the newest e-mail to `address` sent after `since`. */
async function actionLinkFromMailpit(address: string, since: number): Promise<string> {
  const { mailpitUrl } = testEnv();
  const start = Date.now();
  for (;;) {
    const res = await fetch(`${mailpitUrl}/api/v1/search?${new URLSearchParams({ query: `to:"${address}"`, limit: '5' }).toString()}`);
    const { messages } = (await res.json()) as { messages: MailpitSummary[] };
    const fresh = messages.find((m) => Date.parse(m.Created) >= since - 1_000 && m.To.some((t) => t.Address === address));
    if (fresh) {
      const body = (await (await fetch(`${mailpitUrl}/api/v1/message/${fresh.ID}`)).json()) as { Text: string };
      const link = /https?:\/\/\S+\/login-actions\/action-token\?\S+/.exec(body.Text)?.[0];
      if (link) return link;
    }
    if (Date.now() - start > 20_000) throw new Error(`no enrolment e-mail to ${address} since ${new Date(since).toISOString()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

let stack: Stack;
let browser: Browser;
let nickId = '';
let nickEmail = '';

beforeAll(async () => {
  const [nick] = (await kcAdmin('GET', `/users?username=${NICK}&exact=true`)).body as { id: string; email: string }[];
  nickId = nick!.id;
  nickEmail = nick!.email;
  await removeNicksFactors(nickId);
  stack = await startStack('mfa-enrolment', { vendorEmail: true });
  browser = await launchBrowser(stack.proxyUrl);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (nickId) await removeNicksFactors(nickId);
});

describe('second-factor enrolment in Chromium', () => {
  it('nick.newhire: refused on his password alone, enrols through the e-mailed link, then signs in with password and code and sees the queue', async () => {
    const { page, problems } = await newPage(browser, DESKTOP);

    // 1. The password alone: refused, with the message, and no configure-OTP page.
    await page.goto(`${PORTAL_ORIGIN}/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#username').fill(NICK);
    await page.locator('#password').fill(DEMO_PASSWORD);
    await page.locator('#kc-login').click();
    await page.getByText(/check your email for the enrolment link/i).waitFor();
    expect(await page.locator('#kc-totp-settings-form, #kc-totp-secret-key').count(), 'no self-enrolment page').toBe(0);

    // 2. An IT lead grants the role again through the identity service: no factor, so Keycloak
    //    e-mails the single-use enrolment link (through Mailpit, the dev stack's SMTP server).
    const since = Date.now();
    const lead = (await loginAs('lee.lead', DEMO_PASSWORD)).access_token;
    const grant = await fetch(`${stack.identityUrl}/api/v1/directory/users/${nickId}/roles`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${lead}`, 'content-type': 'application/json' },
      body: JSON.stringify({ roles: ['it_agent'] }),
    });
    expect(grant.status, await grant.clone().text()).toBe(200);
    const link = await actionLinkFromMailpit(nickEmail, since);

    // 3. The link opens Keycloak's configure-OTP page without the password or a code.
    await page.goto(link);
    const proceed = page.getByRole('link', { name: /click here to proceed/i });
    if (await proceed.isVisible().catch(() => false)) await proceed.click();
    await page.locator('#kc-totp-settings-form').waitFor();
    await page.locator('#mode-manual').click();
    const secret = ((await page.locator('#kc-totp-secret-key').textContent()) ?? '').replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await page.locator('#totp').fill(totp(secret));
    await page.locator('#kc-totp-settings-form [type="submit"]').first().click();
    await page.getByText(/your account has been updated/i).first().waitFor();
    const creds = (await kcAdmin('GET', `/users/${nickId}/credentials`)).body as { type: string }[];
    expect(creds.map((c) => c.type).sort()).toEqual(['otp', 'password']);

    // 4. Password and code sign him in to the portal: the IT queue.
    await page.goto(`${PORTAL_ORIGIN}/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#username').fill(NICK);
    await page.locator('#password').fill(DEMO_PASSWORD);
    await page.locator('#kc-login').click();
    await page.locator('#otp').fill(totp(secret));
    await page.locator('#kc-login').click();
    await page.waitForURL(`${PORTAL_ORIGIN}/**`);
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    const violations = await axeCheck(page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
