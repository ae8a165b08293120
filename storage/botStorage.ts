/**
 * botbuilder's `Storage` over the project's database, so that conversation
 * and user state (the topic of a conversation, a lesson in progress) survive
 * a restart and are shared by every replica.
 */
import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { Transaction } from 'kysely';
import type { Database, Tables } from './database';
import { prepared } from './prepared';
import { maskFields } from '../core/mask';

/** A turn reads its conversation's state (one key; the user's too when asked for). */
const readOne = prepared((db: Database, $) =>
  db.selectFrom('bot_state').select(['key', 'data', 'etag']).where('key', '=', $(0)),
);

/** A write without an eTag to match (botbuilder saves with "*"): last writer wins. */
const upsert = prepared((db: Database | Transaction<Tables>, $) =>
  db
    .insertInto('bot_state')
    .values({ key: $(0), data: $(1), etag: $(2), updated_at: $(3) })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        data: eb.ref('excluded.data'),
        etag: eb.ref('excluded.etag'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    ),
);

export class DatabaseStorage implements Storage {
  constructor(private readonly db: Database) {}

  async read(keys: string[]): Promise<StoreItems> {
    if (keys.length === 0) return {};
    const rows =
      keys.length === 1
        ? (await readOne(this.db, keys[0])).rows
        : await this.db
            .selectFrom('bot_state')
            .select(['key', 'data', 'etag'])
            .where('key', 'in', keys)
            .execute();
    const items: StoreItems = {};
    for (const row of rows) items[row.key] = { ...(JSON.parse(row.data) as object), eTag: row.etag };
    return items;
  }

  /**
   * Write items. An item carrying an eTag other than "*" is written only if
   * the stored one still matches: two turns racing on one conversation (on
   * one replica or two) cannot silently overwrite each other. Each write is
   * a single statement (a conditional update, or an upsert), so the check
   * and the write cannot be split by another writer on either database.
   */
  async write(changes: StoreItems): Promise<void> {
    const entries = Object.entries(changes);
    // One item (a turn saves its conversation's state, and its user's when that changed, in
    // separate calls) is one statement, atomic on its own: no transaction to open and commit.
    if (entries.length === 1) return this.writeItems(this.db, entries);
    if (entries.length > 1) await this.db.transaction().execute((trx) => this.writeItems(trx, entries));
  }

  private async writeItems(
    trx: Database | Transaction<Tables>,
    entries: Array<[string, unknown]>,
  ): Promise<void> {
    const now = new Date().toISOString();
    for (const [key, item] of entries) {
      const { eTag, ...rest } = (item ?? {}) as { eTag?: string } & Record<string, unknown>;
      const data = JSON.stringify(maskFields(rest));
      const etag = randomUUID();
      if (eTag && eTag !== '*') {
        const r = await trx
          .updateTable('bot_state')
          .set({ data, etag, updated_at: now })
          .where('key', '=', key)
          .where('etag', '=', eTag)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 1) continue;
        const exists = await trx
          .selectFrom('bot_state')
          .select('key')
          .where('key', '=', key)
          .executeTakeFirst();
        throw new Error(`Storage: eTag conflict for "${key}"${exists ? '' : ' (item was deleted)'}`);
      }
      await upsert(trx, key, data, etag, now);
    }
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db.deleteFrom('bot_state').where('key', 'in', keys).execute();
  }
}
