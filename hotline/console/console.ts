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
import type { Logger } from '../../core/log';
import { clientAddress } from '../../core/clientAddress';
import { isJsonRequest } from '../../core/contentType';
import { projectRoot } from '../../core/paths';
import { ticketReply } from '../../core/reply';
import type { Records } from '../../storage/records';
import { Accounts, csrfMatches, type Session } from '../domain/accounts';
import type { ThrottleStore } from '../../storage/throttle';
import { LoginThrottle } from './loginThrottle';
import {
  TicketError,
  type DeskEvent,
  type HotlineDesk,
  type Ticket,
  type TicketStatus,
} from '../domain/desk';
import { mountInsight, type InsightDeps } from './insightRoutes';
import type { Relay } from '../domain/relay';
import type { TFunction } from 'i18next';

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

export interface HotlineDeps {
  desk: HotlineDesk;
  accounts: Accounts;
  relay: Relay;
  records: Records;
  t: (language: 'vi' | 'en') => TFunction;
  searchKb: (q: string) => Array<{ id: string; title: string; text: string }>;
  log: Logger;
  /** Where login failures are counted (shared by replicas on PostgreSQL); default this process. */
  throttles?: ThrottleStore;
  /** The supervisor's dashboard and inbox. */
  insight: InsightDeps;
}

export interface HotlineConsole {
  close(): void;
}

