/**
 * One outage, one page (issue 14) in a real, headless Chromium against the real stack (see
 * stack.ts, `vendorEmail`: the identity service with the demo people's contacts and the notifier
 * with its provider stand-ins): thirty nurses' P1s for one EHR outage at North (one through the
 * report form, twenty-nine through the API), an IT agent declares the first a major incident on
 * its page, links the other twenty-nine and posts a status; a nurse sees it in the banner on her
 * home page. The incident escalates under its policy; the children stay quiet. Counted in Mailpit
 * and the SMS stand-in: the IT lead and the vendor get one page per level each, not thirty.
 * Every new screen passes axe-core; the incident page and the banner are saved to docs/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { EscalationPolicy } from '@tierline/contracts';
import { TEST_FAST_POLICY } from '@tierline/domain';
import { DEMO_CONTACTS, DEMO_PASSWORD, loginAs, testEnv } from '@tierline/testing';
import { axeCheck, DESKTOP, launchBrowser, newPage, screenshot, signIn, TABLET } from './browser.js';
import { PORTAL_ORIGIN, startStack, type Stack } from './stack.js';

/**
 * The fast test policy with one page per level for a P1: the IT lead at 3 minutes of the response
 * clock (no repeats, so a level is one page), the vendor at 4 minutes of the resolution clock. The
 * three minutes leave time to link every report before any of them would page on its own.
 */
const POLICY: EscalationPolicy = {
  ...TEST_FAST_POLICY,
  name: 'Major incident test policy',
  rules: TEST_FAST_POLICY.rules.map((r) =>
    r.priority !== 'P1'
      ? r
      : {
          ...r,
          responseTargetMinutes: 3,
          resolutionTargetMinutes: 8,
          warnings: [],
          levels: [
            { after: { clock: 'response', minutes: 3 }, tier: 2, targets: [{ kind: 'it_lead' }], channels: ['email', 'sms'] },
            { after: { clock: 'resolution', minutes: 4 }, tier: 3, targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }], channels: ['email', 'sms'] },
          ],
        },
  ),
};

const OUTAGE = { category: 'ehr', siteId: 'north', impact: 'whole_site', urgency: 'high', patientCareAffected: true } as const;
const STATUS = 'EHR down at North; vendor engaged; next update within the hour';

let stack: Stack;
let browser: Browser;
let agent: Awaited<ReturnType<typeof newPage>>;
let nurse: Awaited<ReturnType<typeof newPage>>;
let first: { id: string; number: string };
const reports: { id: string; number: string }[] = [];
const started = new Date();
const audited: string[] = [];

