/**
 * The agents' work on tickets:
 *
 *   GET  /hotline/api/tickets?status=waiting|claimed|resolved|cancelled|open&q=&mine=1
 *   GET  /hotline/api/tickets/{code}            ticket, messages, and the bot conversation before it
 *   POST /hotline/api/tickets/{code}/claim
 *   POST /hotline/api/tickets/{code}/messages   {text}
 *   POST /hotline/api/tickets/{code}/transfer   {to}  (a username)
 *   POST /hotline/api/tickets/{code}/resolve    {category,note}
 *   GET  /hotline/api/kb?q=                     search the knowledge base for an answer to insert
 *
 * Agents see the queue and their own tickets; supervisors see everyone's.
 * What an agent does is told to the citizen through the relay; a failed
 * delivery is reported in the answer but the ticket change stands.
 */
import type { TFunction } from 'i18next';
import type { Request, Server } from 'restify';
import type { Logger } from '../../core/log';
import { ticketReply } from '../../core/reply';
import type { Records } from '../../storage/records';
import type { Accounts, Session } from '../domain/accounts';
import type { HotlineDesk, Ticket, TicketStatus } from '../domain/desk';
import type { Relay } from '../domain/relay';
import { isSupervisor, type RouteKit } from './kit';

const STATUSES = new Set(['waiting', 'claimed', 'resolved', 'cancelled', 'open']);
const MAX_TEXT = 4000;

export interface TicketRouteDeps {
  desk: HotlineDesk;
  accounts: Accounts;
  relay: Relay;
  records: Records;
  t: (language: 'vi' | 'en') => TFunction;
  searchKb: (q: string) => Array<{ id: string; title: string; text: string }>;
  log: Logger;
}

export interface TicketRouteOptions {
  /** The resolution categories statistics group by (HOTLINE_REPLIES_FILE). */
  categories: string[];
}

/** Agents may open waiting tickets and their own; supervisors anything. */
function mayView(s: Session, t: Ticket): boolean {
  return isSupervisor(s) || t.status === 'waiting' || t.agentId === s.agent.id;
}

function code(req: Request): string {
  return String(req.params?.code ?? '');
}

/** Seconds the citizen waited: until claimed, until resolved, or until now. */
function waitingSeconds(t: Ticket): number {
  const end = t.claimedAt ? Date.parse(t.claimedAt) : t.resolvedAt ? Date.parse(t.resolvedAt) : Date.now();
  return Math.round((end - Date.parse(t.createdAt)) / 1000);
}

/** Tickets as the console shows them, with agents' names looked up once and remembered. */
export class TicketViews {
  private readonly names = new Map<number, string>();

  constructor(private readonly accounts: Accounts) {}

  async nameOf(id: number | null): Promise<string> {
    if (id === null) return '';
    if (!this.names.has(id)) for (const a of await this.accounts.list()) this.names.set(a.id, a.name);
    return this.names.get(id) ?? `#${id}`;
  }

  async view(t: Ticket): Promise<Record<string, unknown>> {
    return {
      code: t.code,
      channel: t.channel,
      status: t.status,
      mode: t.mode,
      reason: t.reason,
      subject: t.subject,
      language: t.language,
      agent: t.agentId === null ? null : { id: t.agentId, name: await this.nameOf(t.agentId) },
      callbackPhone: t.callbackPhone,
      category: t.category,
      note: t.note,
      rating: t.rating,
      createdAt: t.createdAt,
      claimedAt: t.claimedAt,
      resolvedAt: t.resolvedAt,
      waitingSeconds: waitingSeconds(t),
    };
  }
}

/** The routes that read tickets: the queue, one ticket with its history, and the knowledge search. */
function mountReads(server: Server, kit: RouteKit, deps: TicketRouteDeps, views: TicketViews): void {
  const { desk } = deps;
  server.get(
    '/hotline/api/tickets',
    kit.authed(async (req, res, s) => {
      const q = req.query as Record<string, string | undefined>;
      const status = (q.status ?? 'open') as TicketStatus | 'open';
      if (!STATUSES.has(status))
        return kit.fail(res, 400, 'bad_status', 'status: waiting, claimed, resolved, cancelled or open');
      const mine = q.mine === '1' || (!isSupervisor(s) && status !== 'waiting');
      const tickets = await desk.list({
        status,
        agentId: mine ? s.agent.id : undefined,
        q: q.q?.slice(0, 100),
        limit: 200,
      });
      res.send(200, { tickets: await Promise.all(tickets.map((t) => views.view(t))) });
    }),
  );

  server.get(
    '/hotline/api/tickets/:code',
    kit.authed(async (req, res, s) => {
      const ticket = await desk.get(code(req));
      if (!mayView(s, ticket)) return kit.fail(res, 403, 'not_yours', 'this ticket is held by another agent');
      const transcript = (await deps.records.transcript(ticket.conversationId)).filter(
        (l) => l.created_at <= ticket.createdAt,
      );
      const messages = await desk.messages(ticket);
      res.send(200, {
        ticket: await views.view(ticket),
        transcript,
        messages: await Promise.all(
          messages.map(async (m) => ({
            ...m,
            agentName: m.agentId === null ? null : await views.nameOf(m.agentId),
          })),
        ),
      });
    }),
  );

  server.get(
    '/hotline/api/kb',
    kit.authed(async (req, res) => {
      const q = String((req.query as Record<string, unknown>).q ?? '').slice(0, 300);
      res.send(200, { results: q.trim() ? deps.searchKb(q) : [] });
    }),
  );
}

