/**
 * The official Bot Framework Web Chat in a real browser, on a phone-sized
 * screen, against this server's own Direct Line.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../../app/server';
import { startTestServer } from '../support/server';
import { ROOT } from '../helpers';
import { launch } from './browser';

jest.setTimeout(15 * 60_000);

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
  server = await startTestServer();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('answers "lam cccd o dau", follows a suggested action, and keeps the history over a reload', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
  const page = await context.newPage();
  await page.goto(`${server.url}/webchat`);
  await page.getByText('trợ lý ảo dịch vụ công của tỉnh Nghệ An').first().waitFor({ timeout: 30_000 });

  const box = page.getByRole('textbox').last();
  await box.fill('lam cccd o dau');
  await box.press('Enter');
  await page
    .locator('.ac-container, .ac-textBlock')
    .getByText('Cấp thẻ căn cước')
    .first()
    .waitFor({ timeout: 15_000 });
  await page.getByText('Công an cấp xã').first().waitFor();

  // A suggested action sends its question, and the answer leads with that part.
  await page.getByRole('button', { name: 'Lệ phí' }).last().click();
  await page.getByText('Theo biểu phí hiện hành').first().waitFor({ timeout: 15_000 });

  mkdirSync(join(ROOT, 'tests', 'artifacts'), { recursive: true });
  await page.screenshot({ path: join(ROOT, 'tests', 'artifacts', 'webchat.png'), fullPage: true });

  // Reload: the same conversation comes back with its history.
  await page.reload();
  await page.getByText('lam cccd o dau').first().waitFor({ timeout: 30_000 });
  await page.getByText('Theo biểu phí hiện hành').first().waitFor();
  // …and the connection settles (Web Chat's screen-reader status says so).
  await page
    .getByText('Trạng thái Kết nối: Đã kết nối')
    .first()
    .waitFor({ state: 'attached', timeout: 15_000 });
  await page.screenshot({ path: join(ROOT, 'tests', 'artifacts', 'webchat-reloaded.png'), fullPage: true });
  await context.close();
});
