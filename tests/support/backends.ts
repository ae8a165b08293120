/**
 * The two databases the storage tests run against, for `describe.each`:
 * SQLite files in a temp directory, and databases in the test run's
 * PostgreSQL cluster (tests/support/postgres.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database, type DatabaseConfig } from '../../storage/database';
import { createTestDatabase, type TestDatabase } from './postgres';

export interface Backend {
  name: 'SQLite' | 'PostgreSQL';
  /** A new, empty database. */
  fresh(label?: string): Promise<DatabaseConfig>;
  /** Open `config` (migrated); closed by `cleanup`. */
  open(config: DatabaseConfig): Promise<Database>;
  /** Close what `open` opened (call in afterEach). */
  closeAll(): Promise<void>;
  /** Also drop the databases `fresh` made (call in afterAll). */
  cleanup(): Promise<void>;
}

function backend(
  name: Backend['name'],
  fresh: (label: string, made: TestDatabase[]) => Promise<DatabaseConfig>,
): Backend {
  const opened: Database[] = [];
  const made: TestDatabase[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(opened.splice(0).map((db) => db.destroy()));
  };
  return {
    name,
    fresh: (label = 'storage') => fresh(label, made),
    open: async (config) => {
      const db = await openDatabase(config);
      opened.push(db);
      return db;
    },
    closeAll,
    cleanup: async () => {
      await closeAll();
      await Promise.all(made.splice(0).map((d) => d.drop()));
    },
  };
}

/** [name, backend] rows for describe.each: a new pair per call (per test file). */
export function backends(): Array<[Backend['name'], Backend]> {
  return [
    [
      'SQLite',
      backend('SQLite', async (label) => ({
        sqliteFile: join(mkdtempSync(join(tmpdir(), `${label}-`)), 'test.db'),
      })),
    ],
    [
      'PostgreSQL',
      backend('PostgreSQL', async (label, made) => {
        const d = await createTestDatabase(label);
        made.push(d);
        return { postgresUrl: d.url, poolSize: 5 };
      }),
    ],
  ];
}
