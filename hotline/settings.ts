/**
 * The hotline's environment variables and settings: when agents are on
 * duty, how hand-offs go (our console, or only Bot Framework's hand-off
 * event for another agent hub), the first supervisor, the console's limits
 * and its canned replies and categories (a JSON file).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../core/paths';
import { HotlineHours } from './domain/hours';

export const hotlineEnv = z.object({
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
});

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

/** A setting that cannot be used, named by its variable (the composition root reports it). */
export class SettingError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

const repliesSchema = z.object({
  cannedReplies: z.array(z.string().min(1)).default([]),
  categories: z.array(z.string().min(1).max(64)).min(1),
});

/** The default canned replies and categories, kept with the hotline. */
export const DEFAULT_REPLIES_FILE = join(projectRoot(), 'hotline', 'defaults.json');

function schedule(e: z.infer<typeof hotlineEnv>): HotlineHours {
  try {
    return HotlineHours.parse(e.HOTLINE_SCHEDULE, e.HOTLINE_TIMEZONE);
  } catch (err) {
    const name = err instanceof RangeError ? 'HOTLINE_TIMEZONE' : 'HOTLINE_SCHEDULE';
    throw new SettingError(name, (err as Error).message);
  }
}

function replies(file: string): z.infer<typeof repliesSchema> {
  try {
    return repliesSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    const detail =
      err instanceof z.ZodError
        ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
        : (err as Error).message;
    throw new SettingError('HOTLINE_REPLIES_FILE', `${file}: ${detail}`);
  }
}

export function hotlineSettings(e: z.infer<typeof hotlineEnv>): HotlineConfig {
  const hours = schedule(e);
  const { cannedReplies, categories } = replies(e.HOTLINE_REPLIES_FILE ?? DEFAULT_REPLIES_FILE);
  if (Boolean(e.HOTLINE_ADMIN_USER) !== Boolean(e.HOTLINE_ADMIN_PASSWORD))
    throw new SettingError('HOTLINE_ADMIN_USER and HOTLINE_ADMIN_PASSWORD', 'go together');
  return {
    hours: { vi: e.HOTLINE_HOURS ?? hours.describe('vi'), en: e.HOTLINE_HOURS_EN ?? hours.describe('en') },
    schedule: hours,
    handoff: e.HOTLINE_HANDOFF,
    admin:
      e.HOTLINE_ADMIN_USER && e.HOTLINE_ADMIN_PASSWORD
        ? { username: e.HOTLINE_ADMIN_USER, password: e.HOTLINE_ADMIN_PASSWORD }
        : undefined,
    longWaitMinutes: e.HOTLINE_LONG_WAIT_MINUTES,
    sessionHours: e.HOTLINE_SESSION_HOURS,
    loginsPerMinute: e.HOTLINE_LOGINS_PER_MINUTE,
    cannedReplies,
    categories,
  };
}
