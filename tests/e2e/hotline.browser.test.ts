/**
 * The hand-off in two real browser pages: a citizen in the official Web Chat
 * at /webchat asks for a person; an agent logs in to /hotline, claims the
 * ticket, reads the citizen's message (a <script> tag shown as text, never
 * run), replies; the citizen sees the reply; the agent resolves and the
 * citizen is asked for a rating.
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
  server = await startTestServer({
    HOTLINE_SCHEDULE: 'always',
    HOTLINE_ADMIN_USER: 'giamsat',
    HOTLINE_ADMIN_PASSWORD: 'mat-khau-giam-sat',
  });
  await server.accounts.add('lan', 'mat-khau-cua-lan', 'agent', 'Nguyễn Thị Lan');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('hands a web-chat citizen to an agent in the console and back to the bot', async () => {
  const citizenContext = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
  const citizen = await citizenContext.newPage();
  await citizen.goto(`${server.url}/webchat`);
  await citizen.getByText('trợ lý ảo dịch vụ công của tỉnh Nghệ An').first().waitFor({ timeout: 30_000 });
  const box = citizen.getByRole('textbox').last();
  await box.fill('cho tôi gặp tổng đài viên');
  await box.press('Enter');
  await citizen
    .getByText(/Mã yêu cầu của bạn: 1022-\d{8}-\d{4}/)
    .first()
    .waitFor({ timeout: 15_000 });
  await box.fill('<script>window.pwned=1</script> tôi cần hỏi về sổ đỏ');
  await box.press('Enter');
  await citizen
    .getByText(/vị trí thứ 1/)
    .last()
    .waitFor({ timeout: 15_000 });

  const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
  const agent = await agentContext.newPage();
  const dialogs: string[] = [];
  agent.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await agent.goto(`${server.url}/hotline`);
  await agent.getByLabel('Tên đăng nhập').fill('lan');
  await agent.getByLabel('Mật khẩu').fill('mat-khau-cua-lan');
  await agent.getByRole('button', { name: 'Đăng nhập' }).click();
  await agent.getByText('Nguyễn Thị Lan').waitFor({ timeout: 15_000 });

  // The waiting ticket is in the queue; open it and claim it.
  await agent.locator('#tickets li').filter({ hasText: 'cho tôi gặp tổng đài viên' }).first().click();
  await agent.getByRole('button', { name: 'Nhận xử lý' }).click();
  await citizen.getByText('Tổng đài viên Nguyễn Thị Lan đã tiếp nhận').first().waitFor({ timeout: 15_000 });

  // The citizen's text is shown as text: the script tag is visible and never ran.
  await agent.locator('#messages').getByText('<script>window.pwned=1</script>', { exact: false }).waitFor();
  expect(await agent.evaluate('typeof window.pwned')).toBe('undefined');
  expect(dialogs).toEqual([]);

  // The agent searches the knowledge base, then answers.
  await agent.locator('#reply-text').fill('Chào anh, sổ đỏ làm lần đầu nộp ở xã ạ.');
  await agent.getByRole('button', { name: 'Gửi' }).click();
  await citizen
    .getByText('Tổng đài viên Nguyễn Thị Lan: Chào anh, sổ đỏ làm lần đầu nộp ở xã ạ.')
    .first()
    .waitFor({ timeout: 15_000 });

  // An agent's Markdown is shown as typed: no remote image loads, no link leads off the official portals,
  // and an official link opens whole (underscores and all).
  const official =
    'https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.000894';
  const pixel = `${server.url}/pixel.png`;
  await agent
    .locator('#reply-text')
    .fill(`Xem ![x](${pixel}) <img src="${pixel}"> [bấm đây](https://evil.example/) và ${official}`);
  await agent.getByRole('button', { name: 'Gửi' }).click();
  await citizen
    .getByText('[bấm đây](https://evil.example/)', { exact: false })
    .first()
    .waitFor({ timeout: 15_000 });
  expect(await citizen.locator('img[src*="pixel"]').count()).toBe(0);
  expect(await citizen.locator('a[href*="evil.example"]').count()).toBe(0);
  await citizen
    .getByRole('button', { name: /dichvucong\.gov\.vn/ })
    .last()
    .waitFor({ timeout: 15_000 });

  // A message from the citizen reaches the agent live, over SSE.
  await box.fill('cảm ơn chị');
  await box.press('Enter');
  await agent.locator('#messages').getByText('Người dân: cảm ơn chị').waitFor({ timeout: 15_000 });

  await agent.locator('#note').fill('đã hướng dẫn nơi nộp');
  await agent.getByRole('button', { name: 'Hoàn tất' }).click();
  await citizen
    .getByText(/từ 1 \(kém\) đến 5/)
    .first()
    .waitFor({ timeout: 15_000 });
  await citizen.getByRole('button', { name: '5' }).last().click();
  await citizen.getByText('Cảm ơn bạn đã chấm 5/5.').first().waitFor({ timeout: 15_000 });

  // Resolved tickets are searchable.
  await agent.getByRole('button', { name: 'Đã xử lý' }).click();
  const search = async (q: string): Promise<void> => {
    const done = agent.waitForResponse((r) => r.url().includes(`q=${encodeURIComponent(q)}`));
    await agent.locator('#ticket-search').fill(q);
    await done;
  };
  await search('hộ chiếu');
  await agent.locator('#tickets').getByText('Không có yêu cầu nào.').waitFor({ timeout: 15_000 });
  await search('sổ đỏ'); // found in the conversation with the agent
  await agent.locator('#tickets li').filter({ hasText: '5/5' }).first().waitFor({ timeout: 15_000 });
  expect(await agent.locator('#tickets li').count()).toBe(1);

  mkdirSync(join(ROOT, 'tests', 'artifacts'), { recursive: true });
  await agent.screenshot({ path: join(ROOT, 'tests', 'artifacts', 'hotline-console.png'), fullPage: true });
  await citizen.screenshot({ path: join(ROOT, 'tests', 'artifacts', 'hotline-citizen.png'), fullPage: true });
  await agentContext.close();
  await citizenContext.close();
});
