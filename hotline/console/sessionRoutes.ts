/**
 * Logging in and out of the hotline console, and who is logged in:
 *
 *   POST /hotline/api/login    {username,password} → session cookie + CSRF token
 *   POST /hotline/api/logout
 *   GET  /hotline/api/me       who is logged in, CSRF token, agents, canned replies
 */
import type { Request, Response, Server } from 'restify';
import { clientAddress } from '../../core/clientAddress';
import { isJsonRequest } from '../../core/contentType';
import type { Logger } from '../../core/log';
import type { Accounts } from '../domain/accounts';
import type { HotlineDesk } from '../domain/desk';
import { body, COOKIE, cookie, fail, type RouteKit } from './kit';
import type { LoginThrottle } from './loginThrottle';

export interface SessionRouteOptions {
  /** Set the cookie's Secure flag (when served over https). */
  secureCookie: boolean;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy). */
  trustProxy: boolean;
  /** The public base URL (PUBLIC_URL), whose host the login accepts as an Origin besides the Host header's. */
  publicUrl?: string;
  cannedReplies: string[];
  categories: string[];
  longWaitMinutes: number;
}

export interface SessionRouteDeps {
  accounts: Accounts;
  desk: HotlineDesk;
  throttle: LoginThrottle;
  log: Logger;
}

/**
 * Whether a login request comes from the console page itself. A session
 * cookie is not needed to log in, so the CSRF token cannot protect this
 * route: a form on another site could log the agent's browser into an
 * account of the attacker's choosing. A form can only send form-encoded or
 * text bodies, and a cross-site fetch of JSON carries the other site's
 * Origin, so the route takes JSON only, from this server's origin.
 */
function loginRefusal(req: Request, publicUrl: string | undefined): [number, string, string] | undefined {
  if (!isJsonRequest(req)) return [415, 'json_only', 'send the login as application/json'];
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = '';
  }
  const allowed = [req.headers.host, publicUrl && new URL(publicUrl).host].filter(Boolean);
  return host && allowed.includes(host) ? undefined : [403, 'origin', 'log in from the console page'];
}

/** Check the password (throttled per name and address), audit the attempt and set the session cookie. */
async function login(
  req: Request,
  res: Response,
  deps: SessionRouteDeps,
  options: SessionRouteOptions,
): Promise<void> {
  const { accounts, desk, throttle, log } = deps;
  const refusal = loginRefusal(req, options.publicUrl);
  if (refusal) return fail(res, ...refusal);
  const b = body(req);
  const username = typeof b.username === 'string' ? b.username.trim().toLowerCase() : '';
  const password = typeof b.password === 'string' ? b.password : '';
  const address = clientAddress(req, options.trustProxy);
  if (!username || !password) return fail(res, 400, 'bad_request', 'username and password are required');
  const wait = await throttle.wait(username, address);
  if (wait > 0) {
    log.warn('hotline login refused: too many failures', { username, address });
    res.header('retry-after', String(Math.ceil(wait / 1000)));
    return fail(res, 429, 'rate_limited', 'too many failed logins from this address; wait and try again');
  }
  const result = await accounts.login(username, password);
  if (!result) {
    await throttle.failed(username, address);
    log.warn('hotline login failed', { username, address });
    await desk.audit(null, 'login_failed', null, `${username.slice(0, 64)} from ${address}`);
    return fail(res, 401, 'bad_credentials', 'wrong username or password');
  }
  await throttle.succeeded(username, address);
  await desk.audit(result.session.agent.id, 'login', null, `from ${address}`);
  const maxAge = Math.floor((result.session.expiresAt - Date.now()) / 1000);
  res.header(
    'set-cookie',
    `${COOKIE}=${result.token}; Path=/hotline; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${options.secureCookie ? '; Secure' : ''}`,
  );
  res.send(200, { agent: result.session.agent, csrf: result.session.csrf });
}

export function mountSessionRoutes(
  server: Server,
  kit: RouteKit,
  deps: SessionRouteDeps,
  options: SessionRouteOptions,
): void {
  const { accounts, desk, log } = deps;
  server.post('/hotline/api/login', async (req: Request, res: Response) => {
    try {
      await login(req, res, deps, options);
    } catch (e) {
      log.error('hotline login error', { error: (e as Error).message });
      fail(res, 500, 'internal', 'login failed; try again');
    }
  });

  server.post(
    '/hotline/api/logout',
    kit.authed(async (req, res) => {
      const token = cookie(req, COOKIE);
      if (token) await accounts.logout(token);
      res.header('set-cookie', `${COOKIE}=; Path=/hotline; HttpOnly; SameSite=Strict; Max-Age=0`);
      res.send(200, { ok: true });
    }, true),
  );

  server.get(
    '/hotline/api/me',
    kit.authed(async (_req, res, s) => {
      res.send(200, {
        agent: s.agent,
        csrf: s.csrf,
        agents: (await accounts.list()).map((a) => ({ username: a.username, name: a.name, role: a.role })),
        cannedReplies: options.cannedReplies,
        categories: options.categories,
        longWaitMinutes: options.longWaitMinutes,
        hoursOpen: desk.hours.isOpen(),
      });
    }),
  );
}
