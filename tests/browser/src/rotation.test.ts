/**
 * The IT lead's team and on-call screens in a real, headless Chromium against the real stack
 * (decision 45): the lead adds two people to the help desk from the directory, sets up a weekly
 * rotation of three, adds a one-off override for tonight and sees the next four weeks with the
 * override in place, in her own time zone (the browser's, Europe/London) while the rotation hands
 * over at 09:00 New York time. A P1 opened out of the team's hours then goes to the override
 * person, through the real worker, once the lead has set the team's working hours to none. Every screen passes axe; the screen is saved to docs/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, loginAs } from '@tierline/testing';
import { axeCheck, DESKTOP, launchBrowser, newPage, screenshot, signIn } from './browser.js';
import { startStack, type Stack } from './stack.js';
import type { Browser } from 'playwright-core';

let stack: Stack;
let browser: Browser;
let lead: Awaited<ReturnType<typeof newPage>>;

beforeAll(async () => {
  stack = await startStack('rotation', { audit: true, identity: true });
  browser = await launchBrowser(stack.proxyUrl);
  lead = await newPage(browser, DESKTOP);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function asUser(username: string) {
  const { access_token } = await loginAs(username, DEMO_PASSWORD);
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.ticketUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${access_token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
}

describe('the lead sets up a weekly on-call rotation with an override', () => {
  it('adds members from the directory, sets a weekly rotation of three and an override, and sees the next four weeks', { timeout: 120_000 }, async () => {
    const page = lead.page;
    await signIn(page, 'lee.lead');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Assignment' }).click();
    await page.getByRole('heading', { level: 1, name: 'Assignment and on-call' }).waitFor();
    const team = page.getByTestId('team-it-tier1');
    const members = team.getByTestId('members-it-tier1');
    await members.locator('tr[data-username="alex.agent"]').waitFor({ timeout: 10_000 });

    // Two people from the directory, found by name.
    for (const [search, name, username] of [
      ['otto', 'Otto', 'otto.oncall'],
      ['lee', 'Lee', 'lee.lead'],
    ] as const) {
      await team.getByLabel('Find a person to add').fill(search);
      await team.getByRole('button', { name: new RegExp(`^Add ${name}`) }).click();
      await members.locator(`tr[data-username="${username}"]`).waitFor({ timeout: 10_000 });
    }

    // A bad rotation is refused next to its field before anything is sent.
    const rotation = team.getByTestId('rotation-it-tier1');
    await rotation.getByLabel('Participants, in hand-off order').fill('alex.agent, lee.lead, otto.oncall');
    await rotation.getByLabel('Hand-off day').selectOption('mon');
    await rotation.getByLabel('Hand-off time').fill('09:00');
    await rotation.getByLabel('Shift length in days').fill('0');
    await rotation.getByLabel('Time zone of the hand-off').fill('America/New_York');
    await rotation.getByRole('button', { name: 'Save rotation' }).click();
    await rotation.locator('.field--error .field-error', { hasText: 'must be at least 1 day' }).waitFor({ timeout: 5_000 });
    await rotation.getByLabel('Shift length in days').fill('7');
    await rotation.getByRole('button', { name: 'Save rotation' }).click();
    await team.getByRole('status').filter({ hasText: 'Rotation saved.' }).waitFor({ timeout: 10_000 });

    // An override from now for eight hours, in the browser's own time zone as the fields read it.
    const [from, until] = await page.evaluate(() => {
      const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
      const now = new Date();
      return [local(now), local(new Date(now.getTime() + 8 * 3_600_000))];
    });
    await team.getByLabel('On call', { exact: true }).selectOption('otto.oncall');
    await team.getByLabel('From', { exact: true }).fill(from);
    await team.getByLabel('Until', { exact: true }).fill(until);
    await team.getByRole('button', { name: 'Add shift' }).click();

    const schedule = team.getByTestId('schedule-it-tier1');
    await schedule.locator('tr[data-source="override"][data-username="otto.oncall"]').waitFor({ timeout: 10_000 });
    const rows = await schedule.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-username'), tr.getAttribute('data-source'), tr.querySelector('td')?.textContent ?? '']));
    // The override first (it covers now), then the rotation in order from the next Monday.
    expect(rows[0]!.slice(0, 2)).toEqual(['otto.oncall', 'override']);
    const rotationRows = rows.filter((r) => r[1] === 'rotation');
    expect(rotationRows.slice(0, 3).map((r) => r[0])).toEqual(['alex.agent', 'lee.lead', 'otto.oncall']);
    // 09:00 in New York is 14:00 in London (both on winter time in December, and in most weeks of the year).
    for (const r of rotationRows.slice(0, 3)) expect(r[2]).toMatch(/^Mon .*, 1[34]:00$/);
    expect(await team.getByText('The next four weeks, in your time zone (Europe/London).').count()).toBe(1);

    const violations = await axeCheck(page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await schedule.scrollIntoViewIfNeeded();
    await screenshot(page, 'rotation');

    // Working hours: an end before the start is named under its day; then the help desk is set
    // to work no day at all, so every P1 of the next test goes to whoever is on call.
    const hours = team.getByTestId('hours-it-tier1');
    await hours.getByLabel('Monday until').fill('07:00');
    await hours.getByRole('button', { name: 'Save working hours' }).click();
    await hours.locator('.field--error .field-error', { hasText: 'must be after start (08:00)' }).waitFor({ timeout: 5_000 });
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']) {
      await hours.getByLabel(`${day} from`).fill('');
      await hours.getByLabel(`${day} until`).fill('');
    }
    await hours.getByRole('button', { name: 'Save working hours' }).click();
    await team.getByRole('status').filter({ hasText: 'Saved the working hours of Help desk.' }).waitFor({ timeout: 10_000 });
    await hours.scrollIntoViewIfNeeded();
    expect(await axeCheck(page)).toEqual([]);
    await screenshot(page, 'team-members-and-hours');
    expect(lead.problems).toEqual([]);
  });

  it('a P1 out of the team\'s hours goes to the override person', { timeout: 120_000 }, async () => {
    const leadApi = await asUser('lee.lead');
    const team = (await leadApi('GET', '/api/v1/teams/it-tier1')).body as { weeklyHours: Record<string, unknown[]>; members: { username: string; userId: string | null }[] };
    const otto = team.members.find((m) => m.username === 'otto.oncall');
    expect(otto?.userId, 'added from the directory with the user id').toBeTruthy();
    // Saved on the screen above: the help desk works no day, so a P1 goes to whoever is on call.
    expect(Object.values(team.weeklyHours).every((d) => d.length === 0)).toBe(true);

    const created = await (await asUser('nora.nurse'))('POST', '/api/v1/tickets', {
      title: 'EHR down on the ward',
      category: 'ehr',
      siteId: 'north',
      impact: 'whole_site',
      urgency: 'high',
      patientCareAffected: true,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await expect
      .poll(async () => (await leadApi('GET', `/api/v1/tickets/${String(created.body['id'])}`)).body['assigneeId'], { timeout: 30_000, interval: 500 })
      .toBe(otto!.userId);
  });
});
