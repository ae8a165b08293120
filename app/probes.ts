/**
 * `/healthz` (the process answers) and `/readyz`: ready only once every
 * enabled channel's routes are mounted and the database answers; back to
 * 503 `draining` on shutdown, before anything closes, so a load balancer
 * stops sending citizens here while the requests in progress finish.
 */
import { sql } from 'kysely';
import type { Server } from 'restify';
import type { Database } from '../storage/database';

export type Readiness = 'starting' | 'ready' | 'draining';

export function mountProbes(server: Server, db: Database): { set(state: Readiness): void } {
  let state: Readiness = 'starting';
  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });
  server.get('/readyz', async (_req, res) => {
    if (state !== 'ready') {
      res.header('Retry-After', '5');
      res.send(503, { status: state });
      return;
    }
    try {
      await sql`select 1`.execute(db);
      res.send(200, { status: 'ready' });
    } catch (e) {
      res.send(503, { status: 'unavailable', error: (e as Error).message });
    }
  });
  return { set: (next) => (state = next) };
}
