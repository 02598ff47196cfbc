/**
 * The admin's screens in a real, headless Chromium against the real stack and the real Keycloak
 * (docs/decisions/0044): ada.admin adds a site and a vendor organisation, invites a person of the
 * organisation and removes them again, invites a new IT agent;
 * the invitation reaches Mailpit, and the new person, in a browser of their own, follows its
 * single-use link: sets a password, enrols an authenticator (the realm requires a second factor
 * of IT) and signs in to the queue. The admin then grants a role, disables the account, and the
 * person can no longer sign in. Every screen passes axe and breaks no CSP rule; the screens are
 * saved to docs/screenshots/ for the admin's manual.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { keycloakAdmin, testEnv, totp } from '@tierline/testing';
import { axeCheck, DESKTOP, launchBrowser, newPage, screenshot, signIn } from './browser.js';
import { PORTAL_ORIGIN, startStack, type Stack } from './stack.js';

const USERNAME = `nina.new.${randomBytes(3).toString('hex')}`;
const EMAIL = `${USERNAME}@it.tierline.test`;
const PASSWORD = 'Tierline-invited-7';
/** A vendor organisation of this test (its Keycloak group is removed after), and a person invited into it. */
const ORG = 'beta-imaging';
const VENDOR_PERSON = `vic.vendor.${randomBytes(3).toString('hex')}`;

let stack: Stack;
let browser: Browser;
let admin: Awaited<ReturnType<typeof newPage>>;
let invitee: Awaited<ReturnType<typeof newPage>>;
let secret = '';