async function expectAccessible(page: Page, what: string) {
  const violations = await axeCheck(page);
  audited.push(what);
  expect(violations, `${what}: serious or critical accessibility violations:\n${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

interface MailpitMessage {
  ID: string;
  Created: string;
  To: { Address: string }[];
}

/** Emails to `address` since the run started that are about one of this run's tickets (their ids are in the links). */
async function mailsAbout(address: string): Promise<string[]> {
  const { mailpitUrl } = testEnv();
  const res = await fetch(`${mailpitUrl}/api/v1/search?${new URLSearchParams({ query: `to:"${address}"`, limit: '200' }).toString()}`);
  if (!res.ok) throw new Error(`mailpit search answered ${res.status}`);
  const { messages } = (await res.json()) as { messages: MailpitMessage[] };
  const ours: string[] = [];
  for (const m of messages) {
    if (Date.parse(m.Created) < started.getTime() || !m.To.some((t) => t.Address === address)) continue;
    const body = (await (await fetch(`${mailpitUrl}/api/v1/message/${m.ID}`)).json()) as { Text: string };
    if (reports.some((r) => body.Text.includes(r.id) || body.Text.includes(`${r.number} `) || body.Text.includes(`${r.number}:`))) ours.push(body.Text);
  }
  return ours;
}

/** SMS the stand-in took for `mobile` (the stand-in is this run's own). */
async function smsTo(mobile: string): Promise<string[]> {
  const res = await fetch(`${stack.stubsUrl}/_stub/requests?provider=twilio`);
  const { requests } = (await res.json()) as { requests: { body: Record<string, unknown> }[] };
  return requests.filter((r) => r.body['To'] === mobile).map((r) => String(r.body['Body']));
}

beforeAll(async () => {
  stack = await startStack('major-incident', { policy: POLICY, vendorEmail: true });
  browser = await launchBrowser(stack.proxyUrl);
  agent = await newPage(browser, DESKTOP);
  nurse = await newPage(browser, TABLET);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('thirty reports of one outage page once', () => {
  it('a nurse reports the outage on the form, and twenty-nine more come in', async () => {
    const page = nurse.page;
    await signIn(page, 'nora.nurse');
    await page.getByRole('heading', { level: 1, name: 'Report a problem' }).waitFor();
    await page.getByLabel('Short summary').fill('EHR will not open any chart');
    await page.getByLabel('Kind of problem').selectOption('ehr');
    await page.getByLabel('The whole site').check();
    await page.getByLabel('High – work has stopped').check();
    await page.getByLabel('Patient care is affected').check();
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.getByText('your report was received as').waitFor();
    first = { id: new URL(page.url()).pathname.split('/').pop()!, number: (await page.locator('.ticket-number').first().textContent())!.trim() };
    reports.push(first);

    const { access_token } = await loginAs('nora.nurse', DEMO_PASSWORD);
    const more = await Promise.all(
      Array.from({ length: 29 }, async (_, i) => {
        const res = await fetch(`${stack.ticketUrl}/api/v1/tickets`, {
          method: 'POST',
          headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ...OUTAGE, title: `EHR down in room ${i + 1}`, description: 'The EHR shows an error on every screen.' }),
        });
        expect(res.status, await res.clone().text()).toBe(201);
        return (await res.json()) as { id: string; number: string; priority: string };
      }),
    );
    expect(more.every((t) => t.priority === 'P1')).toBe(true);
    reports.push(...more);
  });

  it('IT declares the first report a major incident, links the other twenty-nine and posts a status', async () => {
    const page = agent.page;
    await signIn(page, 'alex.agent');
    await page.goto(`${PORTAL_ORIGIN}/tickets/${first.id}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(first.number) }).waitFor();
    await page.getByRole('button', { name: 'Declare major incident' }).click();
    await page.getByRole('heading', { level: 2, name: 'Major incident' }).waitFor();

    await page.getByRole('button', { name: 'Link reports' }).click();
    await page.getByRole('button', { name: 'Select all 29' }).click({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Link selected reports' }).click();
    await page.getByText('29 report(s) linked').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('incident-children').locator('li').count(), { timeout: 10_000 }).toBe(29);

    await page.getByLabel('What is happening (staff see this)').fill(STATUS);
    await page.getByRole('button', { name: 'Post status' }).click();
    await page.getByTestId('incident-statuses').getByText(STATUS).waitFor();
    await expectAccessible(page, 'incident page');
    await screenshot(page, 'major-incident');

    // The workflows hold the links: every report is a child of the first.
    await expect.poll(async () => (await stack.ticketSql<{ n: number }[]>`select count(*)::int as n from tickets where incident_parent_id = ${first.id}`)[0]!.n, { timeout: 15_000 }).toBe(29);
  });

  it('the nurse sees what IT knows on her home page', async () => {
    const page = nurse.page;
    await page.goto(`${PORTAL_ORIGIN}/`);
    const banner = page.getByTestId('status-banner');
    await banner.getByText(STATUS).waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toContain(first.number);
    await expectAccessible(page, 'status banner on the report form');
    await screenshot(page, 'status-banner');
  });

  it('IT can also declare an incident before anyone reports it: the form is named and accessible', async () => {
    const page = agent.page;
    await page.getByRole('link', { name: 'Declare major incident' }).click();
    await page.getByRole('heading', { level: 1, name: 'Declare a major incident' }).waitFor();
    // Sent empty, it names what is missing (and declares nothing).
    await page.getByRole('button', { name: 'Declare major incident' }).click();
    await page.getByText('Give the incident a title').waitFor();
    await expectAccessible(page, 'declare a major incident');
  });

  it('the incident escalates under its policy; the lead and the vendor get one page per level, not thirty', async () => {
    await expect
      .poll(async () => (await stack.ticketSql<{ tier: number }[]>`select tier from tickets where id = ${first.id}`)[0]?.tier, { timeout: 420_000, interval: 2_000 })
      .toBe(3);
    // Past the point where every unlinked report would have paged on its own.
    const lastCreated = await stack.ticketSql<{ at: Date }[]>`select max(created_at) as at from tickets`;
    const quietUntil = lastCreated[0]!.at.getTime() + 4 * 60_000;
    if (Date.now() < quietUntil) await new Promise((r) => setTimeout(r, quietUntil - Date.now()));

    const lee = DEMO_CONTACTS['lee.lead']!;
    const val = DEMO_CONTACTS['val.vendor']!;
    await expect.poll(async () => (await mailsAbout(lee.email!)).length, { timeout: 30_000, interval: 2_000 }).toBe(1);
    await expect.poll(async () => (await smsTo(lee.mobile!)).length, { timeout: 30_000, interval: 1_000 }).toBe(1);
    await expect.poll(async () => (await mailsAbout(val.email!)).length, { timeout: 30_000, interval: 2_000 }).toBe(1);
    await expect.poll(async () => (await smsTo(val.mobile!)).length, { timeout: 30_000, interval: 1_000 }).toBe(1);
    expect((await smsTo(lee.mobile!))[0]).toContain(first.number);
    // No child escalated.
    const escalated = await stack.ticketSql<{ n: number }[]>`select count(*)::int as n from tickets where incident_parent_id = ${first.id} and tier > 1`;
    expect(escalated[0]!.n).toBe(0);
  }, 480_000);

  it('broke no CSP rule and threw no error on any page', () => {
    expect(audited.length).toBeGreaterThanOrEqual(3);
    expect([...agent.problems, ...nurse.problems]).toEqual([]);
  });
});
