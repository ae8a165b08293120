/**
 * The console's login route as an attacker meets it: failures from one
 * address do not lock the agent out elsewhere, attempts are in the audit
 * log, and (behind a proxy) the address is the one the proxy saw.
 */
import type { RunningServer } from '../../../bot/server';
import { startTestServer } from '../../support/server';

describe('console login', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({
      TRUST_PROXY: 'true',
      HOTLINE_ADMIN_USER: 'giamsat',
      HOTLINE_ADMIN_PASSWORD: 'mat-khau-giam-sat',
    });
    await server.accounts.add('lan', 'mat-khau-cua-lan', 'agent', 'Lan');
  });
  afterAll(async () => server.close());

  const login = (username: string, password: string, from: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/hotline/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from, ...headers },
      body: JSON.stringify({ username, password }),
    });

  it('lets the agent in from their own address while a stranger is refused for guessing', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login('lan', 'doan-mo-mat-khau', '203.0.113.9')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await login('lan', 'mat-khau-cua-lan', '10.1.2.3')).status).toBe(200);
    // The stranger stays refused, even with the right password.
    expect((await login('lan', 'mat-khau-cua-lan', '203.0.113.9')).status).toBe(429);
  });

  it('records failed and successful attempts with their address in the audit log', async () => {
    const rows = await server.db
      .selectFrom('hotline_audit')
      .select(['action', 'detail'])
      .where('action', 'in', ['login', 'login_failed'])
      .execute();
    expect(rows.filter((r) => r.action === 'login_failed')).toHaveLength(5);
    expect(rows).toContainEqual({ action: 'login_failed', detail: 'lan from 203.0.113.9' });
    expect(rows).toContainEqual({ action: 'login', detail: 'from 10.1.2.3' });
  });
});