async function expectAccessible(page: Page, what: string) {
  const violations = await axeCheck(page);
  expect(violations, `${what}: serious or critical accessibility violations:\n${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

interface MailpitSummary {
  ID: string;
  Created: string;
  To: { Address: string }[];
}

/** The action link of the newest e-mail to `address`. */
async function actionLinkFromMailpit(address: string): Promise<string> {
  const { mailpitUrl } = testEnv();
  const start = Date.now();
  for (;;) {
    const res = await fetch(`${mailpitUrl}/api/v1/search?${new URLSearchParams({ query: `to:"${address}"`, limit: '5' }).toString()}`);
    const { messages } = (await res.json()) as { messages: MailpitSummary[] };
    const mail = messages.find((m) => m.To.some((t) => t.Address === address));
    if (mail) {
      const body = (await (await fetch(`${mailpitUrl}/api/v1/message/${mail.ID}`)).json()) as { Text: string };
      const link = /https?:\/\/\S+\/login-actions\/action-token\?\S+/.exec(body.Text)?.[0];
      if (link) return link;
    }
    if (Date.now() - start > 20_000) throw new Error(`no invitation e-mail to ${address}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The portal's sign-in with password and, when given, the one-time code; resolves to Keycloak's page or the portal's. */
async function signInAs(page: Page, username: string, password: string, totpSecret?: string) {
  await page.goto(`${PORTAL_ORIGIN}/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('#kc-login').click();
  if (totpSecret) {
    await page.locator('#otp').fill(totp(totpSecret));
    await page.locator('#kc-login').click();
  }
}

beforeAll(async () => {
  stack = await startStack('admin', { identity: true });
  browser = await launchBrowser(stack.proxyUrl);
  admin = await newPage(browser, DESKTOP);
  invitee = await newPage(browser, DESKTOP);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  for (const username of [USERNAME, VENDOR_PERSON]) {
    const found = await keycloakAdmin('GET', `/users?username=${encodeURIComponent(username)}&exact=true`);
    for (const u of (found.body as { id: string }[] | undefined) ?? []) await keycloakAdmin('DELETE', `/users/${u.id}`);
  }
  const group = await keycloakAdmin('GET', `/group-by-path/vendors/${ORG}`);
  if (group.status === 200) await keycloakAdmin('DELETE', `/groups/${(group.body as { id: string }).id}`);
});

describe("the admin's screens in Chromium", () => {
  it('an admin starts on Users, adds a site, a vendor organisation and a person of it, and removes the person', async () => {
    const page = admin.page;
    await signIn(page, 'ada.admin');
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await page.getByRole('link', { name: 'Sites' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sites' }).waitFor();
    // The realm's site north: its row here, its Keycloak group already there.
    const addSite = page.locator('form', { has: page.getByRole('heading', { name: 'Add a site' }) });
    await addSite.getByLabel(/^Name/).fill('North Clinic');
    await addSite.getByLabel(/^Site id/).fill('north');
    await addSite.getByLabel(/^Time zone/).selectOption('America/New_York');
    await addSite.getByRole('button', { name: 'Add site' }).click();
    await page.getByRole('status').filter({ hasText: 'Added North Clinic (north).' }).waitFor();
    // A duplicate id is named on its field.
    await addSite.getByLabel(/^Name/).fill('North again');
    await addSite.getByLabel(/^Site id/).fill('north');
    await addSite.getByRole('button', { name: 'Add site' }).click();
    await page.getByRole('alert').filter({ hasText: 'exists already' }).first().waitFor();
    expect(await page.getByTestId('sites').locator('tbody tr').count()).toBe(1);
    await expectAccessible(page, 'sites');
    await screenshot(page, 'admin-sites');

    await page.getByRole('link', { name: 'Vendors' }).click();
    await page.getByRole('heading', { level: 1, name: 'Vendors' }).waitFor();
    const addOrg = page.locator('form', { has: page.getByRole('heading', { name: 'Add a vendor organisation' }) });
    await addOrg.getByLabel(/^Name/).fill('Beta Imaging Ltd');
    await addOrg.getByLabel(/^Organisation id/).fill(ORG);
    await addOrg.getByRole('button', { name: 'Add organisation' }).click();
    const org = page.locator(`[data-org="${ORG}"]`);
    await org.getByText('Nobody yet.').waitFor();
    // A person of the organisation: invited (the vendor role, the e-mailed link), then removed.
    const invitePerson = org.locator('form', { has: page.getByRole('heading', { name: 'Invite a person of Beta Imaging Ltd' }) });
    await invitePerson.getByLabel(/^First name/).fill('Vic');
    await invitePerson.getByLabel(/^Last name/).fill('Vendor');
    await invitePerson.getByLabel(/^Username/).fill(VENDOR_PERSON);
    await invitePerson.getByLabel(/^Email/).fill(`${VENDOR_PERSON}@beta-imaging.test`);
    await invitePerson.getByRole('button', { name: 'Invite to Beta Imaging Ltd' }).click();
    await page.getByRole('status').filter({ hasText: 'Invited Vic Vendor.' }).waitFor();
    await org.locator(`tr[data-username="${VENDOR_PERSON}"]`).waitFor();
    await expectAccessible(page, 'vendors');
    await screenshot(page, 'admin-vendors');
    await org.getByRole('button', { name: 'Remove Vic Vendor' }).click();
    await page.getByRole('status').filter({ hasText: 'Vic Vendor is no longer with Beta Imaging Ltd, and their account is disabled.' }).waitFor();
    await org.getByText('Nobody yet.').waitFor();
  });

  it('invites an IT agent, who sets a password and enrols an authenticator through the e-mailed link, and signs in to the queue', async () => {
    const page = admin.page;
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Invite someone' }) });
    await form.getByLabel(/^First name/).fill('Nina');
    await form.getByLabel(/^Last name/).fill('New');
    await form.getByLabel(/^Username/).fill(USERNAME);
    await form.getByLabel(/^Email/).fill(EMAIL);
    await form.getByRole('button', { name: 'Send invitation' }).click();
    // The schema the route takes refuses no role, on the roles field, before anything is sent.
    await form.getByRole('alert').filter({ hasText: 'Roles: choose at least one role' }).waitFor();
    await form.getByLabel('IT agent').check();
    await expectAccessible(page, 'invite form');
    await screenshot(page, 'admin-invite');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByRole('status').filter({ hasText: `Invited Nina New. An e-mail to ${EMAIL}` }).waitFor();
    expect(await page.getByRole('status').first().textContent()).toMatch(/enrol an authenticator app/);

    // The invitation, in the person's own browser: a password and an authenticator.
    const p = invitee.page;
    await p.goto(await actionLinkFromMailpit(EMAIL));
    const proceed = p.getByRole('link', { name: /click here to proceed/i });
    if (await proceed.isVisible().catch(() => false)) await proceed.click();
    // Keycloak runs the link's actions in its own order (the authenticator first): each form as it comes.
    const totpForm = p.locator('#kc-totp-settings-form');
    const passwordForm = p.locator('#password-new');
    const updated = p.getByText(/your account has been updated/i).first();
    for (let step = 0; step < 3; step++) {
      await totpForm.or(passwordForm).or(updated).first().waitFor();
      if (await updated.isVisible()) break;
      if (await totpForm.isVisible()) {
        await p.locator('#mode-manual').click();
        secret = ((await p.locator('#kc-totp-secret-key').textContent()) ?? '').replace(/\s+/g, '');
        expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
        await p.locator('#totp').fill(totp(secret));
        await totpForm.locator('[type="submit"]').first().click();
        await totpForm.waitFor({ state: 'detached' });
      } else {
        await passwordForm.fill(PASSWORD);
        await p.locator('#password-confirm').fill(PASSWORD);
        await p.locator('[type="submit"]').first().click();
        await passwordForm.waitFor({ state: 'detached' });
      }
    }
    await p.getByText(/your account has been updated/i).first().waitFor();

    // Password and code: the IT queue, with the role the admin gave.
    await signInAs(p, USERNAME, PASSWORD, secret);
    await p.waitForURL(`${PORTAL_ORIGIN}/**`);
    await p.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    expect(await p.locator('.whoami').textContent()).toContain('IT agent');
    expect(invitee.problems).toEqual([]);
  });

  it('grants a role, then disables the account: the person can no longer sign in', async () => {
    const page = admin.page;
    await page.getByLabel('Find people by name, username or email').fill(USERNAME);
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.locator(`tr[data-username="${USERNAME}"]`);
    await row.waitFor();
    await expect.poll(() => page.getByTestId('users').locator('tbody tr').count()).toBe(1);
    await row.getByLabel('IT lead').check();
    await row.getByRole('button', { name: 'Save roles of Nina New' }).click();
    await page.getByRole('status').filter({ hasText: 'Nina New: added IT lead. It applies from their next sign-in.' }).waitFor();
    await expectAccessible(page, 'users');
    await screenshot(page, 'admin-roles');

    await row.getByRole('button', { name: 'Disable Nina New' }).click();
    await page.getByRole('status').filter({ hasText: 'Nina New is disabled' }).waitFor();
    await row.getByText('Disabled', { exact: true }).waitFor();
    await screenshot(page, 'admin-disabled');

    const p = invitee.page;
    await p.getByRole('button', { name: 'Sign out' }).click();
    await p.getByRole('button', { name: 'Sign in' }).waitFor();
    await signInAs(p, USERNAME, PASSWORD);
    await p.getByText(/account is disabled/i).first().waitFor();
    expect(p.url()).not.toContain(`${PORTAL_ORIGIN}/queue`);
    expect(admin.problems).toEqual([]);
  });
});
