/**
 * Configuration, read once from the environment and validated, so that a
 * mistake stops the start with a message naming the variable.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { isPostgresUrl, type DatabaseConfig } from '../storage/database';
import type { WebchatOptions } from '../channels/webchat/channel';
import { HotlineHours } from '../hotline/domain/hours';
import type { ZaloConfig } from '../channels/zalo/channel';
import { projectRoot } from '../core/paths';

const schema = z.object({
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
  MicrosoftAppId: z.string().default(''),
  MicrosoftAppPassword: z.string().default(''),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MicrosoftAppTenantId: z.string().default(''),
  /** Largest request body accepted on any route, in bytes. */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024),
  /** When hotline agents are on duty, in HOTLINE_TIMEZONE: "1-5 07:30-11:30,13:30-17:00" or "always". */
  HOTLINE_SCHEDULE: z.string().default('1-5 07:30-11:30,13:30-17:00'),
  HOTLINE_TIMEZONE: z.string().default('Asia/Ho_Chi_Minh'),
  /** How the hours are told to citizens; written from HOTLINE_SCHEDULE when empty. */
  HOTLINE_HOURS: z.string().optional(),
  HOTLINE_HOURS_EN: z.string().optional(),
  /** console: tickets in our /hotline console; event: only Bot Framework's handoff.initiate, for another agent hub. */
  HOTLINE_HANDOFF: z.enum(['console', 'event']).default('console'),
  HOTLINE_ADMIN_USER: z.string().optional(),
  HOTLINE_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  HOTLINE_LONG_WAIT_MINUTES: z.coerce.number().min(1).default(5),
  HOTLINE_SESSION_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 7)
    .default(12),
  HOTLINE_LOGINS_PER_MINUTE: z.coerce.number().int().min(1).default(5),
  /** JSON file with {cannedReplies: [...], categories: [...]} for the console. */
  HOTLINE_REPLIES_FILE: z.string().optional(),
  /** Public base URL (https://chat.example.gov.vn) used in stream URLs behind a proxy; derived when empty. */
  PUBLIC_URL: z.url().optional(),
  WEBCHAT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  WEBCHAT_TOKEN_TTL: z.coerce.number().int().min(60).default(1800),
  WEBCHAT_ALLOWED_ORIGINS: z.string().default(''),
  WEBCHAT_TOKENS_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  WEBCHAT_MESSAGES_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  WEBCHAT_MAX_MESSAGE_CHARS: z.coerce.number().int().min(10).default(2000),
  ZALO_APP_ID: z.string().optional(),
  ZALO_APP_SECRET: z.string().optional(),
  ZALO_OA_SECRET_KEY: z.string().optional(),
  ZALO_ACCESS_TOKEN: z.string().optional(),
  ZALO_REFRESH_TOKEN: z.string().optional(),
  ZALO_API_BASE: z.url().default('https://openapi.zalo.me'),
  ZALO_OAUTH_BASE: z.url().default('https://oauth.zaloapp.com'),
  ZALO_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  ZALO_RETRY_DELAYS_MS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be comma-separated milliseconds')
    .default('500,2000,5000'),
  ZALO_OUTBOX_RETRY_MS: z.coerce.number().int().min(1000).default(60_000),
  ZALO_BUTTONS: z.enum(['true', 'false']).default('true'),
  /** Behind a reverse proxy: take the client address from the last X-Forwarded-For entry. */
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  /** Delete transcripts, web-chat histories and other citizen text older than this many days; 0 keeps all. */
  RETENTION_DAYS: z.coerce.number().int().min(0).default(180),
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(120_000).default(0),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  /** The SQLite file, or the PostgreSQL server and pool size. */
  database: DatabaseConfig;
  seedsDir: string;
  passagesDir: string;
  documentsDir: string;
  bot: { appId: string; appPassword: string; appType: string; tenantId: string };
  maxBodyBytes: number;
  hotline: HotlineConfig;
  publicUrl?: string;
  webchat: Omit<WebchatOptions, 'publicUrl'>;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  trustProxy: boolean;
  retentionDays: number;
  /** On SIGTERM, how long /readyz answers 503 before the server stops taking requests. */
  shutdownDrainMs: number;
  /** The Zalo channel, or why it is off. */
  zalo: ZaloConfig | { off: string };
}

export interface HotlineConfig {
  hours: { vi: string; en: string };
  schedule: HotlineHours;
  handoff: 'console' | 'event';
  admin?: { username: string; password: string };
  longWaitMinutes: number;
  sessionHours: number;
  loginsPerMinute: number;
  cannedReplies: string[];
  categories: string[];
}

export class ConfigError extends Error {}

const repliesSchema = z.object({
  cannedReplies: z.array(z.string().min(1)).default([]),
  categories: z.array(z.string().min(1).max(64)).min(1),
});

