/**
 * Queries on every turn's path, built and compiled once per database and
 * then run with new values.
 *
 * Why: Kysely builds an immutable tree for every query (each node frozen)
 * and compiles it to SQL on every call. A bot turn runs six such queries
 * whose SQL never changes, only their values (its two transcript lines, its
 * state read and write, the hand-off's standing and its outcome), and
 * building and compiling them was a tenth of the server's CPU under load.
 * The query is still written once with Kysely's builder, so it means the
 * same on SQLite and PostgreSQL; what is kept is each database's compiled
 * SQL, with the places where the values go.
 *
 * ```ts
 * const byKey = prepared((db: Database, $) =>
 *   db.selectFrom('bot_state').select('data').where('key', '=', $(0)),
 * );
 * const rows = await byKey(db, 'some-key');
 * ```
 */
import type { CompiledQuery, Compilable, Kysely, QueryResult } from 'kysely';

/**
 * `$(i)` stands for the i-th value given when the query runs. It must be
 * used where Kysely makes a parameter (a value, not a table, column or
 * keyword); `prepared` checks that each one did.
 */
export type Placeholder = (index: number) => never;

const MARK = '\u0000prepared:';

/** A parameter of the compiled template: a value given at run time (its index) or a constant. */
type Slot = { arg: number } | { value: unknown };

interface Template {
  compiled: CompiledQuery;
  slots: Slot[];
}

/**
 * A query built by `build` once per database (`db`, or a transaction of it),
 * run with `args` in the places of `$(0)`, `$(1)`… Throws when first built
 * if a placeholder did not become a parameter of its own (Kysely wrote it
 * into the SQL text, or never used it).
 */
export function prepared<DB, R>(
  build: (db: Kysely<DB>, $: Placeholder) => Compilable<R>,
): (db: Kysely<DB>, ...args: unknown[]) => Promise<QueryResult<R>> {
  const templates = new WeakMap<Kysely<DB>, Template>();
  return (db, ...args) => {
    let template = templates.get(db);
    if (!template) {
      template = compile(db, build);
      templates.set(db, template);
    }
    const parameters = template.slots.map((s) => ('arg' in s ? args[s.arg] : s.value));
    return db.executeQuery<R>({ ...template.compiled, parameters });
  };
}

function compile<DB, R>(db: Kysely<DB>, build: (db: Kysely<DB>, $: Placeholder) => Compilable<R>): Template {
  let used = 0;
  const $ = ((index: number) => {
    used = Math.max(used, index + 1);
    return `${MARK}${index}`;
  }) as Placeholder;
  const compiled = build(db, $).compile();
  const slots: Slot[] = compiled.parameters.map((p) =>
    typeof p === 'string' && p.startsWith(MARK) ? { arg: Number(p.slice(MARK.length)) } : { value: p },
  );
  if (compiled.sql.includes(MARK)) {
    throw new Error(`prepared: a placeholder was written into the SQL text: ${compiled.sql}`);
  }
  for (let i = 0; i < used; i++) {
    if (!slots.some((s) => 'arg' in s && s.arg === i)) {
      throw new Error(`prepared: $(${i}) did not become a parameter of: ${compiled.sql}`);
    }
  }
  return { compiled, slots };
}
