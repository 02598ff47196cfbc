/**
 * Attachments in a real Chromium against the real stack and object store: the nurse reports a
 * problem with a screenshot of the error (and a "photo" that is really a program, which the server
 * refuses by its content: she reads why), adds a log from the ticket page, and downloads her
 * screenshot back; the IT agent sees both files and marks one for the vendor.
 */
import { readFile } from 'node:fs/promises';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { axeCheck, DESKTOP, launchBrowser, newPage, screenshot, signIn, TABLET } from './browser.js';
import { startStack, type Stack } from './stack.js';

/** A small real PNG (a grey square), made here so the test needs no image library. */
function png(size = 24): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = Buffer.concat(Array.from({ length: size }, () => Buffer.concat([Buffer.from([0]), Buffer.alloc(size, 0x80)])));
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
/** The start of a Linux executable, named like a photo. */
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(200, 0)]);

let stack: Stack;
let browser: Browser;
let nurse: Awaited<ReturnType<typeof newPage>>;
let agent: Awaited<ReturnType<typeof newPage>>;
let ticketPath = '';
const screen = png();

beforeAll(async () => {
  stack = await startStack('attachments');
  browser = await launchBrowser(stack.proxyUrl);
  nurse = await newPage(browser, TABLET);
  agent = await newPage(browser, DESKTOP);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('attachments in Chromium', () => {
  it('the nurse reports with a screenshot; the disguised program is refused with the server’s reason', async () => {
    const page = nurse.page;
    await signIn(page, 'nora.nurse');
    await page.getByRole('heading', { level: 1, name: 'Report a problem' }).waitFor();
    await page.getByLabel('Short summary').fill('Label printer shows error 41');
    await page.getByLabel('Kind of problem').selectOption('printer_scanner');
    await page.getByLabel('Just me (one person)').check();
    await page.getByLabel('Medium – slowing work down').check();
    await page.getByLabel('Photos, screenshots or files').setInputFiles([
      { name: 'error-41.png', mimeType: 'image/png', buffer: screen },
      { name: 'IMG_0001.png', mimeType: 'image/png', buffer: ELF },
    ]);
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.getByText('your report was received as').waitFor();
    ticketPath = new URL(page.url()).pathname;

    const problems = page.getByTestId('attachment-problems');
    await problems.waitFor();
    expect(await problems.textContent()).toMatch(/IMG_0001\.png is application\/x-elf by its content, which Tierline does not accept/);
    const items = page.getByTestId('attachment');
    await expect.poll(() => items.count()).toBe(1);
    expect(await items.first().textContent()).toMatch(/error-41\.png\s*PNG image, \d+ bytes, added/);
    expect(await axeCheck(page), 'the ticket page with its attachments').toEqual([]);
  });

  it('she adds a log from the ticket page and downloads her screenshot back', async () => {
    const page = nurse.page;
    await page.getByLabel('Add files').setInputFiles({ name: 'printer.log', mimeType: 'text/plain', buffer: Buffer.from('09:14 LP-7 error 41: head overheated\n') });
    await page.getByRole('button', { name: 'Attach', exact: true }).click();
    await page.getByText('1 file attached.').waitFor({ state: 'attached' });
    await expect.poll(() => page.getByTestId('attachment').count()).toBe(2);
    expect(await page.getByTestId('attachment').nth(1).textContent()).toMatch(/printer\.log\s*Text file/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download error-41.png' }).click()]);
    expect(download.suggestedFilename()).toBe('error-41.png');
    const saved = await readFile(await download.path());
    // Re-encoded without metadata, the same picture: a PNG of the same size.
    expect(saved.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(saved.readUInt32BE(16)).toBe(24);
    expect(nurse.problems).toEqual([]);
  });

  it('the IT agent sees both files and marks the screenshot for the vendor', async () => {
    const page = agent.page;
    await signIn(page, 'alex.agent');
    await page.goto(`${new URL(page.url()).origin}${ticketPath}`);
    await page.getByRole('heading', { name: 'Attachments' }).waitFor();
    await expect.poll(() => page.getByTestId('attachment').count()).toBe(2);
    const first = page.getByTestId('attachment').first();
    const toggle = first.getByLabel('Vendor may see it');
    expect(await toggle.isChecked()).toBe(false);
    // A click, not check(): the switch is controlled by the list's cached data, which moves a
    // moment after the click (optimistically, then confirmed by the server), not within it.
    await toggle.click();
    await expect.poll(() => first.getByLabel('Vendor may see it').isChecked()).toBe(true);
    // Saved on the server: still marked after a reload.
    await page.reload();
    await expect.poll(() => page.getByTestId('attachment').first().getByLabel('Vendor may see it').isChecked(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByTestId('attachment').nth(1).getByLabel('Vendor may see it').isChecked()).toBe(false);
    expect(await axeCheck(page), 'the workspace with its attachments').toEqual([]);
    await page.getByRole('heading', { name: 'Attachments' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'ticket-attachments');
    expect(agent.problems).toEqual([]);
  });
});
