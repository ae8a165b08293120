/**
 * The HTTP server: Bot Framework's `/api/messages` through CloudAdapter
 * (the Emulator without credentials, Azure Bot Service with them), health
 * and readiness probes, and a clean shutdown. Channels added later mount
 * their routes on the same server.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConversationState,
  UserState,
  type Request as BotRequest,
  type Response as BotResponse,
} from 'botbuilder';
import { sql } from 'kysely';
import restify from 'restify';
import { Accounts } from '../hotline/domain/accounts';
import { mountHotline, type HotlineConsole } from '../hotline/console/console';
import { HotlineDesk } from '../hotline/domain/desk';
import { DeskHandoff } from '../hotline/handoff';
import { Relay } from '../hotline/domain/relay';
import { WEBCHAT_CHANNEL } from '../channels/webchat/adapter';
import { mountWebchat, type WebchatChannel } from '../channels/webchat/channel';
import { WebchatStore } from '../channels/webchat/store';
import { ZALO_CHANNEL } from '../channels/zalo/adapter';
import { mountZalo, type ZaloChannel } from '../channels/zalo/channel';
import { loadKnowledgeBase } from '../knowledge/loader';
import { DatabaseStorage } from '../storage/botStorage';
import { openBus, type Bus } from '../storage/bus';
import {
  DatabaseUnavailableError,
  describeDatabase,
  dialectOf,
  isDatabaseUnavailable,
  openDatabase,
  type Database,
} from '../storage/database';
import { TurnOutcomes } from '../storage/outcomes';
import { Records } from '../storage/records';
import { purgeOlderThan } from '../storage/retention';
import { DatabaseThrottleStore, MemoryThrottleStore } from '../storage/throttle';
import { Assistant } from '../bot/assistant';
import { composeAnswer } from '../bot/compose';
import { reuseConnectorClients } from '../channels/botframework/connectorClients';
import { toPlainText } from '../core/reply';
import type { Config } from './config';
import { LiveKnowledge } from '../bot/liveKnowledge';
import type { Logger } from '../core/log';
import { PublicServiceBot } from '../bot/publicServiceBot';

export interface RunningServer {
  url: string;
  port: number;
  db: Database;
  /** Notifications between replicas (in-process on SQLite). */
  bus: Bus;
  webchat: WebchatChannel;
  zalo?: ZaloChannel;
  desk: HotlineDesk;
  accounts: Accounts;
  /** The bot, for `settle()`: work started after replies (urgent tickets) is finished. */
  bot: PublicServiceBot;
  /** The knowledge base in use, with the examples supervisors added (reloadable). */
  knowledge: LiveKnowledge;
  close(): Promise<void>;
}

