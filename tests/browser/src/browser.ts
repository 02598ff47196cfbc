/**
 * Debian's Chromium, driven headless by playwright-core (which cannot download a browser of its
 * own here: infra/install.mjs installs the `chromium` package), plus what every journey needs:
 * signing in on Keycloak's real login page, an axe-core check, and screenshots for the manual and docs/portal.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_PASSWORD, demoUser, totp } from '@tierline/testing';
import { PORTAL_ORIGIN } from './stack.js';

/** $CHROMIUM_PATH, else Debian's chromium on the PATH, else its usual places. */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  for (const name of ['chromium', 'chromium-browser']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  for (const p of ['/usr/bin/chromium', '/usr/lib/chromium/chromium']) if (existsSync(p)) return p;
  throw new Error('no Chromium found: run `node infra/install.mjs` (installs Debian’s chromium package) or set CHROMIUM_PATH');
}

export async function launchBrowser(proxyUrl: string): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    // Every request goes through the test proxy, loopback included (playwright-core makes
    // Chromium proxy loopback addresses too), so http://localhost:3000 is this run's portal.
    proxy: { server: proxyUrl },
    args: ['--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'],
  });
}

export const TABLET = { width: 820, height: 1180 };
export const DESKTOP = { width: 1280, height: 900 };

/**
 * A page that records what must never happen: a Content-Security-Policy violation (an inline
 * script or style, a foreign asset), an uncaught error, a full page load after the first (the
 * live journeys must not reload).
 */
export async function newPage(browser: Browser, viewport: { width: number; height: number }) {
  const context: BrowserContext = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'Europe/London' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|apply|execute|connect)/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return { page, context, problems };
}

/** Signs in from the portal's start page through Keycloak's own login form (and its TOTP step). */
export async function signIn(page: Page, username: string): Promise<void> {
  const user = demoUser(username);
  if (!user) throw new Error(`${username} is not a demo user`);
  await page.goto(`${PORTAL_ORIGIN}/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/realms\/.+\/protocol\/openid-connect\/auth|login-actions/);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(DEMO_PASSWORD);
  await page.locator('#kc-login').click();
  if (user.totpSecret) {
    // Keycloak refuses a code already used in its 30 s window (another test may have logged the
    // same demo user in): on refusal wait for the next window, as a person would.
    for (let attempt = 0; ; attempt++) {
      await page.locator('#otp').waitFor({ timeout: 30_000 });
      await page.locator('#otp').fill(totp(user.totpSecret));
      await page.locator('#kc-login').click();
      const outcome = await Promise.race([
        page.waitForURL(`${PORTAL_ORIGIN}/**`, { timeout: 30_000 }).then(() => 'in' as const),
        page.locator('#input-error-otp-code, .kc-feedback-text, [class*="alert-error"]').first().waitFor({ timeout: 30_000 }).then(() => 'refused' as const),
      ]);
      if (outcome === 'in') break;
      if (attempt >= 3) throw new Error(`the one-time code of ${username} was refused ${attempt + 1} times`);
      await page.waitForTimeout(30_000 - (Date.now() % 30_000) + 500);
    }
  }
  await page.waitForURL(`${PORTAL_ORIGIN}/**`);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is now and returns the serious and
 * critical violations. The script is evaluated over the DevTools protocol, which the page's CSP
 * does not govern, so the CSP stays as strict in the test as in production.
 */
export async function axeCheck(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return results.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const SCREENSHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

/** Saves docs/screenshots/<name>.png (linked from docs/manual/ and docs/portal.md). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}${name}.png`;
  // The caret and focus rings blink and move; screenshots should not change between runs for that.
  await page.screenshot({ path, fullPage: true, caret: 'hide', animations: 'disabled' });
  return path;
}
