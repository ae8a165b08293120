/**
 * The OA's token pair, kept in the database. Zalo's refresh token is
 * single-use, so the new pair is stored the moment it arrives, and
 * concurrent refreshes collapse into one: in this process by sharing the
 * promise; across replicas (PostgreSQL) by locking the row
 * (`select … for update`) for the length of the refresh, so that a replica
 * that waited finds the pair already replaced and takes the new one instead
 * of spending a dead token. SQLite serves one process: there the stored
 * pair is replaced only if it still holds the refresh token that was spent.
 */
import { dialectOf, type Database } from '../../storage/database';
import type { TokenPair, ZaloClient } from './client';

const OA = 'default';

export class ZaloTokens {
  private inflight?: Promise<TokenPair>;

  constructor(
    private readonly db: Database,
    private readonly client: ZaloClient,
    private readonly initial: { accessToken: string; refreshToken: string },
    /** Refresh this long before expiry. */
    private readonly refreshEarlyMs = 60 * 60_000,
  ) {}

  /** The stored pair, seeded from configuration the first time. */
  async pair(): Promise<TokenPair> {
    const row = await this.db.selectFrom('zalo_tokens').selectAll().where('oa', '=', OA).executeTakeFirst();
    if (row)
      return {
        accessToken: row.access_token,
        refreshToken: row.refresh_token,
        expiresAt: Number(row.expires_at),
      };
    // A configured token's age is unknown: count it as expiring in two hours, so that
    // it is replaced within the first hour (the refresh comes an hour early).
    const seeded = { ...this.initial, expiresAt: Date.now() + 2 * 60 * 60_000 };
    await this.db
      .insertInto('zalo_tokens')
      .values({
        oa: OA,
        access_token: seeded.accessToken,
        refresh_token: seeded.refreshToken,
        expires_at: seeded.expiresAt,
        updated_at: new Date().toISOString(),
      })
      .onConflict((oc) => oc.column('oa').doNothing())
      .execute();
    return this.pair();
  }

  /** An access token that is not about to expire. */
  async accessToken(): Promise<string> {
    const p = await this.pair();
    if (p.expiresAt - Date.now() > this.refreshEarlyMs) return p.accessToken;
    return (await this.refresh(p.accessToken)).accessToken;
  }

  /** Replace the pair, unless someone already replaced `staleAccessToken`. */
  refresh(staleAccessToken: string): Promise<TokenPair> {
    this.inflight ??= this.doRefresh(staleAccessToken).finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /** Someone already replaced the stale token with one that is not about to expire. */
  private replaced(current: TokenPair, stale: string): boolean {
    return current.accessToken !== stale && current.expiresAt - Date.now() > this.refreshEarlyMs;
  }

  private async doRefresh(stale: string): Promise<TokenPair> {
    if (dialectOf(this.db) === 'postgres') return this.refreshLocked(stale);
    const current = await this.pair();
    if (this.replaced(current, stale)) return current;
    const next = await this.client.refresh(current.refreshToken);
    const r = await this.db
      .updateTable('zalo_tokens')
      .set(pairColumns(next))
      .where('oa', '=', OA)
      .where('refresh_token', '=', current.refreshToken)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return this.pair(); // another process stored a newer pair first
    return next;
  }

  /** The refresh under the row lock: other replicas wait, then find the new pair. */
  private async refreshLocked(stale: string): Promise<TokenPair> {
    await this.pair(); // the row exists from here on
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('zalo_tokens')
        .selectAll()
        .where('oa', '=', OA)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const current = {
        accessToken: row.access_token,
        refreshToken: row.refresh_token,
        expiresAt: Number(row.expires_at),
      };
      if (this.replaced(current, stale)) return current;
      const next = await this.client.refresh(current.refreshToken);
      await trx.updateTable('zalo_tokens').set(pairColumns(next)).where('oa', '=', OA).execute();
      return next;
    });
  }
}

/** The columns of a token pair as stored. */
function pairColumns(pair: TokenPair): {
  access_token: string;
  refresh_token: string;
  expires_at: number;
  updated_at: string;
} {
  return {
    access_token: pair.accessToken,
    refresh_token: pair.refreshToken,
    expires_at: pair.expiresAt,
    updated_at: new Date().toISOString(),
  };
}
