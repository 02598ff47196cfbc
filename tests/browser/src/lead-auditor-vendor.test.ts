/**
 * The portal's remaining screens in a real, headless Chromium against the real stack (with the
 * audit service this time): an IT lead, signed in with a one-time code, edits the escalation
 * policy draft, is told inline what is wrong with a bad value, previews how a P1 would escalate,
 * publishes the next version, sees it listed with its diff and moves the open P1 onto it; an
 * auditor sees the audit log verified, filters and exports it; a vendor sees the P1 that the
 * test policy escalated to its organisation, with the contract clocks, and acknowledges it.
 * Every page passes axe-core (no serious or critical violation) and breaks no CSP rule; the
 * screens are saved to docs/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD, loginAs } from '@tierline/testing';
import { axeCheck, DESKTOP, launchBrowser, newPage, screenshot, signIn, TABLET } from './browser.js';
import { startStack, type Stack } from './stack.js';

let stack: Stack;
let browser: Browser;
let lead: Awaited<ReturnType<typeof newPage>>;
let auditor: Awaited<ReturnType<typeof newPage>>;
let vendor: Awaited<ReturnType<typeof newPage>>;
let p1: { id: string; number: string };
const audited: string[] = [];

async function expectAccessible(page: Page, what: string) {
  const violations = await axeCheck(page);
  audited.push(what);
  expect(violations, `${what}: serious or critical accessibility violations:\n${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

beforeAll(async () => {
  stack = await startStack('lead', { audit: true });
  browser = await launchBrowser(stack.proxyUrl);
  lead = await newPage(browser, DESKTOP);
  auditor = await newPage(browser, DESKTOP);
  vendor = await newPage(browser, TABLET);

  // A P1 filed over the API first: under the test policy (version 1) it reaches the vendor
  // (tier 3) two minutes in, while the lead and the auditor do their part.
  const { access_token } = await loginAs('nora.nurse', DEMO_PASSWORD);
  const res = await fetch(`${stack.ticketUrl}/api/v1/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: 'Lab results interface down',
      description: 'No lab results arrive in the EHR.',
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

describe('IT lead, auditor and vendor screens in Chromium', () => {
  it('an IT lead signs in with a one-time code and opens the policy draft with its preview', async () => {
    const page = lead.page;
    await signIn(page, 'lee.lead');
    await page.getByRole('link', { name: 'Escalation policy' }).click();
    await page.getByRole('heading', { level: 1, name: 'Escalation policy' }).waitFor();
    const response = page.getByLabel('P1 response target (minutes)');
    await expect.poll(() => response.inputValue()).toBe('1');
    await page.getByTestId('policy-valid').waitFor();
    // The test policy runs around the clock: each step has its wall-clock time.
    const preview = page.getByTestId('policy-preview');
    // The ticket service computes the preview: wait for its steps.
    await preview.locator('li').first().waitFor({ timeout: 10_000 });
    expect(await preview.textContent()).toMatch(/It runs around the clock/);
    // The server's preview: warnings, targets, each level and each repeat, at their wall-clock times.
    const shown = await preview.locator('li').allTextContents();
    expect(shown.find((s) => /→:? response target/.test(s))).toMatch(/^after 1 min of the response clock \(.*\d\d:\d\d.*\) →:? response target/);
    expect(shown.some((s) => /^after 30 s of the response clock .*50% of the response target/.test(s)), shown.join('\n')).toBe(true);
    expect(await preview.textContent()).toMatch(/after 2 min of the resolution clock .*unless resolved: tier 3 – vendor acme-it by email and SMS/);
    expect(await preview.textContent()).toMatch(/after 1 min of the response clock .*unless acknowledged: tier 2 – the IT lead by email and SMS, repeated every 1 min up to 2 times/);
    await expectAccessible(page, 'policy editor');
  });

  it('a bad value is named inline next to its field, and the fix clears it', async () => {
    const page = lead.page;
    const response = page.getByLabel('P1 response target (minutes)');
    await response.fill('0');
    const inline = page.locator('.field--error .field-error').first();
    await inline.waitFor({ timeout: 5_000 });
    expect(await response.getAttribute('aria-invalid')).toBe('true');
    // The same problem is listed with its path, linked to the field.
    const listed = page.getByTestId('policy-issues').getByRole('link', { name: /rules\.0\.responseTargetMinutes/ });
    expect(await listed.getAttribute('href')).toBe(`#${await response.getAttribute('id')}`);
    expect(await page.getByRole('button', { name: /^Publish version/ }).isDisabled()).toBe(true);
    await expectAccessible(page, 'policy editor (inline error)');

    await response.fill('3');
    await page.getByTestId('policy-valid').waitFor({ timeout: 5_000 });
    expect(await response.getAttribute('aria-invalid')).toBe('false');
    expect(await page.locator('textarea.policy-json').inputValue()).toMatch(/"responseTargetMinutes": 3/);
    // The preview follows the edit: the response target now comes after the tier 3 level.
    const items = page.getByTestId('policy-preview').locator('li');
    await expect.poll(async () => (await items.allTextContents()).find((s) => /→:? response target/.test(s)), { timeout: 10_000 }).toMatch(/^after 3 min of the response clock/);
    const steps = await items.allTextContents();
    const index = (re: RegExp) => steps.findIndex((s) => re.test(s));
    expect(steps[index(/→:? response target/)]).toMatch(/^after 3 min of the response clock/);
    expect(index(/→:? response target/)).toBeGreaterThan(index(/unless resolved: tier 3/));
    expect(steps[index(/→:? resolution target/)]).toMatch(/^after 5 min of the resolution clock/);
    // The tier 2 page and its two repeats, a minute apart.
    expect(steps.filter((s) => /unless acknowledged: tier 2/.test(s)).map((s) => /^after (\d+) min/.exec(s)?.[1])).toEqual(['1', '2', '3']);
  });

  it('a JSON mistake is named next to the text box and blocks saving', async () => {
    const page = lead.page;
    const json = page.locator('textarea.policy-json');
    const good = await json.inputValue();
    await json.fill(`${good}}`);
    expect(await page.locator('.field-error', { hasText: 'This is not valid JSON' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Save draft' }).isDisabled()).toBe(true);
    await json.fill(good);
    await page.getByTestId('policy-valid').waitFor();
  });

  it('the lead replays the last 90 days on the draft: the what-if panel shows the figures per priority', async () => {
    const page = lead.page;
    const panel = page.getByTestId('policy-what-if');
    await panel.getByRole('button', { name: 'Replay the last 90 days' }).click();
    const summary = panel.getByTestId('what-if-summary');
    await summary.waitFor({ timeout: 20_000 });
    // The P1 filed at the start is among the replayed tickets.
    expect(await summary.textContent()).toMatch(/^\d+ tickets?: /);
    const p1Row = panel.getByTestId('what-if-table').locator('tbody tr').filter({ has: page.locator('th', { hasText: /P1/ }) });
    expect(await p1Row.count(), 'a row for P1').toBe(1);
    expect(Number(await p1Row.locator('td').first().textContent())).toBeGreaterThanOrEqual(1);
    expect(await panel.getByRole('button', { name: 'Replay again' }).isEnabled()).toBe(true);
    await expectAccessible(page, 'policy what-if');
    await screenshot(page, 'policy-what-if');
  });

  it('the lead saves, publishes version 2 and sees it listed with what changed', async () => {
    const page = lead.page;
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved. It can be published.').waitFor();
    await page.getByLabel('What changed and why').fill('P1 response target 3 minutes');
    await screenshot(page, 'policy-editor');
    await page.getByRole('button', { name: 'Publish version 2' }).click();
    await page.getByText(/Version 2 is published/).waitFor();

    const row = page.getByTestId('policy-versions').locator('tr[data-version="2"]');
    await row.waitFor();
    expect(await row.textContent()).toMatch(/current/);
    expect(await row.textContent()).toMatch(/you/);
    expect(await row.textContent()).toMatch(/P1 response target 3 minutes/);

    await page.getByRole('button', { name: 'Show differences' }).click();
    const diff = page.getByTestId('policy-diff');
    await diff.waitFor();
    expect(await diff.locator('h3').textContent()).toBe('From version 1 to version 2');
    const change = diff.locator('tr', { hasText: 'rules.0.responseTargetMinutes' });
    expect(await change.locator('td').allTextContents()).toEqual(['changed', '1', '3']);
    await expectAccessible(page, 'policy versions and diff');
    await screenshot(page, 'policy-published');
  });

  it('the lead moves the open P1 onto version 2', async () => {
    const page = lead.page;
    await page.getByLabel('Reason (kept with the migration record)').fill('Apply the new P1 response target to open tickets');
    await page.getByRole('button', { name: 'Move all open tickets on older versions' }).click();
    await page.getByText('1 of 1 ticket(s) moved to version 2.').waitFor({ timeout: 20_000 });
    await expect
      .poll(async () => {
        const [row] = await stack.ticketSql<{ policy_version: number }[]>`select policy_version from tickets where id = ${p1.id}`;
        return row?.policy_version;
      })
      .toBe(2);
  });

  it('the lead opens the service level dashboard: totals, charts and the table by priority and by site', async () => {
    const page = lead.page;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Service level' }).click();
    await page.getByRole('heading', { level: 1, name: 'Service level' }).waitFor();
    const table = page.getByTestId('sla-report');
    await table.waitFor({ timeout: 10_000 });
    const p1Row = table.locator('tbody tr').filter({ has: page.locator('th', { hasText: /P1/ }) });
    expect(await p1Row.count(), 'a row for P1').toBe(1);
    expect(Number(await p1Row.locator('td').first().textContent())).toBeGreaterThanOrEqual(1);
    expect(Number(await page.getByTestId('sla-totals').locator('dd').first().textContent())).toBeGreaterThanOrEqual(1);
    // Four charts of the groups, and three of the weeks (MTTA, MTTR, breaches), each with a text alternative.
    await page.getByTestId('weekly-trend').waitFor({ timeout: 10_000 });
    expect(await page.locator('figure.chart svg[role="img"]').count(), 'seven charts, each with a text alternative').toBe(7);
    // The weekly figures are in a table too; this week has the P1.
    const weeks = page.getByTestId('weekly-table').locator('tbody tr');
    expect(await weeks.count()).toBeGreaterThanOrEqual(13);
    expect(Number(await weeks.last().locator('td').first().textContent())).toBeGreaterThanOrEqual(1);
    await expectAccessible(page, 'service level');
    await screenshot(page, 'service-level');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^tierline-sla-by-priority-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv$/);
    const { readFile } = await import('node:fs/promises');
    const csv = (await readFile(await download.path(), 'utf8')).split('\r\n');
    expect(csv[0]).toMatch(/^priority,tickets,acknowledged,mtta_minutes,/);
    expect(csv.some((line) => line.startsWith('P1,'))).toBe(true);
    expect(csv.some((line) => line.startsWith('total,'))).toBe(true);
    await page.getByLabel('Group by').selectOption('site');
    await page.getByRole('columnheader', { name: 'Site' }).waitFor({ timeout: 10_000 });
    expect(await table.locator('tbody tr').count()).toBeGreaterThanOrEqual(1);
  });

  it('the lead opens assignment and on-call, sees the tier-1 team and adds an on-call shift', async () => {
    const page = lead.page;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Assignment' }).click();
    await page.getByRole('heading', { level: 1, name: 'Assignment and on-call' }).waitFor();
    const team = page.getByTestId('team-it-tier1');
    await team.getByTestId('members-it-tier1').locator('tr[data-username="alex.agent"]').waitFor({ timeout: 10_000 });
    await page.getByTestId('assignment-rules').waitFor({ timeout: 10_000 });

    // From now for eight hours, written in the browser's own time zone as the fields read it.
    const [from, until] = await page.evaluate(() => {
      const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
      const now = new Date();
      return [local(now), local(new Date(now.getTime() + 8 * 3_600_000))];
    });
    // The forms are checked by the API's body schemas in the browser: a repeated skill is named
    // under the skills field and goes away as it is corrected.
    const skills = team.getByLabel('Skills of Alex Agent');
    const storedSkills = await skills.inputValue();
    await skills.fill('ehr, EHR');
    await team.getByRole('button', { name: 'Save skills of Alex Agent' }).click();
    await team.locator('.field--error .field-error', { hasText: 'must not repeat a skill' }).waitFor({ timeout: 5_000 });
    expect(await skills.getAttribute('aria-invalid')).toBe('true');
    await skills.fill(storedSkills);
    await expect.poll(() => skills.getAttribute('aria-invalid')).toBe('false');

    await team.getByLabel('On call', { exact: true }).selectOption('alex.agent');
    // A shift ending when it starts is refused next to "Until" before anything is sent.
    await team.getByLabel('From', { exact: true }).fill(from);
    await team.getByLabel('Until', { exact: true }).fill(from);
    await team.getByRole('button', { name: 'Add shift' }).click();
    await team.locator('.field--error .field-error', { hasText: 'must be after startsAt' }).waitFor({ timeout: 5_000 });
    expect(await team.getByLabel('Until', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    const shift = team.getByTestId('on-call-it-tier1').locator('tbody tr').filter({ hasText: 'Alex Agent' });
    expect(await shift.count(), 'no shift was added').toBe(0);

    await team.getByLabel('Until', { exact: true }).fill(until);
    await team.getByRole('button', { name: 'Add shift' }).click();
    await shift.first().waitFor({ timeout: 10_000 });
    expect(await shift.count(), 'the new shift is listed once').toBe(1);
    expect(await team.getByRole('alert').count(), 'no error next to the shift form').toBe(0);
    await expectAccessible(page, 'assignment');
    await screenshot(page, 'assignment');
  });

  it('the auditor sees the audit log verified, with the policy events in it', async () => {
    const page = auditor.page;
    await signIn(page, 'audrey.auditor');
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    const verdict = page.locator('.verify__verdict');
    await verdict.waitFor({ timeout: 10_000 });
    expect(await verdict.getAttribute('data-verified')).toBe('true');
    expect(await verdict.textContent()).toMatch(/✓ Verified: all \d+ row\(s\)/);

    await page.getByLabel('Event type').fill('policy.*');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator('tr[data-event-type="policy.published"]').first().waitFor({ timeout: 10_000 });
    const types = await page.getByTestId('audit-events').locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-type')));
    expect(types.every((t) => t?.startsWith('policy.'))).toBe(true);
    expect(types).toContain('policy.draft_saved');
    await expectAccessible(page, 'audit log');
    await screenshot(page, 'audit-log');
  });

  it('a bad filter is named next to its field, and the export downloads the filtered log', async () => {
    const page = auditor.page;
    await page.getByLabel('Ticket id').fill('not-a-ticket');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const fieldError = page.locator('.field--error .field-error');
    await fieldError.waitFor();
    expect(await page.getByLabel('Ticket id').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'audit log (filter error)');

    await page.getByLabel('Ticket id').fill('');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator('tr[data-event-type="policy.published"]').first().waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^tierline-audit-.+\.csv$/);
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    const csv = await readFile(path, 'utf8');
    expect(csv).toMatch(/policy\.published/);
    expect(csv).not.toMatch(/ticket\.created/);
  });

  it('the vendor sees the P1 escalated to its organisation, with the contract clocks', async () => {
    const page = vendor.page;
    // Tier 3 two minutes after it opened (the test policy's resolution-clock level).
    await expect
      .poll(
        async () => {
          const [row] = await stack.ticketSql<{ tier: number }[]>`select tier from tickets where id = ${p1.id}`;
          return row?.tier;
        },
        { timeout: 150_000, interval: 2_000 },
      )
      .toBe(3);
    await signIn(page, 'val.vendor');
    await page.getByRole('heading', { level: 1, name: 'Tickets for your organisation' }).waitFor();
    const row = page.locator(`tr[data-ticket-number="${p1.number}"]`);
    await row.waitFor({ timeout: 10_000 });
    // The vendor's response clock runs (2 minutes in the test contract).
    await expect.poll(() => row.locator('[data-clock="vendor_response"]').textContent(), { timeout: 10_000 }).toMatch(/^in \d+ s$|^in \d+ min \d+ s$|overdue/);
    // The contract's resolution clock starts with the vendor's acknowledgement.
    expect(await row.locator('[data-clock="vendor_resolution"]').textContent()).toBe('starts when you acknowledge');
    await expectAccessible(page, 'vendor tickets');
    await screenshot(page, 'vendor-tickets');
  });

  it('the vendor acknowledges in the portal: the response clock stops and the resolution clock starts', async () => {
    const page = vendor.page;
    await page.locator(`tr[data-ticket-number="${p1.number}"] a`).click();
    const panel = page.getByTestId('vendor-panel');
    await panel.waitFor();
    expect(await panel.getByTestId('vendor-state').textContent()).toMatch(/Not acknowledged yet\. Response due (in|overdue)/);
    await expectAccessible(page, 'ticket page (vendor)');
    await panel.getByRole('button', { name: 'Acknowledge for your organisation' }).click();
    await expect.poll(() => panel.getByTestId('vendor-state').textContent(), { timeout: 5_000 }).toMatch(/^Acknowledged\. The resolution clock is running – resolution due in \d+ min/);
    // Recorded once, as the vendor's own act.
    await expect
      .poll(async () => {
        const rows = await stack.ticketSql<{ actor_kind: string }[]>`select actor_kind from ticket_timeline where ticket_id = ${p1.id} and type = 'ticket.vendor_acknowledged'`;
        return rows.map((r) => r.actor_kind);
      })
      .toEqual(['user']);

    await page.getByRole('link', { name: 'Tickets', exact: true }).click();
    const listed = page.locator(`tr[data-ticket-number="${p1.number}"] [data-clock="vendor_resolution"]`);
    await expect.poll(() => listed.textContent(), { timeout: 10_000 }).toMatch(/^in \d+ min/);
    expect(await page.locator(`tr[data-ticket-number="${p1.number}"] [data-clock="vendor_response"]`).textContent()).toMatch(/^met$|^missed$/);
  });

  it('broke no CSP rule and threw no error on any page', () => {
    expect(audited.length).toBeGreaterThanOrEqual(7);
    expect([...lead.problems, ...auditor.problems, ...vendor.problems]).toEqual([]);
  });
});
