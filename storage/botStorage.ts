/**
 * botbuilder's `Storage` over the project's database, so that conversation
 * and user state (the topic of a conversation, a lesson in progress) survive
 * a restart and are shared by every replica.
 */
import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { Database } from './database';

export class DatabaseStorage implements Storage {
  constructor(private readonly db: Database) {}

  async read(keys: string[]): Promise<StoreItems> {
    if (keys.length === 0) return {};
    const rows = await this.db
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
   * the stored one still matches: two turns racing on one conversation
   * cannot silently overwrite each other.
   */
  async write(changes: StoreItems): Promise<void> {
    const now = new Date().toISOString();
    await this.db.transaction().execute(async (trx) => {
      for (const [key, item] of Object.entries(changes)) {
        const { eTag, ...rest } = (item ?? {}) as { eTag?: string } & Record<string, unknown>;
        const data = JSON.stringify(rest);
        const etag = randomUUID();
        const existing = await trx
          .selectFrom('bot_state')
          .select('etag')
          .where('key', '=', key)
          .executeTakeFirst();
        if (!existing) {
          if (eTag && eTag !== '*') throw new Error(`Storage: eTag conflict for "${key}" (item was deleted)`);
          await trx.insertInto('bot_state').values({ key, data, etag, updated_at: now }).execute();
          continue;
        }
        if (eTag && eTag !== '*' && eTag !== existing.etag) {
          throw new Error(`Storage: eTag conflict for "${key}"`);
        }
        await trx
          .updateTable('bot_state')
          .set({ data, etag, updated_at: now })
          .where('key', '=', key)
          .execute();
      }
    });
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db.deleteFrom('bot_state').where('key', 'in', keys).execute();
  }
}
