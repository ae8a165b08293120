/**
 * The 1022 hotline wired into the server: its domain (desk, accounts, the
 * first supervisor) before the bot, which reaches it through the hand-off
 * port, and its console after the channels, whose adapters carry agents'
 * replies to citizens.
 */
import type { Server } from 'restify';
import type { LiveKnowledge } from '../bot/liveKnowledge';
import { composeAnswer } from '../bot/compose';
import type { Logger } from '../core/log';
import { toPlainText } from '../core/reply';
import { mountHotline, type HotlineConsole } from '../hotline/console/console';
import { Accounts } from '../hotline/domain/accounts';
import { HotlineDesk } from '../hotline/domain/desk';
import type { Relay } from '../hotline/domain/relay';
import type { Bus } from '../storage/bus';
import type { Database } from '../storage/database';
import type { TurnOutcomes } from '../storage/outcomes';
import type { Records } from '../storage/records';
import type { ThrottleStore } from '../storage/throttle';
import type { Config } from './config';

export interface HotlineDomain {
  desk: HotlineDesk;
  accounts: Accounts;
}

/** The desk and the accounts; the first supervisor from HOTLINE_ADMIN_USER/PASSWORD. */
export async function openHotline(
  db: Database,
  bus: Bus,
  config: Config,
  log: Logger,
): Promise<HotlineDomain> {
  const { hotline } = config;
  const desk = new HotlineDesk(db, hotline.schedule, bus);
  const accounts = new Accounts(db, hotline.sessionHours * 3600_000);
  if (hotline.admin && (await accounts.ensureAdmin(hotline.admin.username, hotline.admin.password)))
    log.info('hotline supervisor account created', { username: hotline.admin.username });
  else if ((await accounts.list()).length === 0)
    log.warn(
      'no hotline accounts yet: set HOTLINE_ADMIN_USER and HOTLINE_ADMIN_PASSWORD, or run npm run hotline:user -- add NAME --supervisor',
    );
  return { desk, accounts };
}

/** The knowledge base as agents search it in the console: each hit as the citizen would read it. */
function agentSearch(knowledge: LiveKnowledge) {
  return (q: string): Array<{ id: string; title: string; text: string }> => {
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
  };
}

export interface ConsoleWiring extends HotlineDomain {
  db: Database;
  relay: Relay;
  records: Records;
  outcomes: TurnOutcomes;
  knowledge: LiveKnowledge;
  throttles: ThrottleStore;
  log: Logger;
}

export function mountConsole(server: Server, w: ConsoleWiring, config: Config): HotlineConsole {
  const { hotline, shared } = config;
  return mountHotline(
    server,
    {
      desk: w.desk,
      accounts: w.accounts,
      relay: w.relay,
      records: w.records,
      t: (language) => w.knowledge.assistant.t(language),
      throttles: w.throttles,
      searchKb: agentSearch(w.knowledge),
      log: w.log,
      insight: {
        db: w.db,
        outcomes: w.outcomes,
        timeZone: hotline.schedule.timeZone,
        knowledge: w.knowledge,
      },
    },
    {
      longWaitMinutes: hotline.longWaitMinutes,
      secureCookie: (shared.publicUrl ?? '').startsWith('https:'),
      cannedReplies: hotline.cannedReplies,
      categories: hotline.categories,
      loginsPerMinute: hotline.loginsPerMinute,
      trustProxy: shared.trustProxy,
      publicUrl: shared.publicUrl,
    },
  );
}
