/**
 * The console's login route as an attacker meets it: failures from one
 * address do not lock the agent out elsewhere, attempts are in the audit
 * log, and (behind a proxy) the address is the one the proxy saw.
 */
import type { RunningServer } from '../../../app/server';
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

describe('console login from another site', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({
      HOTLINE_ADMIN_USER: 'giamsat',
      HOTLINE_ADMIN_PASSWORD: 'mat-khau-giam-sat',
    });
  });
  afterAll(async () => server.close());

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${server.url}/hotline/api/login`, { method: 'POST', headers, body });
  const credentials = { username: 'giamsat', password: 'mat-khau-giam-sat' };

  it('refuses form-encoded and text bodies, which a form on any site can send', async () => {
    const form = await post('username=giamsat&password=mat-khau-giam-sat', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    expect(form.headers.get('set-cookie')).toBeNull();
    const text = await post(JSON.stringify(credentials), { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.headers.get('set-cookie')).toBeNull();
  });

  it("refuses JSON from another site's origin, takes it from the console's own", async () => {
    const json = { 'content-type': 'application/json' };
    const foreign = await post(JSON.stringify(credentials), { ...json, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('set-cookie')).toBeNull();
    expect((await post(JSON.stringify(credentials), { ...json, origin: 'null' })).status).toBe(403);
    const own = await post(JSON.stringify(credentials), { ...json, origin: server.url });
    expect(own.status).toBe(200);
  });
});