type Tell = (ticket: Ticket, text: string, buttons?: string[]) => Promise<boolean>;

/** Tell the citizen; a failed delivery is logged and reported, the ticket change stands. */
function teller(deps: TicketRouteDeps): Tell {
  return async (ticket, text, buttons = []) => {
    try {
      return await deps.relay.deliver(ticket, ticketReply(ticket.language, text, buttons));
    } catch (e) {
      deps.log.error('hotline delivery failed', { ticket: ticket.code, error: (e as Error).message });
      return false;
    }
  };
}

/** The routes by which an agent talks to the citizen: claim (the citizen is told who joined) and answer. */
function mountConversation(
  server: Server,
  kit: RouteKit,
  deps: TicketRouteDeps,
  views: TicketViews,
  tell: Tell,
): void {
  const { desk } = deps;
  server.post(
    '/hotline/api/tickets/:code/claim',
    kit.authed(async (req, res, s) => {
      const ticket = await desk.claim(code(req), s.agent.id);
      const said = deps.t(ticket.language)('handoffDesk.agentJoined', {
        name: s.agent.name,
        code: ticket.code,
      });
      const delivered = await tell(ticket, said);
      res.send(200, { ticket: await views.view(ticket), delivered });
    }, true),
  );

  server.post(
    '/hotline/api/tickets/:code/messages',
    kit.authed(async (req, res, s) => {
      const text = String(kit.body(req).text ?? '').trim();
      if (!text) return kit.fail(res, 400, 'empty', 'text is required');
      if (text.length > MAX_TEXT) return kit.fail(res, 413, 'too_long', `at most ${MAX_TEXT} characters`);
      const { ticket, message } = await desk.agentMessage(code(req), s.agent.id, text, isSupervisor(s));
      const said = deps.t(ticket.language)('handoffDesk.agentSays', {
        name: s.agent.name,
        text,
        interpolation: { escapeValue: false },
      });
      res.send(200, { message, delivered: await tell(ticket, said) });
    }, true),
  );
}

/** The routes that end an agent's hold: transfer to another agent, resolve with a category. */
function mountHandover(
  server: Server,
  kit: RouteKit,
  deps: TicketRouteDeps,
  views: TicketViews,
  options: TicketRouteOptions,
  tell: Tell,
): void {
  const { desk, accounts } = deps;
  server.post(
    '/hotline/api/tickets/:code/transfer',
    kit.authed(async (req, res, s) => {
      const to = String(kit.body(req).to ?? '').toLowerCase();
      const target = (await accounts.list()).find((a) => a.username === to);
      if (!target) return kit.fail(res, 400, 'no_agent', `no agent ${to}`);
      const ticket = await desk.transfer(code(req), s.agent.id, target.id, isSupervisor(s));
      res.send(200, { ticket: await views.view(ticket) });
    }, true),
  );

  server.post(
    '/hotline/api/tickets/:code/resolve',
    kit.authed(async (req, res, s) => {
      const b = kit.body(req);
      const category = String(b.category ?? '').trim();
      const note = String(b.note ?? '')
        .trim()
        .slice(0, MAX_TEXT);
      if (!category) return kit.fail(res, 400, 'no_category', 'category is required');
      // Statistics group tickets by category: only the configured ones (HOTLINE_REPLIES_FILE) count.
      if (!options.categories.includes(category))
        return kit.fail(
          res,
          400,
          'bad_category',
          `category must be one of: ${options.categories.join('; ')}`,
        );
      const ticket = await desk.resolve(code(req), s.agent.id, category, note, isSupervisor(s));
      const said = deps.t(ticket.language)('handoffDesk.ticketResolved', { code: ticket.code });
      const delivered = await tell(ticket, said, ['1', '2', '3', '4', '5']);
      res.send(200, { ticket: await views.view(ticket), delivered });
    }, true),
  );
}

export function mountTicketRoutes(
  server: Server,
  kit: RouteKit,
  deps: TicketRouteDeps,
  options: TicketRouteOptions,
): void {
  const views = new TicketViews(deps.accounts);
  mountReads(server, kit, deps, views);
  const tell = teller(deps);
  mountConversation(server, kit, deps, views, tell);
  mountHandover(server, kit, deps, views, options, tell);
}
