/**
 * Configuration, read once from the environment and validated, so that a
 * mistake stops the start with a message naming the variable. The schema
 * is assembled from the server's own variables, the hotline's and every
 * channel's (each part declares its own, `core/part.ts`).
 */
import { join, resolve } from 'node:path';
import type { Migration } from 'kysely';
import { z } from 'zod';
import { isOff, type Off, type SharedSettings } from '../core/part';
import type { Channel } from '../channels/contract';
import { defaultProvince, type ProvinceInfo } from '../bot/assistant';
import { hotlineEnv, hotlineSettings, SettingError, type HotlineConfig } from '../hotline/settings';
import { isPostgresUrl, type DatabaseConfig } from '../storage/database';
import { channels } from './channels';

export type { HotlineConfig };

const serverEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  HOST: z.string().default('0.0.0.0'),
  /** Where the SQLite file and ingested passages live. */
  DATA_DIR: z.string().default('data'),
  /** sqlite:PATH (default sqlite:DATA_DIR/assistant.db), or postgres://… for many replicas. */
  DATABASE_URL: z
    .string()
    .refine(
      (v) => /^sqlite:./.test(v) || (isPostgresUrl(v) && URL.canParse(v)),
      'must be sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE (postgresql:// also accepted)',
    )
    .optional(),
  /** Most PostgreSQL connections per replica. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  KB_SEEDS_DIR: z.string().default('seeds'),
  KB_PASSAGES_DIR: z.string().optional(),
  /** Plain-text documents ingested as the knowledge base loads (default: `documents` under the seeds). */
  KB_DOCUMENTS_DIR: z.string().optional(),
  /** Largest request body accepted on any route, in bytes. */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024),
  /** Public base URL (https://chat.example.gov.vn) used in stream URLs behind a proxy; derived when empty. */
  PUBLIC_URL: z.url().optional(),
  /** Longest message accepted on every channel (the name is older than the second channel). */
  WEBCHAT_MAX_MESSAGE_CHARS: z.coerce.number().int().min(10).default(2000),
  /** Behind a reverse proxy: take the client address from the last X-Forwarded-For entry. */
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  /** Delete transcripts, web-chat histories and other citizen text older than this many days; 0 keeps all. */
  RETENTION_DAYS: z.coerce.number().int().min(0).default(180),
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(120_000).default(0),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Who runs the assistant, as citizens are told. */
  PROVINCE_NAME: z.string().min(1).default(defaultProvince.name),
  PROVINCE_PORTAL_URL: z.url().default(defaultProvince.portal),
  HOTLINE_NUMBER: z
    .string()
    .regex(/^\d{3,12}$/, 'must be the digits of the hotline number')
    .default(defaultProvince.hotline),
});

/** A channel with its settings from the environment, or why it is off. */
export interface ConfiguredChannel {
  channel: Channel;
  settings: unknown;
}

export interface Config {
  port: number;
  host: string;
  /** The SQLite file, or the PostgreSQL server and pool size. */
  database: DatabaseConfig;
  seedsDir: string;
  passagesDir: string;
  documentsDir: string;
  maxBodyBytes: number;
  shared: SharedSettings;
  province: ProvinceInfo;
  hotline: HotlineConfig;
  /** Every channel of `app/channels.ts`, with its settings or why it is off. */
  channels: ConfiguredChannel[];
  /** The channels' own tables (every listed channel's, enabled or not: a database never loses one). */
  migrations: Record<string, Migration>;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  retentionDays: number;
  /** On SIGTERM, how long /readyz answers 503 before the server stops taking requests. */
  shutdownDrainMs: number;
}

export class ConfigError extends Error {}

/** Every variable the server reads: its own, the hotline's and each channel's. */
export function environmentSchema(list: readonly Channel[] = channels) {
  return list.reduce<z.ZodObject<z.ZodRawShape>>(
    (schema, c) => schema.extend(c.env.shape),
    serverEnv.extend(hotlineEnv.shape),
  );
}

function databaseConfig(e: z.infer<typeof serverEnv>, dataDir: string): DatabaseConfig {
  if (e.DATABASE_URL && isPostgresUrl(e.DATABASE_URL))
    return { postgresUrl: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE };
  const file = e.DATABASE_URL ? e.DATABASE_URL.slice('sqlite:'.length) : `${dataDir}/assistant.db`;
  return { sqliteFile: file === ':memory:' ? file : resolve(file) };
}

function invalid(lines: string[]): ConfigError {
  return new ConfigError(`Invalid configuration:\n${lines.map((l) => `  ${l}`).join('\n')}`);
}

/** Each part's settings from the validated environment; a part's own check names its variable. */
function settingsOf<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof SettingError) throw invalid([`${err.variable}: ${err.message}`]);
    throw err;
  }
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  list: readonly Channel[] = channels,
): Config {
  const parsed = environmentSchema(list).safeParse(env);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = parsed.data as z.infer<typeof serverEnv> & z.infer<typeof hotlineEnv>;
  const dataDir = resolve(e.DATA_DIR);
  const shared: SharedSettings = {
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    trustProxy: e.TRUST_PROXY === 'true',
    maxMessageChars: e.WEBCHAT_MAX_MESSAGE_CHARS,
  };
  return {
    port: e.PORT,
    host: e.HOST,
    database: databaseConfig(e, dataDir),
    seedsDir: resolve(e.KB_SEEDS_DIR),
    passagesDir: resolve(e.KB_PASSAGES_DIR ?? `${dataDir}/passages`),
    documentsDir: resolve(e.KB_DOCUMENTS_DIR ?? join(e.KB_SEEDS_DIR, 'documents')),
    maxBodyBytes: e.MAX_BODY_BYTES,
    shared,
    province: { name: e.PROVINCE_NAME, portal: e.PROVINCE_PORTAL_URL, hotline: e.HOTLINE_NUMBER },
    hotline: settingsOf(() => hotlineSettings(e)),
    channels: list.map((channel) => ({
      channel,
      settings: settingsOf(() => channel.settings(parsed.data as never, shared)),
    })),
    migrations: Object.assign({}, ...list.map((c) => c.migrations ?? {})),
    logLevel: e.LOG_LEVEL,
    retentionDays: e.RETENTION_DAYS,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
  };
}

/** The settings of one channel, or why it is off. */
export function channelSettings(config: Config, id: string): unknown | Off | undefined {
  return config.channels.find((c) => c.channel.id === id)?.settings;
}

export { isOff };
