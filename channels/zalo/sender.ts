/**
 * Delivering messages to Zalo reliably: refresh and retry once when the
 * token is refused, back off and retry on network errors, 5xx and floods,
 * never retry what cannot succeed, and put anything undelivered in the
 * outbox with the reason, to be retried when it can succeed (transient
 * failures by a timer, "outside the interaction window" when the citizen
 * writes again).
 */
import type { Logger } from '../../core/log';
import type { Database } from '../../storage/database';
import { maskFields, maskPersonalData } from '../../core/mask';
import { WAIT_FOR_USER, ZaloApiError, type CsMessage, type ZaloClient } from './client';
import type { ZaloTokens } from './tokens';

export type SendResult = 'sent' | 'outbox';

/** A message claimed for sending this long ago was abandoned (its replica stopped). */
const SENDING_STALE_MS = 10 * 60_000;

export class ZaloSender {
  constructor(
    private readonly db: Database,
    private readonly client: ZaloClient,
    private readonly tokens: ZaloTokens,
    private readonly log: Logger,
    /** Waits between attempts on transient failures, ms. */
    private readonly delays: number[] = [500, 2000, 5000],
  ) {}

  async send(body: CsMessage): Promise<SendResult> {
    const userId = body.recipient.user_id;
    if (await this.unfollowed(userId)) {
      await this.toOutbox(body, 'the citizen unfollowed the OA', false);
      return 'outbox';
    }
    const failure = await this.attempt(body);
    if (!failure) return 'sent';
    const retryable = failure.failure === 'transient' || WAIT_FOR_USER.has(failure.code);
    if (failure.code === -213) await this.setUnfollowed(userId, true);
    this.log.warn('zalo message not delivered', {
      user: userId,
      code: failure.code,
      reason: failure.message,
      retryable,
    });
    await this.toOutbox(body, failure.message, retryable);
    return 'outbox';
  }

  /** Try to deliver; the error that stopped it, or undefined when delivered. */
  private async attempt(body: CsMessage): Promise<ZaloApiError | undefined> {
    let refreshed = false;
    for (let i = 0; ; i++) {
      const token = await this.tokens.accessToken();
      try {
        await this.client.sendCs(token, body);
        return undefined;
      } catch (e) {
        if (!(e instanceof ZaloApiError)) throw e;
        if (e.failure === 'token' && !refreshed) {
          refreshed = true;
          try {
            await this.tokens.refresh(token);
          } catch (r) {
            this.log.error('zalo token refresh failed: the OA admin must authorise the app again', {
              error: (r as Error).message,
            });
            return r instanceof ZaloApiError ? r : e;
          }
          i--;
          continue;
        }
        if (e.failure === 'transient' && i < this.delays.length) {
          await new Promise((r) => setTimeout(r, this.delays[i]));
          continue;
        }
        return e;
      }
    }
  }

  private async toOutbox(body: CsMessage, reason: string, retryable: boolean): Promise<void> {
    const now = new Date().toISOString();
    await this.db
      .insertInto('zalo_outbox')
      .values({
        user_id: body.recipient.user_id,
        body: JSON.stringify(maskFields(body)),
        reason: maskPersonalData(reason),
        retryable: retryable ? 1 : 0,
        attempts: 1,
        status: retryable ? 'pending' : 'dead',
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  /**
   * Retry pending outbox messages (of one citizen, or all), oldest first, in
   * order per citizen. Each message is claimed first (pending → sending, a
   * conditional update), so that two flushes, on one replica or two, never
   * send it twice; a citizen whose message another flush holds is left to
   * that flush. A claim older than SENDING_STALE_MS (its replica died
   * mid-send) is given back.
   */
  async flush(userId?: string): Promise<{ delivered: number; failed: number }> {
    await this.db
      .updateTable('zalo_outbox')
      .set({ status: 'pending' })
      .where('status', '=', 'sending')
      .where('updated_at', '<', new Date(Date.now() - SENDING_STALE_MS).toISOString())
      .execute();
    let q = this.db.selectFrom('zalo_outbox').selectAll().where('status', '=', 'pending');
    if (userId) q = q.where('user_id', '=', userId);
    const rows = await q.orderBy('id').execute();
    let delivered = 0;
    let failed = 0;
    const blocked = new Set<string>();
    for (const row of rows) {
      if (blocked.has(row.user_id)) continue;
      const claim = await this.db
        .updateTable('zalo_outbox')
        .set({ status: 'sending', updated_at: new Date().toISOString() })
        .where('id', '=', row.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(claim.numUpdatedRows) !== 1) {
        blocked.add(row.user_id);
        continue;
      }
      let failure: ZaloApiError | undefined;
      try {
        failure = await this.attempt(JSON.parse(row.body) as CsMessage);
      } catch (e) {
        await this.db
          .updateTable('zalo_outbox')
          .set({ status: 'pending', updated_at: new Date().toISOString() })
          .where('id', '=', row.id)
          .execute();
        throw e;
      }
      const now = new Date().toISOString();
      if (!failure) {
        delivered++;
        await this.db
          .updateTable('zalo_outbox')
          .set({ status: 'delivered', attempts: row.attempts + 1, updated_at: now })
          .where('id', '=', row.id)
          .execute();
      } else {
        failed++;
        blocked.add(row.user_id); // keep the citizen's messages in order
        const retryable = failure.failure === 'transient' || WAIT_FOR_USER.has(failure.code);
        await this.db
          .updateTable('zalo_outbox')
          .set({
            status: retryable ? 'pending' : 'dead',
            reason: failure.message,
            attempts: row.attempts + 1,
            updated_at: now,
          })
          .where('id', '=', row.id)
          .execute();
      }
    }
    return { delivered, failed };
  }

  async unfollowed(userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('zalo_users')
      .select('unfollowed')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.unfollowed === 1;
  }

  async setUnfollowed(userId: string, value: boolean): Promise<void> {
    const now = new Date().toISOString();
    if (!value) {
      // The common case (a citizen who never unfollowed) writes nothing.
      await this.db
        .updateTable('zalo_users')
        .set({ unfollowed: 0, updated_at: now })
        .where('user_id', '=', userId)
        .where('unfollowed', '=', 1)
        .execute();
      return;
    }
    await this.db
      .insertInto('zalo_users')
      .values({ user_id: userId, unfollowed: value ? 1 : 0, updated_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ unfollowed: value ? 1 : 0, updated_at: now }))
      .execute();
  }
}
