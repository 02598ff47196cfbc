/**
 * Likely duplicates in Chromium against the real stack (docs/decisions/0042): an urgent EHR
 * report is already open at North; a nurse choosing North and "EHR" on the report form is told
 * "IT already knows about this: IT-…" before she sends, and sends anyway; on her ticket, the IT
 * agent sees "Possible duplicate of IT-…" and links it with one click, which makes the earlier
 * report a major incident with hers as its child (read back through the API); the IT lead sees the
 * policy's likely-duplicates setting as two fields of the policy editor, bound to the draft's JSON
 * and checked as typed. Every screen passes axe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD, loginAs } from '@tierline/testing';
import { axeCheck, launchBrowser, newPage, screenshot, signIn, DESKTOP, TABLET } from './browser.js';
import { startStack, type Stack } from './stack.js';

let stack: Stack;
let browser: Browser;
let earlier: { id: string; number: string };
let hers: { id: string; number: string };

async function ticketApi(username: string, method: string, path: string, body?: unknown) {
  const token = (await loginAs(username, DEMO_PASSWORD)).access_token;
  const res = await fetch(`${stack.ticketUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  // The test policy sets no duplicates: the defaults hold (P1/P2 of the last 120 minutes, no automatic link).
  stack = await startStack('duplicates');
  browser = await launchBrowser(stack.proxyUrl);
  // The first report of the outage, by IT on the phone with the front desk: a P1 at North.
  const r = await ticketApi('alex.agent', 'POST', '/api/v1/tickets', {
    title: 'EHR down at North front desk',
    description: 'No one can open charts',
    category: 'ehr',
    siteId: 'north',
    impact: 'whole_site',
    urgency: 'high',
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body['priority']).toBe('P1');
  earlier = { id: r.body['id'] as string, number: r.body['number'] as string };
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('likely duplicates in Chromium', () => {
  it('the report form tells the nurse IT already knows, before she sends; she can still send', async () => {
    const nurse = await newPage(browser, TABLET);
    const page = nurse.page;
    await signIn(page, 'nora.nurse');
    await page.getByRole('heading', { level: 1, name: 'Report a problem' }).waitFor();
    await page.getByLabel('Short summary').fill('Cannot open patient charts');
    await expect.poll(() => page.getByTestId('duplicate-notice').count(), { message: 'no notice before a kind of problem is chosen' }).toBe(0);
    await page.getByLabel('Kind of problem').selectOption('ehr');

    const notice = page.getByTestId('duplicate-notice');
    await notice.getByRole('heading', { name: `IT already knows about this: ${earlier.number}` }).waitFor();
    expect(await notice.textContent()).toContain(`${earlier.number} is an urgent report of this kind at this site from the last 2 hours`);
    expect(await notice.textContent(), 'never another person’s words').not.toContain('front desk');
    const violations = await axeCheck(page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await screenshot(page, 'report-duplicate-notice');

    // Another kind of problem: the notice goes.
    await page.getByLabel('Kind of problem').selectOption('printer_scanner');
    await expect.poll(() => notice.count()).toBe(0);
    await page.getByLabel('Kind of problem').selectOption('ehr');
    await notice.waitFor();

    await page.getByRole('button', { name: 'Send report' }).click();
    await page.getByText('your report was received as').waitFor();
    hers = { id: new URL(page.url()).pathname.split('/').pop()!, number: (await page.locator('.ticket-number').first().textContent())!.trim() };
    expect(hers.number).not.toBe(earlier.number);
    expect(nurse.problems).toEqual([]);
    await nurse.context.close();
  });

  it('IT sees "Possible duplicate of …" on her ticket and links it with one click', async () => {
    const agent = await newPage(browser, DESKTOP);
    const page = agent.page;
    await signIn(page, 'alex.agent');
    await page.goto(`${new URL(page.url()).origin}/tickets/${hers.id}`);
    const card = page.getByTestId('possible-duplicate');
    await card.getByRole('heading', { name: `Possible duplicate of ${earlier.number}` }).waitFor();
    expect(await card.textContent()).toContain('EHR down at North front desk');
    const violations = await axeCheck(page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await screenshot(page, 'possible-duplicate');

    await card.getByRole('button', { name: `Link to ${earlier.number}` }).click();
    await page.getByText(`${hers.number} is linked to ${earlier.number}`).waitFor();

    // The earlier report is now a major incident, hers its child (the workflows' read model).
    await expect
      .poll(async () => (await ticketApi('alex.agent', 'GET', `/api/v1/tickets/${hers.id}`)).body['incidentParentId'], { timeout: 20_000 })
      .toBe(earlier.id);
    expect((await ticketApi('alex.agent', 'GET', `/api/v1/tickets/${earlier.id}`)).body['majorIncident']).toBe(true);
    // Once linked, her ticket is nobody's duplicate any more.
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await expect.poll(() => card.count()).toBe(0);
    expect(agent.problems).toEqual([]);
  });

  it('the IT lead sees and edits the likely-duplicates setting in the policy editor, checked as typed', async () => {
    const lead = await newPage(browser, DESKTOP);
    const page = lead.page;
    await signIn(page, 'lee.lead');
    await page.getByRole('link', { name: 'Escalation policy' }).click();
    await page.getByRole('heading', { level: 1, name: 'Escalation policy' }).waitFor();
    const window = page.getByLabel('Recent urgent reports count for (minutes)');
    const autoLink = page.getByLabel('Link new reports to the open major incident automatically');
    // The test policy sets nothing: the defaults show.
    await expect.poll(() => window.inputValue()).toBe('120');
    expect(await autoLink.isChecked()).toBe(false);

    await window.fill('45');
    await autoLink.check();
    const json = page.getByLabel('The whole policy (JSON)');
    await expect.poll(async () => JSON.parse(await json.inputValue()).duplicates).toEqual({ windowMinutes: 45, autoLink: true });
    const violations = await axeCheck(page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await screenshot(page, 'policy-duplicates');

    // Out of bounds: named beside the field and in the list of problems, as the API says it.
    await window.fill('3');
    await expect.poll(() => window.getAttribute('aria-invalid')).toBe('true');
    await page.getByText('duplicates.windowMinutes must be at least 5 minutes').first().waitFor();
    expect(lead.problems).toEqual([]);
  });
});
