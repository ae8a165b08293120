/**
 * The Zalo OA channel on the server: `POST /api/zalo/webhook` verifies
 * Zalo's MAC on the raw body (401 and a log line otherwise, nothing
 * processed), validates the event (400 when malformed), answers 200 at
 * once, and then, in arrival order per citizen, records it as received in
 * the database (Zalo redelivers: a done event is dropped), processes it and
 * marks it done; what a crash left unfinished is processed after a restart
 * (events.ts).
 */
import type { TurnContext } from 'botbuilder';
import type { Request, Response, Server } from 'restify';
import type { Logger } from '../../core/log';
import { dialectOf, type Database } from '../../storage/database';
import { tooLongNotice } from '../../core/channelAdapter';
import { ZaloAdapter } from './adapter';
import { ZaloClient } from './client';
import { EVENT_LEASE_MS, ZaloEventLog } from './events';
import { ZaloSender } from './sender';
import { ZaloTokens } from './tokens';
import { parseEvent, verifyMac, type ZaloEvent } from './webhook';

export interface ZaloConfig {
  appId: string;
  appSecret: string;
  oaSecretKey: string;
  accessToken: string;
  refreshToken: string;
  apiBase: string;
  oauthBase: string;
  timeoutMs: number;
  retryDelaysMs: number[];
  outboxRetryMs: number;
  buttons: boolean;
  /** Longest text answered (the web chat's limit); longer ones get a polite reply. */
  maxMessageChars: number;
}

