/**
 * The vendor's email journey in a real, headless Chromium against the real stack (see stack.ts,
 * `vendorEmail`): a P1 filed over the API escalates by itself under the test policy to the vendor
 * (tier 3, two minutes in); the notification pipeline emails val.vendor a signed link through the
 * real SMTP server (Mailpit); the test reads the email back from Mailpit, opens the link (a page
 * served by the identity service, no login) and acknowledges; an IT agent's open ticket page
 * shows the vendor's acknowledgement live, without a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD, loginAs, testEnv } from '@tierline/testing';
import { axeCheck, DESKTOP, launchBrowser, newPage, screenshot, signIn, TABLET } from './browser.js';
import { PORTAL_ORIGIN, startStack, type Stack } from './stack.js';

const VENDOR_EMAIL = 'val.vendor@acme-it.test';

let stack: Stack;
let browser: Browser;
let agent: Awaited<ReturnType<typeof newPage>>;
let vendor: Awaited<ReturnType<typeof newPage>>;
let p1: { id: string; number: string };
let link = '';
const audited: string[] = [];

async function expectAccessible(page: Page, what: string) {
  const violations = await axeCheck(page);
  audited.push(what);
  expect(violations, `${what}: serious or critical accessibility violations:\n${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

interface MailpitMessage {
  ID: string;
  Subject: string;
  To: { Address: string }[];
}

/**
 * The signed link in an email to the vendor about this run's P1. Other runs share Mailpit and
 * number their tickets the same way, so the link must also point at this run's identity app.
 */
async function vendorLinkFromMailpit(): Promise<string | undefined> {
  const { mailpitUrl } = testEnv();
  const res = await fetch(`${mailpitUrl}/api/v1/search?${new URLSearchParams({ query: `to:"${VENDOR_EMAIL}" subject:"${p1.number}"`, limit: '50' }).toString()}`);
  if (!res.ok) throw new Error(`mailpit search answered ${res.status}`);
  const { messages } = (await res.json()) as { messages: MailpitMessage[] };
  for (const m of messages) {
    if (!m.Subject.includes(p1.number) || !m.To.some((t) => t.Address === VENDOR_EMAIL)) continue;
    const body = (await (await fetch(`${mailpitUrl}/api/v1/message/${m.ID}`)).json()) as { Text: string };
    const escaped = stack.identityUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const hit = new RegExp(`${escaped}/v/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+`).exec(body.Text);
    if (hit) return hit[0];
  }
  return undefined;
}

/** Marks the page's JavaScript world: the mark survives every in-app update but not a reload. */
async function markNoReload(page: Page) {
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
}

beforeAll(async () => {
  stack = await startStack('vendor-email', { vendorEmail: true });
  browser = await launchBrowser(stack.proxyUrl);
  agent = await newPage(browser, DESKTOP);
  vendor = await newPage(browser, TABLET);

  // Filed over the API: under the test policy it reaches the vendor two minutes in.
  const { access_token } = await loginAs('nora.nurse', DEMO_PASSWORD);
  const res = await fetch(`${stack.ticketUrl}/api/v1/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: 'Radiology viewer will not load images',
      description: 'No images open in the radiology viewer.',
      category: 'ehr',
      siteId: 'north',
      impact: 'whole_site',
      urgency: 'high',
      patientCareAffected: true,
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  p1 = (await res.json()) as { id: string; number: string };
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the vendor acknowledges from the emailed link in Chromium', () => {
  it('an IT agent signs in with a one-time code and opens the P1', async () => {
    const page = agent.page;
    await signIn(page, 'alex.agent');
    await page.goto(`${PORTAL_ORIGIN}/tickets/${p1.id}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(p1.number) }).waitFor();
    await expect.poll(() => page.locator('.timeline__item').first().textContent()).toMatch(/Reported by/);
    await markNoReload(page);
  });

  it('the P1 escalates to the vendor by itself and the vendor is emailed a signed link', async () => {
    await expect
      .poll(
        async () => {
          const [row] = await stack.ticketSql<{ tier: number }[]>`select tier from tickets where id = ${p1.id}`;
          return row?.tier;
        },
        { timeout: 150_000, interval: 2_000 },
      )
      .toBe(3);
    await expect.poll(async () => (link = (await vendorLinkFromMailpit()) ?? ''), { timeout: 30_000, interval: 1_000 }).not.toBe('');
    expect(link.startsWith(`${stack.identityUrl}/v/`)).toBe(true);
  });

  it('the vendor opens the link without signing in, sees the ticket and acknowledges', async () => {
    const page = vendor.page;
    const opened = await page.goto(link);
    expect(opened?.status()).toBe(200);
    await page.getByRole('heading', { level: 1, name: `Ticket ${p1.number} is escalated to you` }).waitFor();
    expect(await page.textContent('body')).toContain(p1.number);
    await expectAccessible(page, 'vendor link page');
    await screenshot(page, 'vendor-link');

    await page.getByRole('button', { name: 'Acknowledge' }).click();
    // The confirmation's heading is a status message (role=status), announced as such.
    await page.locator('h1[role="status"]', { hasText: `Acknowledged: ${p1.number}` }).waitFor();
    await expectAccessible(page, 'vendor link page (acknowledged)');
    const acknowledgedAt = Date.now();

    // The agent's open page shows it within seconds, without a reload.
    await expect.poll(() => agent.page.locator('.timeline').textContent(), { timeout: 5_000, interval: 100 }).toMatch(/Vendor acknowledged \(from the emailed link\)\./);
    const seenAfter = Date.now() - acknowledgedAt;
    expect(seenAfter, `the agent saw the acknowledgement ${seenAfter} ms after the vendor`).toBeLessThan(5_000);
    expect(await agent.page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload === true), 'the agent’s page must not have reloaded').toBe(true);
    await expectAccessible(agent.page, 'ticket workspace (vendor acknowledged)');

    // Recorded once, as the vendor's act through the signed link.
    const rows = await stack.ticketSql<{ data: { via?: string } }[]>`select data from ticket_timeline where ticket_id = ${p1.id} and type = 'ticket.vendor_acknowledged'`;
    expect(rows.map((r) => r.data.via)).toEqual(['signed_link']);
  });

  it('a second use of the link changes nothing', async () => {
    const page = vendor.page;
    const again = await page.goto(link);
    expect(again?.status()).toBe(409);
  });

  it('broke no CSP rule and threw no error on any page', () => {
    expect(audited.length).toBeGreaterThanOrEqual(3);
    expect([...agent.problems, ...vendor.problems]).toEqual([]);
  });
});
