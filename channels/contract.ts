/**
 * One contract for every channel (`channels/<id>/index.ts` exports one):
 * verify what arrives, turn it into an Activity, run the bot, render its
 * Reply the channel's way, and take proactive messages (hotline agents)
 * through `continueConversation`. A new channel is a folder with such an
 * object plus one line in `app/channels.ts`.
 */
import type { Activity, TurnContext } from 'botbuilder';
import type { TFunction } from 'i18next';
import type { ChannelAdapter } from '../core/channelAdapter';
import type { Logger } from '../core/log';
import type { Part } from '../core/part';
import type { Reply } from '../core/reply';
import type { Bus } from '../storage/bus';
import type { Database } from '../storage/database';
import type { ThrottleStore } from '../storage/throttle';
import type { z } from 'zod';

/** What the composition root gives every channel. */
export interface ChannelDeps {
  db: Database;
  /** Notifications between replicas (in-process on SQLite). */
  bus: Bus;
  log: Logger;
  /** Where rate limits count (shared by replicas on PostgreSQL). */
  throttles: ThrottleStore;
  /** Run the bot on a turn: every channel runs the same bot. */
  run(context: TurnContext): Promise<void>;
  /** The one turn-error handler: logs and apologises in the citizen's words. */
  onTurnError(context: TurnContext, error: Error): Promise<void>;
  /** The system texts (locale files) for notices a channel sends itself. */
  t(language: 'vi' | 'en'): TFunction;
  /** Where this server is reached from outside (PUBLIC_URL or the listening address). */
  baseUrl: string;
}

/** A mounted channel. */
export interface MountedChannel {
  /** For messages outside a turn (hotline agents, ticket updates); absent when the channel has none. */
  adapter?: ChannelAdapter;
  /** How this channel shows a Reply; absent means the Bot Framework card rendering (core/activity.ts). */
  render?(reply: Reply): Partial<Activity>;
  close(): void | Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Channel<Env extends z.ZodRawShape = any, Settings = any> = Part<
  Env,
  Settings,
  ChannelDeps,
  MountedChannel
>;