/** Without credentials anyone could make the bot post to any address: only loopback is allowed then. */
export function isLoopbackUrl(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (`::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/i, '');
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

/**
 * Without credentials nothing proves who posted an activity, and the bot
 * posts its reply to the activity's `serviceUrl`: anyone who reached the
 * port could make it call services on this host. Only a caller on this
 * machine is accepted then, judged by the socket's peer address (headers
 * are the caller's to invent). A request relayed by a reverse proxy on this
 * machine comes from loopback too but carries forwarding headers: it came
 * from outside and is refused as well.
 */
export function isLocalCaller(req: IncomingMessage): boolean {
  return isLoopbackAddress(req.socket.remoteAddress) && !FORWARDING_HEADERS.some((h) => h in req.headers);
}

/** Run the retention purge now and every six hours (each replica; the deletes are idempotent). */
function scheduleRetention(db: Database, days: number, log: Logger): NodeJS.Timeout | undefined {
  if (days <= 0) return undefined;
  const purge = async (): Promise<void> => {
    try {
      const deleted = await purgeOlderThan(db, days);
      if (Object.values(deleted).some((n) => n > 0))
        log.info('retention: old records deleted', { days, ...deleted });
    } catch (e) {
      log.warn('retention: purge failed, will retry', { error: (e as Error).message });
    }
  };
  void purge();
  const timer = setInterval(() => void purge(), 6 * 3600_000);
  timer.unref();
  return timer;
}

export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const loadKb = () =>
    loadKnowledgeBase(config.seedsDir, {
      passagesDir: config.passagesDir,
      documentsDir: config.documentsDir,
    });
  // Checked before the database is opened, so an invalid knowledge base is reported first.
  let kb: ReturnType<typeof loadKb> | undefined = loadKb();
  log.info('knowledge base loaded', { entries: kb.entries.length, passages: kb.passages.length });
  const db = await openDatabase({ ...config.database, log });
  let bus: Bus;
  try {
    bus = await openBus(db, config.database, log);
  } catch (e) {
    await db.destroy();
    throw new DatabaseUnavailableError(
      `database ${describeDatabase(config.database)} unavailable: ${(e as Error).message}`,
    );
  }
  log.info('database ready', { database: describeDatabase(config.database) });
  // Throttle counts: in the database on PostgreSQL, so that N replicas allow what one does.
  const throttles = dialectOf(db) === 'postgres' ? new DatabaseThrottleStore(db) : new MemoryThrottleStore();
  const storage = new DatabaseStorage(db);
  const records = new Records(db);
  const outcomes = new TurnOutcomes(db, config.hotline.schedule.timeZone);
  const answering: { bot?: PublicServiceBot } = {};
  const knowledge = await LiveKnowledge.start({
    load: () => {
      const first = kb;
      kb = undefined;
      return first ?? loadKb();
    },
    build: (base) => new Assistant(base, {}, config.hotline),
    outcomes,
    onChange: (a) => answering.bot?.useAssistant(a),
    bus,
    log,
  });
  const desk = new HotlineDesk(db, config.hotline.schedule, bus);
  const retention = scheduleRetention(db, config.retentionDays, log);
  const accounts = new Accounts(db, config.hotline.sessionHours * 3600_000);
  if (
    config.hotline.admin &&
    (await accounts.ensureAdmin(config.hotline.admin.username, config.hotline.admin.password))
  )
    log.info('hotline supervisor account created', { username: config.hotline.admin.username });
  else if ((await accounts.list()).length === 0)
    log.warn(
      'no hotline accounts yet: set HOTLINE_ADMIN_USER and HOTLINE_ADMIN_PASSWORD, or run npm run hotline:user -- add NAME --supervisor',
    );
  const bot = new PublicServiceBot({
    assistant: knowledge.assistant,
    conversationState: new ConversationState(storage),
    userState: new UserState(storage),
    records,
    handoff: { port: new DeskHandoff(desk), mode: config.hotline.handoff, hours: config.hotline.hours },
    log,
    outcomes,
  });
  answering.bot = bot;
  const relay = new Relay((context, reply) => bot.send(context, reply));
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.tenantId,
  });
  // One connector client per (app id, service URL, audience), not one per activity.
  const adapter = new CloudAdapter(reuseConnectorClients(auth));
  adapter.onTurnError = async (context, error) => {
    log.error('turn failed', { error: error.message, conversation: context.activity.conversation?.id });
    await context.sendActivity(
      'Xin lỗi, hệ thống đang gặp sự cố. Bạn vui lòng thử lại sau hoặc gọi tổng đài 1022.',
    );
  };

  const server = restify.createServer({ name: 'tro-ly-ao-dich-vu-cong' });
  // HEAD wherever GET is served (probes, monitors and link checkers use it): routed as GET.
  // Node sends no body for a request that arrived as HEAD, whatever the handler writes.
  server.pre((req, _res, next) => {
    if (req.method === 'HEAD') req.method = 'GET';
    next();
  });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: config.maxBodyBytes, mapParams: false }));

  // A handler that fails with an unexpected error (the database went away) is answered
  // with a short body that names no server or address: 503 with Retry-After when the
  // database is unreachable, 500 otherwise. The full error goes to the log.
  server.on('restifyError', (req, res, err: Error & { statusCode?: unknown }, callback: () => void) => {
    if (typeof err?.statusCode === 'number') return callback();
    const down = isDatabaseUnavailable(err);
    log.error('request failed', {
      method: req.method,
      path: req.path(),
      error: err?.message,
      database: down,
    });
    if (!res.headersSent) {
      if (down) res.header('Retry-After', '5');
      res.send(down ? 503 : 500, {
        error: down
          ? {
              code: 'ServiceUnavailable',
              message: 'The service is briefly unavailable; try again in a few seconds',
            }
          : { code: 'InternalError', message: 'Something went wrong; try again' },
      });
    }
    return callback();
  });

  server.post('/api/messages', async (req, res) => {
    if (!config.bot.appId && !isLocalCaller(req)) {
      log.warn('rejected an activity from another machine while authentication is off', {
        ip: req.socket.remoteAddress,
      });
      res.send(403, { error: 'only this machine may post activities unless MicrosoftAppId is configured' });
      return;
    }
    const body = req.body as { serviceUrl?: unknown } | undefined;
    if (!config.bot.appId && !isLoopbackUrl(body?.serviceUrl)) {
      log.warn('rejected activity with a non-loopback serviceUrl while authentication is off');
      res.send(403, { error: 'serviceUrl must be on this machine unless MicrosoftAppId is configured' });
      return;
    }
    await adapter.process(req as unknown as BotRequest, res as unknown as BotResponse, (context) =>
      bot.run(context),
    );
  });
  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });
  // Ready means every enabled channel's routes are mounted and answer (set below, after the
  // last mount), the knowledge base is loaded (before the server exists) and the database
  // answers. Shutdown turns it back to 503 before anything closes.
  let state: 'starting' | 'ready' | 'draining' = 'starting';
  server.get('/readyz', async (_req, res) => {
    if (state !== 'ready') {
      res.header('Retry-After', '5');
      res.send(503, { status: state });
      return;
    }
    try {
      await sql`select 1`.execute(db);
      res.send(200, { status: 'ready' });
    } catch (e) {
      res.send(503, { status: 'unavailable', error: (e as Error).message });
    }
  });

  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const port = (server.server.address() as AddressInfo).port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  const webchat = await mountWebchat(
    server,
    new WebchatStore(db, bus, log),
    (context) => bot.run(context),
    { ...config.webchat, publicUrl: config.publicUrl },
    log,
    `${config.publicUrl ?? url}/v3/directline`,
    throttles,
  );
  let zalo: ZaloChannel | undefined;
  let closing: Promise<void> | undefined;
  if ('off' in config.zalo) log.info(config.zalo.off);
  else {
    zalo = mountZalo(server, db, (context) => bot.run(context), config.zalo, log);
    log.info('zalo channel on', { webhook: `${config.publicUrl ?? url}/api/zalo/webhook` });
  }
  relay.register(WEBCHAT_CHANNEL, webchat.adapter);
  if (zalo) relay.register(ZALO_CHANNEL, zalo.adapter);
  const hotline: HotlineConsole = mountHotline(
    server,
    {
      desk,
      accounts,
      relay,
      records,
      t: (language) => knowledge.assistant.t(language),
      throttles,
      searchKb: (q) => {
        const assistant = knowledge.assistant;
        const result = assistant.index.search(q);
        return result.candidates.flatMap((c) => {
          const entry = assistant.index.get(c.id);
          if (!entry) return [];
          const reply = composeAnswer(
            { entry, fields: result.fields, confidence: c.score, language: 'vi' },
            assistant.t('vi'),
          );
          return [{ id: c.id, title: c.title, text: toPlainText({ ...reply, buttons: [] }) }];
        });
      },
      log,
      insight: { db, outcomes, timeZone: config.hotline.schedule.timeZone, knowledge },
    },
    {
      longWaitMinutes: config.hotline.longWaitMinutes,
      secureCookie: (config.publicUrl ?? '').startsWith('https:'),
      cannedReplies: config.hotline.cannedReplies,
      categories: config.hotline.categories,
      loginsPerMinute: config.hotline.loginsPerMinute,
      trustProxy: config.trustProxy,
      publicUrl: config.publicUrl,
    },
  );
  state = 'ready';
  log.info('listening', {
    url,
    webchat: `${config.publicUrl ?? url}/webchat`,
    hotline: `${config.publicUrl ?? url}/hotline`,
  });
  return {
    url,
    port,
    db,
    bus,
    webchat,
    zalo,
    desk,
    accounts,
    bot,
    knowledge,
    close: () =>
      (closing ??= (async () => {
        // Not ready any more, first: the load balancer stops sending new citizens here while
        // the requests in progress finish.
        state = 'draining';
        if (config.shutdownDrainMs > 0) await new Promise((r) => setTimeout(r, config.shutdownDrainMs));
        clearInterval(retention);
        await bot.settle();
        knowledge.close();
        hotline.close();
        desk.close();
        webchat.close();
        await zalo?.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await bus.close();
        await db.destroy();
      })()),
  };
}
