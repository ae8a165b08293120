/**
 * `npm start`: read the configuration, load and check the knowledge base
 * (refusing to start on an invalid one, with every problem listed), open
 * the database and serve. A database that cannot be reached stops the start
 * with one line and exit code 1 (an orchestrator restarts the replica).
 * SIGINT/SIGTERM close the server cleanly.
 */
import { KnowledgeError, formatProblem } from '../knowledge/loader';
import { DatabaseUnavailableError } from '../storage/database';
import { ConfigError, loadConfig } from './config';
import { createLogger } from '../core/log';
import { startServer } from './server';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
  const log = createLogger(config.logLevel);
  try {
    const server = await startServer(config, log);
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal });
      server.close().then(
        () => process.exit(0),
        (e: Error) => {
          log.error('shutdown failed', { error: e.message });
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  } catch (e) {
    if (e instanceof KnowledgeError) {
      console.error('The knowledge base is invalid; not starting.');
      for (const p of e.problems) console.error(`  ${formatProblem(p)}`);
      process.exit(1);
    }
    if (e instanceof DatabaseUnavailableError) {
      console.error(`Not starting: ${e.message.replace(/\s+/g, ' ')}`);
      process.exit(1);
    }
    throw e;
  }
}

void main();
