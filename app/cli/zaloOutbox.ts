/**
 * `npm run zalo:outbox [-- --all]`: what could not be delivered to Zalo,
 * with the reason, for operators. Pending messages are retried by the
 * server every ZALO_OUTBOX_RETRY_MS and when the citizen writes again;
 * "dead" ones cannot succeed (the citizen unfollowed, a bad payload);
 * "sending" ones are being sent by a replica right now.
 */
import { loadConfig } from '../config';
import { openDatabase } from '../../storage/database';

async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config.database, config.migrations);
  try {
    let q = db.selectFrom('zalo_outbox').selectAll().orderBy('id', 'desc').limit(200);
    if (!process.argv.includes('--all')) q = q.where('status', '!=', 'delivered');
    const rows = await q.execute();
    if (rows.length === 0) {
      console.log('zalo outbox: empty');
      return;
    }
    console.log('id\tstatus\tattempts\tuser\tcreated\treason\ttext');
    for (const r of rows) {
      const text = ((JSON.parse(r.body) as { message?: { text?: string } }).message?.text ?? '')
        .replace(/\s+/g, ' ')
        .slice(0, 60);
      console.log([r.id, r.status, r.attempts, r.user_id, r.created_at, r.reason, text].join('\t'));
    }
  } finally {
    await db.destroy();
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
