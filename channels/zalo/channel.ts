/**
 * The Zalo OA channel on the server: `POST /api/zalo/webhook` verifies
 * Zalo's MAC on the raw body (401 and a log line otherwise, nothing
 * processed), validates the event (400 when malformed), answers 200 at
 * once, and then, in arrival order per citizen, records it as received in
 * the database (Zalo redelivers: a done event is dropped), processes it and
 * marks it done; what a crash left unfinished is processed after a restart
 * (events.ts).
 */
import type { Request, Response, Server } from 'restify';
import { dialectOf } from '../../storage/database';
import type { ChannelDeps } from '../contract';
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

/** What the Zalo channel needs of the composition root. */
export type ZaloDeps = Pick<ChannelDeps, 'db' | 'run' | 'onTurnError' | 'log' | 't'>;

/**
 * The events the webhook accepted, processed one citizen at a time in
 * arrival order, each recorded as received before and done after, so that
 * a redelivery is dropped and a crash mid-turn is finished after a restart.
 */
class ZaloInbox {
  private readonly queue = new KeyedQueue();
  private readonly events: ZaloEventLog;
  private recovering: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: ZaloDeps,
    private readonly config: ZaloConfig,
    private readonly adapter: ZaloAdapter,
    private readonly sender: ZaloSender,
  ) {
    this.events = new ZaloEventLog(deps.db);
  }

  /** Queue an event in its citizen's line if `take` says this process is to, then mark it done. */
  enqueue(event: ZaloEvent, take: () => Promise<boolean>): void {
    const key = event.kind === 'other' ? event.key : event.userId;
    void this.queue
      .run(key, async () => {
        if (!(await take())) return this.deps.log.debug('zalo duplicate event dropped', { key: event.key });
        await this.handle(event);
        await this.events.done(event.key);
      })
      .catch((e: Error) => this.deps.log.error('zalo event failed', { error: e.message, key: event.key }));
  }

  /** Record the webhook's event (false for a redelivery already recorded). */
  receive(key: string, payload: unknown): Promise<boolean> {
    return this.events.receive(key, payload);
  }

  /** Finish, one recovery after another, the events whose holder's lease ran out before `staleBefore`. */
  recover(staleBefore: number): void {
    this.recovering = this.recovering
      .then(() => this.recoverNow(staleBefore))
      .catch((e: Error) => this.deps.log.error('zalo recovery failed', { error: e.message }));
  }

  async idle(): Promise<void> {
    await this.recovering;
    await this.queue.idle();
  }

  private async recoverNow(staleBefore: number): Promise<void> {
    for (const unfinished of await this.events.takeUnfinished(staleBefore)) {
      const parsed = parseEvent(unfinished.payload);
      if (!parsed.ok) {
        await this.events.done(unfinished.key);
        continue;
      }
      this.deps.log.info('zalo event received before a restart, processing it now', { key: unfinished.key });
      this.enqueue(parsed.value, async () => true);
    }
  }

  private async handle(e: ZaloEvent): Promise<void> {
    if (e.kind === 'follow') {
      await this.sender.setUnfollowed(e.userId, false);
      await this.adapter.follow(e.userId, this.deps.run);
    } else if (e.kind === 'unfollow') {
      await this.sender.setUnfollowed(e.userId, true);
    } else if (e.kind === 'other') {
      if (!/^(?:oa_send_|user_received|user_seen)/.test(e.name))
        this.deps.log.info('zalo event ignored', { event: e.name });
    } else {
      await this.message(e.userId, e.event);
    }
  }

  private async message(userId: string, event: { event_name: string; message?: unknown }): Promise<void> {
    const t = this.deps.t('vi');
    // The citizen wrote: they can receive again, and what waited for them goes first.
    await this.sender.setUnfollowed(userId, false);
    await this.sender.flush(userId);
    const message = event.message as { msg_id: string; text?: string };
    const max = this.config.maxMessageChars;
    // Checked on the raw text, before trimming or anything else reads it through.
    if (message.text && message.text.length > max) {
      this.deps.log.info('zalo message over the length limit', { user: userId, length: message.text.length });
      const notice = t('channel.tooLong', { length: message.text.length, max });
      await this.sender.send({ recipient: { user_id: userId }, message: { text: notice } });
      return;
    }
    const text = message.text?.trim();
    if (event.event_name === 'user_send_text' && text) {
      await this.adapter.message(userId, message.msg_id, text, this.deps.run);
    } else {
      await this.sender.send({ recipient: { user_id: userId }, message: { text: t('channel.nonText') } });
    }
  }
}

/** The webhook: Zalo's signature checked on the raw body, the event queued, 200 at once. */
function mountWebhook(server: Server, inbox: ZaloInbox, config: ZaloConfig, log: ZaloDeps['log']): void {
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
    inbox.enqueue(event, () => inbox.receive(event.key, req.body));
    res.send(200, { status: 'accepted' });
  });
}

export function mountZalo(server: Server, deps: ZaloDeps, config: ZaloConfig): ZaloChannel {
  const { db, log } = deps;
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
  adapter.onTurnError = (context, error) => deps.onTurnError(context, error);
  const inbox = new ZaloInbox(deps, config, adapter, sender);
  // On SQLite this is the only process: whatever was received before it started is unfinished
  // business of a process that died. Replicas on PostgreSQL wait for the holder's lease to run out.
  const startedAt = Date.now();
  inbox.recover(dialectOf(db) === 'sqlite' ? startedAt : startedAt - EVENT_LEASE_MS);
  mountWebhook(server, inbox, config, log);
  const timer = setInterval(() => {
    void sender.flush().catch((e: Error) => log.error('zalo outbox retry failed', { error: e.message }));
    inbox.recover(Date.now() - EVENT_LEASE_MS);
  }, config.outboxRetryMs);
  timer.unref();
  return {
    adapter,
    sender,
    tokens,
    idle: () => inbox.idle(),
    close: async () => {
      clearInterval(timer);
      await inbox.idle();
    },
  };
}
