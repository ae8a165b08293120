/**
 * The server, assembled: the knowledge base first (an invalid one is
 * reported before anything opens), the database and the bus, the bot with
 * the hotline behind its hand-off port, then every enabled channel of
 * `app/channels.ts` and the hotline console on one restify server; ready
 * only when all of them are mounted, and closed in the reverse order.
 */
import type { AddressInfo } from 'node:net';
import { ConversationState, UserState, type Activity } from 'botbuilder';
import type { Server } from 'restify';
import { Assistant } from '../bot/assistant';
import { LiveKnowledge } from '../bot/liveKnowledge';
import { PublicServiceBot } from '../bot/publicServiceBot';
import type { ChannelDeps, MountedChannel } from '../channels/contract';
import { WEBCHAT_CHANNEL } from '../channels/webchat/adapter';
import type { WebchatChannel } from '../channels/webchat/channel';
import { ZALO_CHANNEL } from '../channels/zalo/adapter';
import type { ZaloChannel } from '../channels/zalo';
import type { Logger } from '../core/log';
import { isOff } from '../core/part';
import type { Reply } from '../core/reply';
import { turnErrorHandler } from '../core/turnError';
import type { Accounts } from '../hotline/domain/accounts';
import type { HotlineDesk } from '../hotline/domain/desk';
import { Relay } from '../hotline/domain/relay';
import { DeskHandoff } from '../hotline/handoff';
import { loadKnowledgeBase, type KnowledgeBase } from '../knowledge/loader';
import { DatabaseStorage } from '../storage/botStorage';
import { openBus, type Bus } from '../storage/bus';
import {
  DatabaseUnavailableError,
  describeDatabase,
  dialectOf,
  openDatabase,
  type Database,
} from '../storage/database';
import { TurnOutcomes } from '../storage/outcomes';
import { Records } from '../storage/records';
import { purgeOlderThan } from '../storage/retention';
import { DatabaseThrottleStore, MemoryThrottleStore, type ThrottleStore } from '../storage/throttle';
import type { Config } from './config';
import { createHttpServer } from './http';
import { mountConsole, openHotline, type HotlineDomain } from './hotline';
import { mountProbes } from './probes';

