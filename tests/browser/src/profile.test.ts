/**
 * The profile page in Chromium against the real stack (the identity service on its own database,
 * Keycloak's login): a nurse sets her mobile number, SMS as her channel and quiet hours in her
 * time zone; the identity service stores exactly that (read back through its API with her own
 * token), the page shows it again after a reload, and a bad number is refused next to its field
 * without saving anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD, loginAs } from '@tierline/testing';
import { axeCheck, launchBrowser, newPage, screenshot, signIn, TABLET } from './browser.js';
import { PORTAL_ORIGIN, startStack, type Stack } from './stack.js';

let stack: Stack;
let browser: Browser;
let nurse: Awaited<ReturnType<typeof newPage>>;

async function storedContacts() {
  const token = (await loginAs('nora.nurse', DEMO_PASSWORD)).access_token;
  const res = await fetch(`${stack.identityUrl}/api/v1/me/contacts`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  stack = await startStack('profile', { identity: true });
  browser = await launchBrowser(stack.proxyUrl);
  nurse = await newPage(browser, TABLET);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('profile page in Chromium', () => {
  it('a nurse sets SMS and her quiet hours from the layout link, and they are saved', async () => {
    const page = nurse.page;
    await signIn(page, 'nora.nurse');
    await page.getByRole('link', { name: 'Your profile' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your profile' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/profile');

    await page.getByLabel('Mobile number').fill('+4915123456789');
    await page.getByLabel('SMS (text message)').check();
    await page.getByLabel('Do not send me SMS or chat messages during quiet hours').check();
    await page.getByLabel('Quiet from').fill('21:30');
    await page.getByLabel('Quiet until').fill('06:45');
    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    const violations = await axeCheck(page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await screenshot(page, 'profile');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved. The next update about your tickets follows these settings.').waitFor();

    expect(await storedContacts()).toMatchObject({
      mobile: '+4915123456789',
      preferredChannels: ['sms'],
      quietHours: { start: '21:30', end: '06:45', timeZone: 'Europe/Berlin' },
    });

    // A fresh page load shows what is stored.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Your profile' }).waitFor();
    await expect.poll(() => page.getByLabel('Mobile number').inputValue()).toBe('+4915123456789');
    expect(await page.getByLabel('SMS (text message)').isChecked()).toBe(true);
    expect(await page.getByLabel('Quiet from').inputValue()).toBe('21:30');
    expect(await page.getByLabel('Time zone').inputValue()).toBe('Europe/Berlin');
    expect(nurse.problems).toEqual([]);
  });

  it('a bad number is shown next to its field and nothing is saved', async () => {
    const page = nurse.page;
    const before = await storedContacts();
    await page.getByLabel('Mobile number').fill('0151 2345');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Your profile was not saved').waitFor();
    const field = page.getByLabel('Mobile number');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await field.getAttribute('aria-describedby')) ?? '';
    const errorId = describedBy.split(' ').find((i) => i.endsWith('-error'))!;
    expect(await page.locator(`[id="${errorId}"]`).textContent()).toContain('international form');
    // Unticking the mobile's channel is not enough: SMS needs a number.
    await page.getByLabel('Mobile number').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('SMS (text message) needs your mobile number above.').first().waitFor();
    expect(await storedContacts()).toEqual(before);
    expect(new URL(page.url()).origin).toBe(PORTAL_ORIGIN);
  });
});
