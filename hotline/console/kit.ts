/**
 * What every route of the hotline console shares: the session cookie, the
 * error shape, the body parser and the session check. Kept apart so the
 * routes of staff, supervisors and the live feed each fit in a small module
 * and check a session the same way.
 */
import type { Request, Response } from 'restify';
import type { Logger } from '../../core/log';
import { csrfMatches, type Accounts, type Session } from '../domain/accounts';
import { TicketError, type HotlineDesk } from '../domain/desk';

export const COOKIE = 'hotline_session';

/** The value of one cookie of the request. */
export function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** The one error shape of the console's API: `{ error: { code, message } }`. */
export function fail(res: Response, status: number, code: string, message: string): void {
  res.send(status, { error: { code, message } });
}

/** The request's JSON body as an object; anything else reads as empty. */
export function body(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  if (typeof b === 'string') {
    try {
      return JSON.parse(b) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return b && typeof b === 'object' ? (b as Record<string, unknown>) : {};
}

export type Handler = (req: Request, res: Response, session: Session) => Promise<void>;

/** What the console lends its route modules: its session check, its error shape and its body parser. */
export interface RouteKit {
  authed(handler: Handler, write?: boolean): (req: Request, res: Response) => Promise<void>;
  fail(res: Response, status: number, code: string, message: string): void;
  body(req: Request): Record<string, unknown>;
  desk: HotlineDesk;
}

export function isSupervisor(s: Session): boolean {
  return s.agent.role === 'supervisor';
}

/**
 * The route kit of one console: `authed` runs a handler with the caller's
 * session (401 without one; writes also need the CSRF token, 403), turns a
 * TicketError into its status and anything else into a logged 500.
 */
export function routeKit(accounts: Accounts, desk: HotlineDesk, log: Logger): RouteKit {
  const authed =
    (handler: Handler, write = false) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        const session = await accounts.session(cookie(req, COOKIE));
        if (!session) return fail(res, 401, 'login_required', 'log in first');
        if (write && !csrfMatches(session.csrf, req.headers['x-csrf-token']))
          return fail(res, 403, 'csrf', 'missing or wrong X-CSRF-Token');
        await handler(req, res, session);
      } catch (e) {
        if (e instanceof TicketError) return fail(res, e.status, e.code, e.message);
        log.error('hotline request failed', { path: req.path(), error: (e as Error).message });
        fail(res, 500, 'internal', 'the request failed; try again');
      }
    };
  return { authed, fail, body, desk };
}
