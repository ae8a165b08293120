/**
 * The assistant's server in-process for a test: loopback, a free port, a
 * fresh data directory, the fixture knowledge base, quiet logs; `env` adds
 * or overrides variables.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../app/config';
import { createLogger } from '../../core/log';
import { startServer, type RunningServer } from '../../app/server';
import { FIXTURE_SEEDS } from '../helpers';

export function startTestServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'assistant-test-')),
    KB_SEEDS_DIR: FIXTURE_SEEDS,
    ...env,
  });
  return startServer(config, createLogger('error'));
}