const COOKIE = 'hotline_session';
const PUBLIC_DIR = join(projectRoot(), 'hotline', 'console', 'public');
const STATUSES = new Set(['waiting', 'claimed', 'resolved', 'cancelled', 'open']);
const MAX_TEXT = 4000;

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function fail(res: Response, status: number, code: string, message: string): void {
  res.send(status, { error: { code, message } });
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

function body(req: Request): Record<string, unknown> {
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

export function mountHotline(
  server: Server,
  deps: HotlineDeps,
  options: HotlineConsoleOptions,
): HotlineConsole {
  const { desk, accounts, relay, log } = deps;
  const throttle = new LoginThrottle({ perMinute: options.loginsPerMinute, store: deps.throttles });
  const streams = new Set<{ close(): void }>();
  // The page's files are small and fixed: read once, served from memory.
  const page = (file: string, type: string) => {
    const body = readFileSync(join(PUBLIC_DIR, file));
    return async (_req: Request, res: Response) => {
      res.writeHead(200, {
        'content-type': `${type}; charset=utf-8`,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'content-security-policy':
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
      });
      res.end(body);
    };
  };
  server.get('/hotline', page('index.html', 'text/html'));
  server.get('/hotline/console.js', page('console.js', 'text/javascript'));
  server.get('/hotline/console.css', page('console.css', 'text/css'));
  server.get('/hotline/insight.js', page('insight.js', 'text/javascript'));

  const agentName = new Map<number, string>();
  const nameOf = async (id: number | null): Promise<string> => {
    if (id === null) return '';
    if (!agentName.has(id)) for (const a of await accounts.list()) agentName.set(a.id, a.name);
    return agentName.get(id) ?? `#${id}`;
  };
  const view = async (t: Ticket): Promise<Record<string, unknown>> => ({
    code: t.code,
    channel: t.channel,
    status: t.status,
    mode: t.mode,
    reason: t.reason,
    subject: t.subject,
    language: t.language,
    agent: t.agentId === null ? null : { id: t.agentId, name: await nameOf(t.agentId) },
    callbackPhone: t.callbackPhone,
    category: t.category,
    note: t.note,
    rating: t.rating,
    createdAt: t.createdAt,
    claimedAt: t.claimedAt,
    resolvedAt: t.resolvedAt,
    waitingSeconds: Math.round(
      ((t.claimedAt ? Date.parse(t.claimedAt) : t.resolvedAt ? Date.parse(t.resolvedAt) : Date.now()) -
        Date.parse(t.createdAt)) /
        1000,
    ),
  });

  type Handler = (req: Request, res: Response, session: Session) => Promise<void>;
  /** Authenticated route; writes also check the CSRF token. */
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
  const supervisor = (s: Session): boolean => s.agent.role === 'supervisor';
  /** Agents may open waiting tickets and their own; supervisors anything. */
  const mayView = (s: Session, t: Ticket): boolean =>
    supervisor(s) || t.status === 'waiting' || t.agentId === s.agent.id;
  const code = (req: Request): string => String(req.params?.code ?? '');

  server.post('/hotline/api/login', async (req: Request, res: Response) => {
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
    try {
      const login = await accounts.login(username, password);
      if (!login) {
        await throttle.failed(username, address);
        log.warn('hotline login failed', { username, address });
        await desk.audit(null, 'login_failed', null, `${username.slice(0, 64)} from ${address}`);
        return fail(res, 401, 'bad_credentials', 'wrong username or password');
      }
      await throttle.succeeded(username, address);
      await desk.audit(login.session.agent.id, 'login', null, `from ${address}`);
      const maxAge = Math.floor((login.session.expiresAt - Date.now()) / 1000);
      res.header(
        'set-cookie',
        `${COOKIE}=${login.token}; Path=/hotline; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${options.secureCookie ? '; Secure' : ''}`,
      );
      res.send(200, { agent: login.session.agent, csrf: login.session.csrf });
    } catch (e) {
      log.error('hotline login error', { error: (e as Error).message });
      fail(res, 500, 'internal', 'login failed; try again');
    }
  });

  server.post(
    '/hotline/api/logout',
    authed(async (req, res) => {
      const token = cookie(req, COOKIE);
      if (token) await accounts.logout(token);
      res.header('set-cookie', `${COOKIE}=; Path=/hotline; HttpOnly; SameSite=Strict; Max-Age=0`);
      res.send(200, { ok: true });
    }, true),
  );

  server.get(
    '/hotline/api/me',
    authed(async (_req, res, s) => {
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

  server.get(
    '/hotline/api/tickets',
    authed(async (req, res, s) => {
      const q = req.query as Record<string, string | undefined>;
      const status = (q.status ?? 'open') as TicketStatus | 'open';
      if (!STATUSES.has(status))
        return fail(res, 400, 'bad_status', 'status: waiting, claimed, resolved, cancelled or open');
      const mine = q.mine === '1' || (!supervisor(s) && status !== 'waiting');
      const tickets = await desk.list({
        status,
        agentId: mine ? s.agent.id : undefined,
        q: q.q?.slice(0, 100),
        limit: 200,
      });
      res.send(200, { tickets: await Promise.all(tickets.map(view)) });
    }),
  );

  server.get(
    '/hotline/api/tickets/:code',
    authed(async (req, res, s) => {
      const ticket = await desk.get(code(req));
      if (!mayView(s, ticket)) return fail(res, 403, 'not_yours', 'this ticket is held by another agent');
      const transcript = (await deps.records.transcript(ticket.conversationId)).filter(
        (l) => l.created_at <= ticket.createdAt,
      );
      const messages = await desk.messages(ticket);
      res.send(200, {
        ticket: await view(ticket),
        transcript,
        messages: await Promise.all(
          messages.map(async (m) => ({
            ...m,
            agentName: m.agentId === null ? null : await nameOf(m.agentId),
          })),
        ),
      });
    }),
  );

  /** Tell the citizen; a failed delivery is logged and reported, the ticket change stands. */
  const tell = async (ticket: Ticket, text: string, buttons: string[] = []): Promise<boolean> => {
    try {
      return await relay.deliver(ticket, ticketReply(ticket.language, text, buttons));
    } catch (e) {
      log.error('hotline delivery failed', { ticket: ticket.code, error: (e as Error).message });
      return false;
    }
  };

  server.post(
    '/hotline/api/tickets/:code/claim',
    authed(async (req, res, s) => {
      const ticket = await desk.claim(code(req), s.agent.id);
      const delivered = await tell(
        ticket,
        deps.t(ticket.language)('handoffDesk.agentJoined', { name: s.agent.name, code: ticket.code }),
      );
      res.send(200, { ticket: await view(ticket), delivered });
    }, true),
  );

  server.post(
    '/hotline/api/tickets/:code/messages',
    authed(async (req, res, s) => {
      const text = String(body(req).text ?? '').trim();
      if (!text) return fail(res, 400, 'empty', 'text is required');
      if (text.length > MAX_TEXT) return fail(res, 413, 'too_long', `at most ${MAX_TEXT} characters`);
      const { ticket, message } = await desk.agentMessage(code(req), s.agent.id, text, supervisor(s));
      const delivered = await tell(
        ticket,
        deps.t(ticket.language)('handoffDesk.agentSays', {
          name: s.agent.name,
          text,
          interpolation: { escapeValue: false },
        }),
      );
      res.send(200, { message, delivered });
    }, true),
  );

  server.post(
    '/hotline/api/tickets/:code/transfer',
    authed(async (req, res, s) => {
      const to = String(body(req).to ?? '').toLowerCase();
      const target = (await accounts.list()).find((a) => a.username === to);
      if (!target) return fail(res, 400, 'no_agent', `no agent ${to}`);
      const ticket = await desk.transfer(code(req), s.agent.id, target.id, supervisor(s));
      res.send(200, { ticket: await view(ticket) });
    }, true),
  );

  server.post(
    '/hotline/api/tickets/:code/resolve',
    authed(async (req, res, s) => {
      const b = body(req);
      const category = String(b.category ?? '').trim();
      const note = String(b.note ?? '')
        .trim()
        .slice(0, MAX_TEXT);
      if (!category) return fail(res, 400, 'no_category', 'category is required');
      // Statistics group tickets by category: only the configured ones (HOTLINE_REPLIES_FILE) count.
      if (!options.categories.includes(category))
        return fail(res, 400, 'bad_category', `category must be one of: ${options.categories.join('; ')}`);
      const ticket = await desk.resolve(code(req), s.agent.id, category, note, supervisor(s));
      const delivered = await tell(
        ticket,
        deps.t(ticket.language)('handoffDesk.ticketResolved', { code: ticket.code }),
        ['1', '2', '3', '4', '5'],
      );
      res.send(200, { ticket: await view(ticket), delivered });
    }, true),
  );

  server.get(
    '/hotline/api/kb',
    authed(async (req, res) => {
      const q = String((req.query as Record<string, unknown>).q ?? '').slice(0, 300);
      res.send(200, { results: q.trim() ? deps.searchKb(q) : [] });
    }),
  );

  mountInsight(server, deps.insight, { authed, fail, body, desk });

  server.get(
    '/hotline/api/audit',
    authed(async (_req, res, s) => {
      if (!supervisor(s)) return fail(res, 403, 'supervisors_only', 'the audit log is for supervisors');
      const rows = await desk.db
        .selectFrom('hotline_audit')
        .leftJoin('hotline_agents', 'hotline_agents.id', 'hotline_audit.agent_id')
        .select([
          'hotline_audit.id',
          'action',
          'ticket_code',
          'detail',
          'hotline_audit.created_at',
          'username',
        ])
        .orderBy('hotline_audit.id', 'desc')
        .limit(500)
        .execute();
      res.send(200, { audit: rows });
    }),
  );

  server.get(
    '/hotline/api/events',
    authed(async (req, res, s) => {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 3000\n\n`);
      const visible = (e: DeskEvent): boolean =>
        supervisor(s) ||
        e.type === 'opened' ||
        e.status === 'waiting' ||
        e.agentId === s.agent.id ||
        e.fromAgentId === s.agent.id;
      const off = desk.onEvent((e) => {
        if (visible(e)) res.write(`event: ticket\ndata: ${JSON.stringify(e)}\n\n`);
      });
      const ping = setInterval(() => res.write(`: ping\n\n`), 20_000);
      const stream = {
        close: () => {
          off();
          clearInterval(ping);
          res.end();
        },
      };
      streams.add(stream);
      req.on('close', () => {
        off();
        clearInterval(ping);
        streams.delete(stream);
      });
    }),
  );

  return {
    close: () => {
      for (const s of streams) s.close();
      streams.clear();
    },
  };
}
