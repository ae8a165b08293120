/**
 * The hotline staff console and its JSON API, mounted on the main server:
 *
 *   GET  /hotline                               the console page (Vietnamese)
 *   POST /hotline/api/login                     {username,password} → session cookie + CSRF token
 *   POST /hotline/api/logout
 *   GET  /hotline/api/me                        who is logged in, CSRF token, agents, canned replies
 *   GET  /hotline/api/tickets?status=waiting|claimed|resolved|cancelled|open&q=&mine=1
 *   GET  /hotline/api/tickets/{code}            ticket, messages, and the bot conversation before it
 *   POST /hotline/api/tickets/{code}/claim
 *   POST /hotline/api/tickets/{code}/messages   {text}
 *   POST /hotline/api/tickets/{code}/transfer   {to}  (a username)
 *   POST /hotline/api/tickets/{code}/resolve    {category,note}
 *   GET  /hotline/api/kb?q=                     search the knowledge base for an answer to insert
 *   GET  /hotline/api/stats                     supervisors: the dashboard's figures (insightRoutes.ts)
 *   …/unanswered, /top, /kb/…                   supervisors: the inbox and the knowledge base (insightRoutes.ts)
 *   GET  /hotline/api/audit                     supervisors: who claimed, answered, resolved
 *   GET  /hotline/api/events                    Server-Sent Events of ticket changes
 *
 * Writes need the session cookie (httpOnly, SameSite=Strict) and the
 * session's CSRF token in `X-CSRF-Token`. Agents see the queue and their own
 * tickets; supervisors see everyone's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Request, Response, Server } from 'restify';
import { projectRoot } from '../../core/paths';
import type { ThrottleStore } from '../../storage/throttle';
import { mountFeedRoutes } from './feedRoutes';
import { mountInsight, type InsightDeps } from './insightRoutes';
import { routeKit } from './kit';
import { LoginThrottle } from './loginThrottle';
import { mountSessionRoutes } from './sessionRoutes';
import { mountTicketRoutes, type TicketRouteDeps } from './ticketRoutes';

export interface HotlineConsoleOptions {
  /** Minutes of waiting after which a ticket is highlighted. */
  longWaitMinutes: number;
  /** Set the cookie's Secure flag (when served over https). */
  secureCookie: boolean;
  cannedReplies: string[];
  categories: string[];
  loginsPerMinute: number;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy). */
  trustProxy: boolean;
  /** The public base URL (PUBLIC_URL), whose host the login accepts as an Origin besides the Host header's. */
  publicUrl?: string;
}

/** What the console needs: what its ticket routes need, the login throttle's store and the supervisor's views. */
export interface HotlineDeps extends TicketRouteDeps {
  /** Where login failures are counted (shared by replicas on PostgreSQL); default this process. */
  throttles?: ThrottleStore;
  /** The supervisor's dashboard and inbox. */
  insight: InsightDeps;
}

export interface HotlineConsole {
  close(): void;
}

const PUBLIC_DIR = join(projectRoot(), 'hotline', 'console', 'public');
const PAGE_SECURITY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/** The console page's files: small and fixed, so read once and served from memory. */
function mountPages(server: Server): void {
  const page = (file: string, type: string) => {
    const content = readFileSync(join(PUBLIC_DIR, file));
    return async (_req: Request, res: Response) => {
      res.writeHead(200, {
        'content-type': `${type}; charset=utf-8`,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'content-security-policy': PAGE_SECURITY,
      });
      res.end(content);
    };
  };
  server.get('/hotline', page('index.html', 'text/html'));
  server.get('/hotline/console.js', page('console.js', 'text/javascript'));
  server.get('/hotline/console.css', page('console.css', 'text/css'));
  server.get('/hotline/insight.js', page('insight.js', 'text/javascript'));
}

/** Mount the console: its page, the staff's sessions and tickets, the supervisors' views and the live feed. */
export function mountHotline(
  server: Server,
  deps: HotlineDeps,
  options: HotlineConsoleOptions,
): HotlineConsole {
  const { desk, accounts, log } = deps;
  const kit = routeKit(accounts, desk, log);
  const throttle = new LoginThrottle({ perMinute: options.loginsPerMinute, store: deps.throttles });
  mountPages(server);
  mountSessionRoutes(server, kit, { accounts, desk, throttle, log }, options);
  mountTicketRoutes(server, kit, deps, options);
  mountInsight(server, deps.insight, kit);
  return mountFeedRoutes(server, kit, desk);
}
