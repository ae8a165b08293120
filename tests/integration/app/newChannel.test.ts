/**
 * Adding a channel is one folder (tests/channels/sms) and one line in the
 * channel list: its variable, table, routes, rendering, the bot's triage
 * and the hotline relay all follow from the contract.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { channels } from '../../../app/channels';
import { loadConfig } from '../../../app/config';
import { startServer, type RunningServer } from '../../../app/server';
import { createLogger } from '../../../core/log';
import { FIXTURE_SEEDS } from '../../helpers';
import { ticketReply } from '../../../core/reply';
import { SMS_CHANNEL, SmsAdapter, smsChannel } from '../../channels/sms';

const withSms = [...channels, smsChannel];
let server: RunningServer | undefined;

async function start(env: Record<string, string>): Promise<RunningServer> {
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'sms-')),
      KB_SEEDS_DIR: FIXTURE_SEEDS,
      ...env,
    },
    withSms,
  );
  server = await startServer(config, createLogger('error'));
  return server;
}

const sms = (s: RunningServer, text: string, token = 'secret-token') =>
  fetch(`${s.url}/api/sms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ from: '0912345678', text }),
  });

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('a channel added by one folder and one list line', () => {
  it('stays off without its own variable, and its settings are validated with everything else', async () => {
    expect(() => loadConfig({ SMS_GATEWAY_TOKEN: 'short' }, withSms)).toThrow(/SMS_GATEWAY_TOKEN/);
    const s = await start({});
    expect(s.channels.has(SMS_CHANNEL)).toBe(false);
    expect((await sms(s, 'xin chào')).status).toBe(404);
  });

  it('runs the same bot, rendered its own way, with its table and the triage first', async () => {
    const s = await start({ SMS_GATEWAY_TOKEN: 'secret-token' });
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    expect((await sms(s, 'đăng ký kết hôn', 'wrong-token')).status).toBe(401);

    const answer = (await (await sms(s, 'đăng ký kết hôn cần giấy tờ gì')).json()) as { replies: string[] };
    expect(answer.replies.join('\n')).toMatch(/kết hôn/i);
    // Plain text only: no card markup, no button brackets.
    expect(answer.replies.join('\n')).not.toMatch(/\*\*|\[Hữu ích\]/);

    const urgent = (await (await sms(s, 'mẹ tôi bị đau ngực khó thở quá, cứu với')).json()) as {
      replies: string[];
    };
    expect(urgent.replies[0]).toMatch(/115/);

    const rows = await sql<{ n: number }>`select count(*) as n from sms_messages`.execute(s.db);
    expect(Number(rows.rows[0]?.n)).toBe(2);
  });

  it("takes hotline agents' replies through its adapter like any channel", async () => {
    const s = await start({ SMS_GATEWAY_TOKEN: 'secret-token', HOTLINE_SCHEDULE: 'always' });
    await sms(s, 'cho tôi gặp tổng đài viên');
    const ticket = await s.desk.activeFor('sms:0912345678');
    expect(ticket?.channel).toBe(SMS_CHANNEL);
    const adapter = s.channels.get(SMS_CHANNEL)?.adapter as SmsAdapter;
    await adapter.continueConversation(ticket!.reference, (context) =>
      s.bot.send(context, ticketReply('vi', 'Chào bạn, tôi là tổng đài viên 1022.')),
    );
    expect(adapter.outbox).toEqual([{ to: '0912345678', text: 'Chào bạn, tôi là tổng đài viên 1022.' }]);
  });
});
