/**
 * A maintenance window in a real, headless Chromium against the real stack (stack.ts,
 * `vendorEmail`: the notifier sends mail to Mailpit and SMS to the Twilio stand-in; the
 * minute-scale test policy, where a P1 not acknowledged within 1 minute pages the IT lead by
 * email and SMS). The IT lead schedules a short window for EHR at North on the maintenance
 * screen; a nurse reports a P1 in its scope; nobody is paged while the window lasts; after it
 * ends, the P1 pages the lead one minute later, as a ticket opened at the window's end would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD, loginAs, testEnv } from '@tierline/testing';
import { axeCheck, DESKTOP, launchBrowser, newPage, screenshot, signIn } from './browser.js';
import { PORTAL_ORIGIN, startStack, type Stack } from './stack.js';

const LEAD_EMAIL = 'lee.lead@it.tierline.test';
const LEAD_MOBILE = '+15550100001';
const TITLE = 'EHR upgrade';

let stack: Stack;
let browser: Browser;
let lead: Awaited<ReturnType<typeof newPage>>;
let mw: { id: string; endsAt: number };
let p1: { id: string; number: string };

async function expectAccessible(page: Page, what: string) {
  const violations = await axeCheck(page);
  expect(violations, `${what}: serious or critical accessibility violations:\n${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

/** `ms` as a `datetime-local` value in the browser's time zone (Europe/London), to the minute. */
function londonInput(ms: number): string {
  return new Date(ms).toLocaleString('sv-SE', { timeZone: 'Europe/London' }).replace(' ', 'T').slice(0, 16);
}

/** The pages about this run's P1 so far: mails to the lead (Mailpit) and SMS to the lead's mobile (the stand-in). */
async function pages(): Promise<{ mails: number; sms: number }> {
  const { mailpitUrl } = testEnv();
  const res = await fetch(`${mailpitUrl}/api/v1/search?${new URLSearchParams({ query: `to:"${LEAD_EMAIL}" subject:"${p1.number}"`, limit: '50' }).toString()}`);
  if (!res.ok) throw new Error(`mailpit search answered ${res.status}`);
  const { messages } = (await res.json()) as { messages: { ID: string; Subject: string }[] };
  let mails = 0;
  for (const m of messages) {
    const body = (await (await fetch(`${mailpitUrl}/api/v1/message/${m.ID}`)).json()) as { Text: string };
    if (body.Text.includes(p1.id)) mails++;
  }
  const sms = (await (await fetch(`${stack.stubsUrl}/_stub/requests?provider=twilio`)).json()) as { requests: { body: { To?: string; Body?: string } }[] };
  return { mails, sms: sms.requests.filter((r) => r.body.To === LEAD_MOBILE && r.body.Body?.includes(p1.number)).length };
}

async function escalations(): Promise<{ type: string; occurred_at: Date }[]> {
  return stack.ticketSql<{ type: string; occurred_at: Date }[]>`
    select type, occurred_at from ticket_timeline where ticket_id = ${p1.id} and type in ('ticket.escalated', 'ticket.sla_warning', 'ticket.escalation_repeated') order by occurred_at`;
}