function hotlineConfig(e: z.infer<typeof schema>): HotlineConfig {
  let schedule: HotlineHours;
  try {
    schedule = HotlineHours.parse(e.HOTLINE_SCHEDULE, e.HOTLINE_TIMEZONE);
  } catch (err) {
    const name = err instanceof RangeError ? 'HOTLINE_TIMEZONE' : 'HOTLINE_SCHEDULE';
    throw new ConfigError(`Invalid configuration:\n  ${name}: ${(err as Error).message}`);
  }
  const file = e.HOTLINE_REPLIES_FILE ?? join(projectRoot(), 'hotline', 'defaults.json');
  let replies: z.infer<typeof repliesSchema>;
  try {
    replies = repliesSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    const detail =
      err instanceof z.ZodError
        ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
        : (err as Error).message;
    throw new ConfigError(`Invalid configuration:\n  HOTLINE_REPLIES_FILE: ${file}: ${detail}`);
  }
  if (Boolean(e.HOTLINE_ADMIN_USER) !== Boolean(e.HOTLINE_ADMIN_PASSWORD))
    throw new ConfigError(
      'Invalid configuration:\n  HOTLINE_ADMIN_USER and HOTLINE_ADMIN_PASSWORD go together',
    );
  return {
    hours: {
      vi: e.HOTLINE_HOURS ?? schedule.describe('vi'),
      en: e.HOTLINE_HOURS_EN ?? schedule.describe('en'),
    },
    schedule,
    handoff: e.HOTLINE_HANDOFF,
    admin:
      e.HOTLINE_ADMIN_USER && e.HOTLINE_ADMIN_PASSWORD
        ? { username: e.HOTLINE_ADMIN_USER, password: e.HOTLINE_ADMIN_PASSWORD }
        : undefined,
    longWaitMinutes: e.HOTLINE_LONG_WAIT_MINUTES,
    sessionHours: e.HOTLINE_SESSION_HOURS,
    loginsPerMinute: e.HOTLINE_LOGINS_PER_MINUTE,
    cannedReplies: replies.cannedReplies,
    categories: replies.categories,
  };
}

const ZALO_REQUIRED = [
  'ZALO_APP_ID',
  'ZALO_APP_SECRET',
  'ZALO_OA_SECRET_KEY',
  'ZALO_ACCESS_TOKEN',
  'ZALO_REFRESH_TOKEN',
] as const;

function zaloConfig(e: z.infer<typeof schema>): ZaloConfig | { off: string } {
  const missing = ZALO_REQUIRED.filter((k) => !e[k]);
  if (missing.length > 0) return { off: `Zalo channel off: ${missing.join(', ')} not set` };
  return {
    appId: e.ZALO_APP_ID as string,
    appSecret: e.ZALO_APP_SECRET as string,
    oaSecretKey: e.ZALO_OA_SECRET_KEY as string,
    accessToken: e.ZALO_ACCESS_TOKEN as string,
    refreshToken: e.ZALO_REFRESH_TOKEN as string,
    apiBase: e.ZALO_API_BASE.replace(/\/$/, ''),
    oauthBase: e.ZALO_OAUTH_BASE.replace(/\/$/, ''),
    timeoutMs: e.ZALO_TIMEOUT_MS,
    retryDelaysMs: e.ZALO_RETRY_DELAYS_MS.split(',').map(Number),
    outboxRetryMs: e.ZALO_OUTBOX_RETRY_MS,
    buttons: e.ZALO_BUTTONS === 'true',
    maxMessageChars: e.WEBCHAT_MAX_MESSAGE_CHARS,
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  let database: DatabaseConfig;
  if (e.DATABASE_URL && isPostgresUrl(e.DATABASE_URL)) {
    database = { postgresUrl: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE };
  } else {
    const file = e.DATABASE_URL ? e.DATABASE_URL.slice('sqlite:'.length) : `${dataDir}/assistant.db`;
    database = { sqliteFile: file === ':memory:' ? file : resolve(file) };
  }
  return {
    port: e.PORT,
    host: e.HOST,
    database,
    seedsDir: resolve(e.KB_SEEDS_DIR),
    passagesDir: resolve(e.KB_PASSAGES_DIR ?? `${dataDir}/passages`),
    documentsDir: resolve(e.KB_DOCUMENTS_DIR ?? join(e.KB_SEEDS_DIR, 'documents')),
    bot: {
      appId: e.MicrosoftAppId,
      appPassword: e.MicrosoftAppPassword,
      appType: e.MicrosoftAppType,
      tenantId: e.MicrosoftAppTenantId,
    },
    maxBodyBytes: e.MAX_BODY_BYTES,
    hotline: hotlineConfig(e),
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    webchat: {
      secret: e.WEBCHAT_SECRET,
      tokenTtlSeconds: e.WEBCHAT_TOKEN_TTL,
      allowedOrigins: e.WEBCHAT_ALLOWED_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      tokensPerMinute: e.WEBCHAT_TOKENS_PER_MINUTE,
      messagesPerMinute: e.WEBCHAT_MESSAGES_PER_MINUTE,
      maxMessageChars: e.WEBCHAT_MAX_MESSAGE_CHARS,
      trustProxy: e.TRUST_PROXY === 'true',
    },
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY === 'true',
    retentionDays: e.RETENTION_DAYS,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    zalo: zaloConfig(e),
  };
}