export interface RunningServer {
  url: string;
  port: number;
  db: Database;
  /** Notifications between replicas (in-process on SQLite). */
  bus: Bus;
  /** Every enabled channel, by id. */
  channels: ReadonlyMap<string, MountedChannel>;
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

interface Stores {
  db: Database;
  bus: Bus;
  /** Throttle counts: in the database on PostgreSQL, so that N replicas allow what one does. */
  throttles: ThrottleStore;
}

/** The database with every part's tables, and the bus between replicas. */
async function openStores(config: Config, log: Logger): Promise<Stores> {
  const db = await openDatabase({ ...config.database, log }, config.migrations);
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
  const throttles = dialectOf(db) === 'postgres' ? new DatabaseThrottleStore(db) : new MemoryThrottleStore();
  return { db, bus, throttles };
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

interface Brain {
  bot: PublicServiceBot;
  knowledge: LiveKnowledge;
  records: Records;
  outcomes: TurnOutcomes;
  /** Each mounted channel's own rendering, filled in as channels mount. */
  renderers: Map<string, (reply: Reply) => Partial<Activity>>;
}

/** The bot over the (reloadable) knowledge base, with the hotline behind its hand-off port. */
async function startBrain(
  first: KnowledgeBase,
  reload: () => KnowledgeBase,
  stores: Stores,
  hotline: HotlineDomain,
  config: Config,
  log: Logger,
): Promise<Brain> {
  const { db, bus } = stores;
  const records = new Records(db);
  const outcomes = new TurnOutcomes(db, config.hotline.schedule.timeZone);
  const renderers = new Map<string, (reply: Reply) => Partial<Activity>>();
  const answering: { bot?: PublicServiceBot } = {};
  let pending: KnowledgeBase | undefined = first;
  const knowledge = await LiveKnowledge.start({
    load: () => {
      const kb = pending ?? reload();
      pending = undefined;
      return kb;
    },
    build: (base) => new Assistant(base, {}, { hours: config.hotline.hours, province: config.province }),
    outcomes,
    onChange: (a) => answering.bot?.useAssistant(a),
    bus,
    log,
  });
  const storage = new DatabaseStorage(db);
  const bot = new PublicServiceBot({
    assistant: knowledge.assistant,
    conversationState: new ConversationState(storage),
    userState: new UserState(storage),
    records,
    handoff: {
      port: new DeskHandoff(hotline.desk),
      mode: config.hotline.handoff,
      hours: config.hotline.hours,
    },
    log,
    outcomes,
    renderers,
  });
  answering.bot = bot;
  return { bot, knowledge, records, outcomes, renderers };
}

/** Mount every channel that is not off, in the list's order; its renderer goes to the bot. */
async function mountChannels(
  server: Server,
  config: Config,
  deps: ChannelDeps,
  renderers: Brain['renderers'],
): Promise<Map<string, MountedChannel>> {
  const mounted = new Map<string, MountedChannel>();
  for (const { channel, settings } of config.channels) {
    if (isOff(settings)) {
      deps.log.info(settings.off);
      continue;
    }
    const m = await channel.mount(server, deps, settings);
    if (m.render) renderers.set(channel.id, m.render);
    mounted.set(channel.id, m);
  }
  return mounted;
}

async function listen(server: Server, config: Config): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}` };
}

export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const loadKb = (): KnowledgeBase =>
    loadKnowledgeBase(config.seedsDir, {
      passagesDir: config.passagesDir,
      documentsDir: config.documentsDir,
    });
  // Checked before the database is opened, so an invalid knowledge base is reported first.
  const kb = loadKb();
  log.info('knowledge base loaded', { entries: kb.entries.length, passages: kb.passages.length });
  const stores = await openStores(config, log);
  const { db, bus, throttles } = stores;
  const hotline = await openHotline(db, bus, config, log);
  const brain = await startBrain(kb, loadKb, stores, hotline, config, log);
  const { bot, knowledge } = brain;
  const retention = scheduleRetention(db, config.retentionDays, log);
  const server = createHttpServer(config.maxBodyBytes, log);
  const probes = mountProbes(server, db);
  const { url, port } = await listen(server, config);
  const baseUrl = config.shared.publicUrl ?? url;
  const deps: ChannelDeps = {
    db,
    bus,
    log,
    throttles,
    run: (context) => bot.run(context),
    onTurnError: turnErrorHandler(log, () => knowledge.assistant.t('vi')('turnError')),
    t: (language) => knowledge.assistant.t(language),
    baseUrl,
  };
  const channels = await mountChannels(server, config, deps, brain.renderers);
  const relay = new Relay((context, reply) => bot.send(context, reply));
  for (const [id, m] of channels) if (m.adapter) relay.register(id, m.adapter);
  const consoleUi = mountConsole(server, { ...hotline, ...brain, db, relay, throttles, log }, config);
  probes.set('ready');
  log.info('listening', { url, webchat: `${baseUrl}/webchat`, hotline: `${baseUrl}/hotline` });
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    db,
    bus,
    channels,
    webchat: channels.get(WEBCHAT_CHANNEL) as WebchatChannel,
    zalo: channels.get(ZALO_CHANNEL) as ZaloChannel | undefined,
    ...hotline,
    bot,
    knowledge,
    close: () =>
      (closing ??= (async () => {
        // Not ready any more, first: the load balancer stops sending new citizens here while
        // the requests in progress finish.
        probes.set('draining');
        if (config.shutdownDrainMs > 0) await new Promise((r) => setTimeout(r, config.shutdownDrainMs));
        clearInterval(retention);
        await bot.settle();
        knowledge.close();
        consoleUi.close();
        hotline.desk.close();
        for (const m of [...channels.values()].reverse()) await m.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await bus.close();
        await db.destroy();
      })()),
  };
}