beforeAll(async () => {
  stack = await startStack('maintenance', { vendorEmail: true });
  browser = await launchBrowser(stack.proxyUrl);
  lead = await newPage(browser, DESKTOP);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('a maintenance window keeps a ticket from paging until it ends', () => {
  it('the IT lead schedules a short window for EHR at North on the maintenance screen', async () => {
    const page = lead.page;
    await signIn(page, 'lee.lead');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Maintenance' }).click();
    await page.getByRole('heading', { level: 1, name: 'Maintenance windows' }).waitFor();
    await expectAccessible(page, 'maintenance screen');

    const now = Date.now();
    const start = now - (now % 60_000);
    await page.getByLabel('Title', { exact: true }).fill(TITLE);
    await page.getByLabel('Category', { exact: true }).selectOption('ehr');
    await page.getByLabel('Sites', { exact: true }).fill('north');
    await page.getByLabel('Starts', { exact: true }).fill(londonInput(start));
    await page.getByLabel('Ends', { exact: true }).fill(londonInput(start + 2 * 60_000));
    await page.getByRole('button', { name: 'Schedule window' }).click();
    await page.getByRole('status').filter({ hasText: `Scheduled “${TITLE}”.` }).waitFor();
    const row = page.getByTestId('maintenance-windows').locator('tbody tr', { hasText: TITLE });
    await expect.poll(() => row.textContent()).toMatch(/EHR \/ clinical application at North.*Running now/);
    await expectAccessible(page, 'maintenance screen with a running window');
    await screenshot(page, 'maintenance-schedule');

    const [w] = await stack.ticketSql<{ id: string; ends_at: Date; created_by: string }[]>`select id, ends_at, created_by from maintenance_windows where title = ${TITLE}`;
    expect(w).toBeDefined();
    mw = { id: w!.id, endsAt: w!.ends_at.getTime() };
    expect(mw.endsAt).toBe(start + 2 * 60_000);
  });

  it('a nurse reports a P1 in its scope: it opens normally and pages nobody while the window lasts', async () => {
    const { access_token } = await loginAs('nora.nurse', DEMO_PASSWORD);
    const res = await fetch(`${stack.ticketUrl}/api/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'EHR will not load', description: 'Blank screen at the front desk.', category: 'ehr', siteId: 'north', impact: 'whole_site', urgency: 'high', patientCareAffected: true }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    p1 = (await res.json()) as { id: string; number: string };
    expect(mw.endsAt - Date.now(), 'the P1 was opened inside the window').toBeGreaterThan(0);

    // Held: the read model's next deadline is the window's end.
    await expect
      .poll(async () => (await stack.ticketSql<{ next_deadline_kind: string | null }[]>`select next_deadline_kind from tickets where id = ${p1.id}`)[0]?.next_deadline_kind, { timeout: 20_000 })
      .toBe('maintenance window ends');
    // The nurse sees the planned downtime at the top of the portal's home page.
    const nurse = await newPage(browser, DESKTOP);
    await signIn(nurse.page, 'nora.nurse');
    const banner = nurse.page.getByTestId('status-banner');
    await expect.poll(() => banner.textContent(), { timeout: 20_000 }).toContain(TITLE);
    expect(await banner.textContent()).toMatch(/Planned maintenance: EHR \/ clinical application at North/);
    await expectAccessible(nurse.page, 'home page with the maintenance banner');
    await screenshot(nurse.page, 'maintenance-banner');
    expect(nurse.problems).toEqual([]);
    await nurse.context.close();

    // Without the window it would page the lead one minute in; check until the window ends.
    while (Date.now() < mw.endsAt - 1_000) {
      expect(await escalations(), 'no escalation or warning during the window').toEqual([]);
      expect(await pages(), 'no page during the window').toEqual({ mails: 0, sms: 0 });
      await new Promise((r) => setTimeout(r, 5_000));
    }
  }, 240_000);

  it('after the window ends the P1 pages the lead, one minute after the end', async () => {
    await expect.poll(async () => (await escalations()).find((e) => e.type === 'ticket.escalated'), { timeout: 150_000, interval: 2_000 }).toBeTruthy();
    const escalated = (await escalations()).find((e) => e.type === 'ticket.escalated')!;
    const after = escalated.occurred_at.getTime() - mw.endsAt;
    expect(after, 'escalated a minute after the window ended, not before').toBeGreaterThanOrEqual(60_000);
    expect(after).toBeLessThan(90_000);
    await expect.poll(async () => (await pages()).mails, { timeout: 60_000, interval: 2_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await pages()).sms, { timeout: 60_000, interval: 2_000 }).toBeGreaterThan(0);

    // The lead's screen shows the window as ended.
    await lead.page.goto(`${PORTAL_ORIGIN}/maintenance`);
    const row = lead.page.getByTestId('maintenance-windows').locator('tbody tr', { hasText: TITLE });
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toMatch(/Ended/);
  }, 240_000);
});