export interface ZaloChannel {
  adapter: ZaloAdapter;
  sender: ZaloSender;
  tokens: ZaloTokens;
  /** Resolves when every accepted event has been processed (for tests and shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Runs tasks one after another per key, keys in parallel. */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run(key: string, task: () => Promise<void>): Promise<void> {
    const next = (this.tails.get(key) ?? Promise.resolve()).then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}

const NON_TEXT_REPLY =
  'Hiện tôi chỉ đọc được tin nhắn chữ. Bạn vui lòng gõ câu hỏi bằng chữ (ví dụ: "làm thẻ căn cước ở đâu"), hoặc gọi tổng đài 1022 nếu cần gửi giấy tờ, hình ảnh.';

export function mountZalo(
  server: Server,
  db: Database,
  logic: (context: TurnContext) => Promise<void>,
  config: ZaloConfig,
  log: Logger,
): ZaloChannel {
  const client = new ZaloClient({
    apiBase: config.apiBase,
    oauthBase: config.oauthBase,
    appId: config.appId,
    appSecret: config.appSecret,
    timeoutMs: config.timeoutMs,
  });
  const tokens = new ZaloTokens(db, client, {
    accessToken: config.accessToken,
    refreshToken: config.refreshToken,
  });
  const sender = new ZaloSender(db, client, tokens, log, config.retryDelaysMs);
  const adapter = new ZaloAdapter(sender, config.appId, config.buttons);
  adapter.onTurnError = async (context, e) => {
    log.error('zalo turn failed', { error: e.message, user: context.activity.conversation?.id });
    await context.sendActivity(
      'Xin lỗi, hệ thống đang gặp sự cố. Bạn vui lòng thử lại sau hoặc gọi tổng đài 1022.',
    );
  };
  const queue = new KeyedQueue();

  const events = new ZaloEventLog(db);
  const handle = async (e: ZaloEvent): Promise<void> => {
    if (e.kind === 'follow') {
      await sender.setUnfollowed(e.userId, false);
      await adapter.follow(e.userId, logic);
      return;
    }
    if (e.kind === 'unfollow') {
      await sender.setUnfollowed(e.userId, true);
      return;
    }
    if (e.kind === 'other') {
      if (
        !e.name.startsWith('oa_send_') &&
        !e.name.startsWith('user_received') &&
        !e.name.startsWith('user_seen')
      ) {
        log.info('zalo event ignored', { event: e.name });
      }
      return;
    }
    // The citizen wrote: they can receive again, and what waited for them goes first.
    await sender.setUnfollowed(e.userId, false);
    await sender.flush(e.userId);
    const message = e.event.message as { msg_id: string; text?: string };
    // Checked on the raw text, before trimming or anything else reads it through.
    if (message.text && message.text.length > config.maxMessageChars) {
      log.info('zalo message over the length limit', { user: e.userId, length: message.text.length });
      await sender.send({
        recipient: { user_id: e.userId },
        message: { text: tooLongNotice(message.text.length, config.maxMessageChars) },
      });
      return;
    }
    const text = message.text?.trim();
    if (e.event.event_name === 'user_send_text' && text) {
      await adapter.message(e.userId, message.msg_id, text, logic);
    } else {
      await sender.send({ recipient: { user_id: e.userId }, message: { text: NON_TEXT_REPLY } });
    }
  };

  /** Process an event in its citizen's queue if `take` says this process is to, then mark it done. */
  const enqueue = (event: ZaloEvent, take: () => Promise<boolean>): void => {
    const key = event.kind === 'other' ? event.key : event.userId;
    void queue
      .run(key, async () => {
        if (!(await take())) return log.debug('zalo duplicate event dropped', { key: event.key });
        await handle(event);
        await events.done(event.key);
      })
      .catch((e: Error) => log.error('zalo event failed', { error: e.message, key: event.key }));
  };

  /** Finish the events received and not done whose holder's lease ran out before `staleBefore`. */
  const recover = async (staleBefore: number): Promise<void> => {
    for (const unfinished of await events.takeUnfinished(staleBefore)) {
      const parsed = parseEvent(unfinished.payload);
      if (!parsed.ok) {
        await events.done(unfinished.key);
        continue;
      }
      log.info('zalo event received before a restart, processing it now', { key: unfinished.key });
      enqueue(parsed.value, async () => true);
    }
  };
  // On SQLite this is the only process: whatever was received before it started is unfinished
  // business of a process that died. Replicas on PostgreSQL wait for the holder's lease to run out.
  const startedAt = Date.now();
  let recovering = recover(dialectOf(db) === 'sqlite' ? startedAt : startedAt - EVENT_LEASE_MS).catch(
    (e: Error) => log.error('zalo recovery failed', { error: e.message }),
  );

  server.post('/api/zalo/webhook', async (req: Request, res: Response) => {
    const raw = Buffer.from(String((req as Request & { rawBody?: unknown }).rawBody ?? ''), 'utf8');
    const signature = req.headers['x-zevent-signature'];
    if (
      !verifyMac(raw, typeof signature === 'string' ? signature : undefined, config.appId, config.oaSecretKey)
    ) {
      log.warn('zalo webhook rejected: missing or wrong signature', { ip: req.socket.remoteAddress });
      res.send(401, { error: 'invalid signature' });
      return;
    }
    const parsed = parseEvent(req.body);
    if (!parsed.ok) {
      log.warn('zalo webhook rejected: malformed event', { error: parsed.error });
      res.send(400, { error: 'malformed event', detail: parsed.error });
      return;
    }
    const event = parsed.value;
    // Queued in arrival order per citizen before anything is awaited; the
    // receipt is recorded inside the queue, so a redelivery is dropped there.
    enqueue(event, () => events.receive(event.key, req.body));
    res.send(200, { status: 'accepted' });
  });

  const timer = setInterval(() => {
    void sender.flush().catch((e: Error) => log.error('zalo outbox retry failed', { error: e.message }));
    recovering = recovering
      .then(() => recover(Date.now() - EVENT_LEASE_MS))
      .catch((e: Error) => log.error('zalo recovery failed', { error: e.message }));
  }, config.outboxRetryMs);
  timer.unref();

  return {
    adapter,
    sender,
    tokens,
    idle: async () => {
      await recovering;
      await queue.idle();
    },
    close: async () => {
      clearInterval(timer);
      await recovering;
      await queue.idle();
    },
  };
}
