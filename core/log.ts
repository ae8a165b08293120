/**
 * A small structured logger: one JSON line per event on stderr, personal
 * numbers masked, so operators can grep and ship logs without leaking them.
 */
import { maskPersonalData } from './mask';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (l) => process.stderr.write(l + '\n'),
): Logger {
  const log = (at: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[at] < LEVELS[level]) return;
    write(maskPersonalData(JSON.stringify({ time: new Date().toISOString(), level: at, msg, ...fields })));
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}
