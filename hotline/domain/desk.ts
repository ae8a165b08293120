/**
 * The 1022 hotline desk: the life cycle of hand-off tickets, kept in the
 * database so any replica can serve the citizen or the agent.
 *
 *   waiting ──claim──▶ claimed ──resolve──▶ resolved (then the citizen rates 1–5)
 *      │                  │ └─transfer─▶ claimed (another agent)
 *      └──────cancel──────┴──────────────▶ cancelled ("kết thúc" / "hủy")
 *
 * A ticket is `live` (opened within hours: the citizen's messages go to the
 * agent while it is open) or `callback` (left outside hours with a phone
 * number: the bot keeps answering until an agent claims it).
 *
 * Every change is published on the desk's event stream (the console's SSE)
 * and every agent action is written to the audit log.
 */
import { EventEmitter } from 'node:events';
import { LocalBus, type Bus } from '../../storage/bus';
import type { ConversationReference } from 'botbuilder';
import { sql } from 'kysely';
import type { Expression, ExpressionBuilder, Selectable, SqlBool } from 'kysely';
import { dialectOf, type Database, type Tables, type TicketTable } from '../../storage/database';
import { prepared } from '../../storage/prepared';
import { maskPersonalData } from '../../core/mask';
import type { HotlineHours } from './hours';

import {
  ticketCode,
  type TicketMode,
  type TicketReason,
  type TicketStatus,
  type UrgentReason,
} from '../../core/handoff';

export type { TicketMode, TicketReason, TicketStatus, UrgentReason };
export const URGENT_REASONS: readonly UrgentReason[] = ['emergency', 'self_harm'];
/** Orders urgent tickets first (0), then the rest (1). */
const urgentFirst = sql<number>`case when reason in ('emergency', 'self_harm') then 0 else 1 end`;

export interface Ticket {
  id: number;
  code: string;
  channel: string;
  conversationId: string;
  reference: Partial<ConversationReference>;
  language: 'vi' | 'en';
  reason: TicketReason;
  mode: TicketMode;
  status: TicketStatus;
  subject: string;
  agentId: number | null;
  callbackPhone: string | null;
  category: string | null;
  note: string | null;
  rating: number | null;
  createdAt: string;
  claimedAt: string | null;
  firstReplyAt: string | null;
  resolvedAt: string | null;
}

export interface TicketMessage {
  id: number;
  role: 'citizen' | 'agent' | 'system';
  agentId: number | null;
  text: string;
  createdAt: string;
}

/** What the console hears about: enough to refresh a queue row or a chat. */
export interface DeskEvent {
  /** `resync`: events may have been missed (the bus reconnected); re-read the queue. */
  type: 'resync' | 'opened' | 'message' | 'claimed' | 'transferred' | 'resolved' | 'cancelled' | 'rated';
  code: string;
  status: TicketStatus;
  agentId: number | null;
  /** The agent the ticket left, on a transfer. */
  fromAgentId?: number | null;
  message?: TicketMessage;
}

/** The bus channel of desk events. */
export const DESK_CHANNEL = 'hotline';
/** Events above this size go without their message text (NOTIFY payloads stop at 8000 bytes). */
const MAX_EVENT_BYTES = 7000;

export class TicketError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function toTicket(row: Selectable<TicketTable>): Ticket {
  return {
    id: row.id,
    code: row.code,
    channel: row.channel,
    conversationId: row.conversation_id,
    reference: JSON.parse(row.reference) as Partial<ConversationReference>,
    language: row.language === 'en' ? 'en' : 'vi',
    reason: row.reason as TicketReason,
    mode: row.mode as TicketMode,
    status: row.status as TicketStatus,
    subject: row.subject,
    agentId: row.agent_id,
    callbackPhone: row.callback_phone,
    category: row.category,
    note: row.note,
    rating: row.rating,
    createdAt: row.created_at,
    claimedAt: row.claimed_at,
    firstReplyAt: row.first_reply_at,
    resolvedAt: row.resolved_at,
  };
}

export interface OpenInput {
  reference: Partial<ConversationReference>;
  channel: string;
  conversationId: string;
  language: 'vi' | 'en';
  reason: TicketReason;
  mode: TicketMode;
  subject: string;
  callbackPhone?: string;
}

export interface TicketStats {
  open: { waiting: number; claimed: number };
  today: { opened: number; resolved: number; cancelled: number };
  waitSeconds: { p50: number | null; max: number | null; count: number };
  ratings: { average: number | null; count: number };
  perAgent: Array<{ agentId: number; name: string; handled: number; rating: number | null }>;
}

const nowIso = (): string => new Date().toISOString();

type TicketWhere = ExpressionBuilder<Tables, 'tickets'>;
/** A ticket that takes the conversation's messages: live and waiting, or claimed by an agent. */
const takesMessages = (eb: TicketWhere): Expression<SqlBool> =>
  eb.or([eb.and([eb('status', '=', 'waiting'), eb('mode', '=', 'live')]), eb('status', '=', 'claimed')]);
/** A resolved ticket whose rating the citizen has been asked for. */
const awaitsRating = (eb: TicketWhere): Expression<SqlBool> =>
  eb.and([eb('status', '=', 'resolved'), eb('rating_asked', '=', 1)]);

/** Asked of every message: tickets of the conversation that take messages or await a rating. */
const standingTickets = prepared((db: Database, $) =>
  db
    .selectFrom('tickets')
    .selectAll()
    .where('conversation_id', '=', $(0))
    .where((eb) => eb.or([takesMessages(eb), awaitsRating(eb)]))
    .orderBy('id', 'desc'),
);

export class HotlineDesk {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly unsubscribe: () => void;

  /**
   * `bus` carries desk events between replicas (PostgreSQL LISTEN/NOTIFY with
   * many replicas), so an agent on replica A sees a ticket opened on B.
   */
  constructor(
    readonly db: Database,
    readonly hours: HotlineHours,
    private readonly bus: Bus = new LocalBus(),
  ) {
    this.unsubscribe = bus.subscribe(DESK_CHANNEL, (payload) => {
      if (payload === '') {
        // The bus reconnected and may have missed events: consoles re-read everything.
        this.emitter.emit('event', { type: 'resync', code: '', status: 'waiting', agentId: null });
        return;
      }
      try {
        this.emitter.emit('event', JSON.parse(payload) as DeskEvent);
      } catch {
        /* a malformed notification is not ours */
      }
    });
  }

  close(): void {
    this.unsubscribe();
  }

  /** Listen to every ticket change (on this replica and, through the bus, the others). */
  onEvent(handler: (e: DeskEvent) => void): () => void {
    this.emitter.on('event', handler);
    return () => this.emitter.off('event', handler);
  }

  /** Publish after the change is stored. A long message travels as a hint: consoles re-read the ticket. */
  private async emit(e: DeskEvent): Promise<void> {
    let payload = JSON.stringify(e);
    if (Buffer.byteLength(payload, 'utf8') > MAX_EVENT_BYTES)
      payload = JSON.stringify({ ...e, message: undefined });
    await this.bus.publish(DESK_CHANNEL, payload);
  }

  async audit(agentId: number | null, action: string, code: string | null, detail?: string): Promise<void> {
    await this.db
      .insertInto('hotline_audit')
      .values({ agent_id: agentId, action, ticket_code: code, detail: detail ?? null, created_at: nowIso() })
      .execute();
  }

  /** The next code of the day, 1022-YYYYMMDD-NNNN, from a counter row (safe across replicas). */
  private async nextCode(at: Date): Promise<string> {
    const day = this.hours.day(at);
    const row = await this.db
      .insertInto('ticket_counters')
      .values({ day, n: 1 })
      .onConflict((oc) => oc.column('day').doUpdateSet({ n: sql<number>`ticket_counters.n + 1` }))
      .returning('n')
      .executeTakeFirstOrThrow();
    return ticketCode(day, row.n);
  }

  async open(input: OpenInput): Promise<{ ticket: Ticket; position: number }> {
    const existing = await this.activeFor(input.conversationId);
    if (existing) return { ticket: existing, position: await this.position(existing) };
    const at = new Date();
    const code = await this.nextCode(at);
    await this.db
      .insertInto('tickets')
      .values({
        code,
        channel: input.channel,
        conversation_id: input.conversationId,
        reference: JSON.stringify(input.reference),
        language: input.language,
        reason: input.reason,
        mode: input.mode,
        status: 'waiting',
        subject: maskPersonalData(input.subject).slice(0, 500),
        agent_id: null,
        callback_phone: input.callbackPhone ?? null,
        category: null,
        note: null,
        rating: null,
        created_at: at.toISOString(),
        claimed_at: null,
        first_reply_at: null,
        resolved_at: null,
      })
      .execute();
    const ticket = await this.get(code);
    await this.emit({ type: 'opened', code, status: 'waiting', agentId: null });
    return { ticket, position: await this.position(ticket) };
  }

  async get(code: string): Promise<Ticket> {
    const row = await this.db.selectFrom('tickets').selectAll().where('code', '=', code).executeTakeFirst();
    if (!row) throw new TicketError(404, 'not_found', `no ticket ${code}`);
    return toTicket(row);
  }

  async find(code: string): Promise<Ticket | undefined> {
    return this.get(code).catch(() => undefined);
  }

  /**
   * The ticket that takes this conversation's messages: a live ticket not
   * yet closed, or any ticket an agent has claimed.
   */
  async activeFor(conversationId: string): Promise<Ticket | undefined> {
    const row = await this.db
      .selectFrom('tickets')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where(takesMessages)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row ? toTicket(row) : undefined;
  }

  /**
   * `activeFor` and `awaitingRating` in one query: the bot asks both of
   * every message, and almost always neither finds anything.
   */
  async standing(conversationId: string): Promise<{ active?: Ticket; awaitingRating?: Ticket }> {
    const { rows } = await standingTickets(this.db, conversationId);
    // The query returns only the two kinds: a resolved ticket awaits a rating, any other takes messages.
    const tickets = rows.map(toTicket);
    const active = tickets.find((t) => t.status !== 'resolved');
    const awaitingRating = tickets.find((t) => t.status === 'resolved');
    return { ...(active && { active }), ...(awaitingRating && { awaitingRating }) };
  }

  /** Place in the queue: 1 + tickets waiting ahead of this one (urgent ones first, then by age). */
  async position(ticket: Ticket): Promise<number> {
    if (ticket.status !== 'waiting') return 0;
    const urgent = (URGENT_REASONS as readonly string[]).includes(ticket.reason);
    const row = await this.db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'waiting')
      .where((eb) =>
        urgent
          ? eb.and([eb('reason', 'in', [...URGENT_REASONS]), eb('id', '<', ticket.id)])
          : eb.or([eb('reason', 'in', [...URGENT_REASONS]), eb('id', '<', ticket.id)]),
      )
      .executeTakeFirstOrThrow();
    return Number(row.n) + 1;
  }

  /**
   * Flag a conversation's live ticket urgent (an emergency or self-harm said
   * while it was already waiting or with an agent), so it moves to the top.
   */
  async markUrgent(ticket: Ticket, reason: UrgentReason): Promise<Ticket> {
    if ((URGENT_REASONS as readonly string[]).includes(ticket.reason)) return ticket;
    await this.db.updateTable('tickets').set({ reason }).where('id', '=', ticket.id).execute();
    await this.emit({ type: 'opened', code: ticket.code, status: ticket.status, agentId: ticket.agentId });
    return { ...ticket, reason };
  }

  async messages(ticket: Ticket): Promise<TicketMessage[]> {
    const rows = await this.db
      .selectFrom('ticket_messages')
      .selectAll()
      .where('ticket_id', '=', ticket.id)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      role: r.role as TicketMessage['role'],
      agentId: r.agent_id,
      text: r.text,
      createdAt: r.created_at,
    }));
  }

  private async addMessage(
    ticket: Ticket,
    role: TicketMessage['role'],
    text: string,
    agentId: number | null,
  ): Promise<TicketMessage> {
    const createdAt = nowIso();
    const row = await this.db
      .insertInto('ticket_messages')
      .values({ ticket_id: ticket.id, role, agent_id: agentId, text, created_at: createdAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, role, agentId, text, createdAt };
  }

  /** A citizen wrote while the ticket is open. */
  async citizenMessage(ticket: Ticket, text: string): Promise<TicketMessage> {
    const message = await this.addMessage(ticket, 'citizen', maskPersonalData(text), null);
    await this.emit({
      type: 'message',
      code: ticket.code,
      status: ticket.status,
      agentId: ticket.agentId,
      message,
    });
    return message;
  }

  /**
   * Take a waiting ticket: one conditional update, so only one claim wins
   * when two agents (or one agent's double click, on one replica or two)
   * click at once, on SQLite and PostgreSQL alike. Every other claim is
   * 409, the holder's own included, so that the citizen is told once.
   */
  async claim(code: string, agentId: number): Promise<Ticket> {
    const result = await this.db
      .updateTable('tickets')
      .set({ status: 'claimed', agent_id: agentId, claimed_at: nowIso() })
      .where('code', '=', code)
      .where('status', '=', 'waiting')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      const t = await this.get(code);
      const who = t.status === 'claimed' && t.agentId === agentId ? ' (by you)' : '';
      throw new TicketError(409, 'not_waiting', `ticket ${code} is ${t.status}${who}, not waiting`);
    }
    await this.audit(agentId, 'claim', code);
    const ticket = await this.get(code);
    await this.emit({ type: 'claimed', code, status: 'claimed', agentId });
    return ticket;
  }

  private async mustHold(code: string, agentId: number, supervisor: boolean): Promise<Ticket> {
    const t = await this.get(code);
    if (t.status !== 'claimed') throw new TicketError(409, 'not_claimed', `ticket ${code} is ${t.status}`);
    if (t.agentId !== agentId && !supervisor)
      throw new TicketError(403, 'not_yours', `ticket ${code} is held by another agent`);
    return t;
  }

  /** An agent's answer: stored, audited, and returned for delivery to the citizen. */
  async agentMessage(
    code: string,
    agentId: number,
    text: string,
    supervisor = false,
  ): Promise<{ ticket: Ticket; message: TicketMessage }> {
    const ticket = await this.mustHold(code, agentId, supervisor);
    const message = await this.addMessage(ticket, 'agent', text, agentId);
    if (!ticket.firstReplyAt)
      await this.db
        .updateTable('tickets')
        .set({ first_reply_at: message.createdAt })
        .where('id', '=', ticket.id)
        .execute();
    await this.audit(agentId, 'answer', code, `${text.length} chars`);
    await this.emit({ type: 'message', code, status: ticket.status, agentId: ticket.agentId, message });
    return { ticket, message };
  }

  async transfer(code: string, agentId: number, toAgentId: number, supervisor = false): Promise<Ticket> {
    const ticket = await this.mustHold(code, agentId, supervisor);
    const to = await this.db
      .selectFrom('hotline_agents')
      .select(['id', 'disabled'])
      .where('id', '=', toAgentId)
      .executeTakeFirst();
    if (!to || to.disabled) throw new TicketError(400, 'no_agent', 'no such agent to transfer to');
    await this.db.updateTable('tickets').set({ agent_id: toAgentId }).where('id', '=', ticket.id).execute();
    await this.audit(agentId, 'transfer', code, `to agent ${toAgentId}`);
    await this.emit({
      type: 'transferred',
      code,
      status: 'claimed',
      agentId: toAgentId,
      fromAgentId: ticket.agentId,
    });
    return this.get(code);
  }

  async resolve(
    code: string,
    agentId: number,
    category: string,
    note: string,
    supervisor = false,
  ): Promise<Ticket> {
    const ticket = await this.mustHold(code, agentId, supervisor);
    await this.db
      .updateTable('tickets')
      .set({
        status: 'resolved',
        category,
        note: maskPersonalData(note),
        resolved_at: nowIso(),
        rating_asked: 1,
      })
      .where('id', '=', ticket.id)
      .execute();
    await this.audit(agentId, 'resolve', code, category);
    await this.emit({ type: 'resolved', code, status: 'resolved', agentId: ticket.agentId });
    return this.get(code);
  }

  /** The citizen ended it ("kết thúc", "hủy"). */
  async cancel(ticket: Ticket): Promise<void> {
    await this.db
      .updateTable('tickets')
      .set({ status: 'cancelled', resolved_at: nowIso() })
      .where('id', '=', ticket.id)
      .where('status', 'in', ['waiting', 'claimed'])
      .execute();
    await this.audit(null, 'cancel', ticket.code, 'by the citizen');
    await this.emit({ type: 'cancelled', code: ticket.code, status: 'cancelled', agentId: ticket.agentId });
  }

  /** The resolved ticket of this conversation still waiting for its 1–5 rating. */
  async awaitingRating(conversationId: string): Promise<Ticket | undefined> {
    const row = await this.db
      .selectFrom('tickets')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where(awaitsRating)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row ? toTicket(row) : undefined;
  }

  /** Store the rating (or, with null, stop waiting for one). */
  async rate(ticket: Ticket, rating: number | null): Promise<void> {
    await this.db
      .updateTable('tickets')
      .set({ rating, rating_asked: 0 })
      .where('id', '=', ticket.id)
      .execute();
    if (rating !== null)
      await this.emit({ type: 'rated', code: ticket.code, status: ticket.status, agentId: ticket.agentId });
  }

  /** Tickets for the console. Agents see the queue and their own; supervisors see all. */
  async list(filter: {
    status?: TicketStatus | 'open';
    agentId?: number;
    q?: string;
    limit?: number;
  }): Promise<Ticket[]> {
    let query = this.db.selectFrom('tickets').selectAll();
    if (filter.status === 'open') query = query.where('status', 'in', ['waiting', 'claimed']);
    else if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
    if (filter.q) {
      // Case-insensitive on both databases (SQLite's LIKE already is for ASCII); `\` escapes % and _.
      const like = `%${filter.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
      const op = sql.raw(dialectOf(this.db) === 'postgres' ? 'ilike' : 'like');
      const match = (column: string) => sql<boolean>`${sql.ref(column)} ${op} ${like} escape '\\'`;
      query = query.where((eb) =>
        eb.or([
          match('tickets.code'),
          match('tickets.subject'),
          match('tickets.category'),
          match('tickets.note'),
          eb.exists(
            eb
              .selectFrom('ticket_messages')
              .select('ticket_messages.id')
              .whereRef('ticket_messages.ticket_id', '=', 'tickets.id')
              .where(match('ticket_messages.text')),
          ),
        ]),
      );
    }
    const newestFirst = filter.status === 'resolved' || filter.status === 'cancelled';
    if (!newestFirst) query = query.orderBy(urgentFirst);
    const rows = await query
      .orderBy('id', newestFirst ? 'desc' : 'asc')
      .limit(filter.limit ?? 200)
      .execute();
    return rows.map(toTicket);
  }

  async stats(since: Date): Promise<TicketStats> {
    const sinceIso = since.toISOString();
    const count = async (status: string, column: 'created_at' | 'resolved_at'): Promise<number> => {
      const r = await this.db
        .selectFrom('tickets')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', status)
        .where(column, '>=', sinceIso)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    };
    const openRows = await this.db
      .selectFrom('tickets')
      .select(['status'])
      .where('status', 'in', ['waiting', 'claimed'])
      .execute();
    const opened = await this.db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('created_at', '>=', sinceIso)
      .executeTakeFirstOrThrow();
    const claimed = await this.db
      .selectFrom('tickets')
      .select(['created_at', 'claimed_at'])
      .where('claimed_at', 'is not', null)
      .where('created_at', '>=', sinceIso)
      .where('mode', '=', 'live')
      .execute();
    const waits = claimed
      .map((r) => (Date.parse(r.claimed_at ?? '') - Date.parse(r.created_at)) / 1000)
      .filter((s) => Number.isFinite(s))
      .sort((a, b) => a - b);
    const rated = await this.db
      .selectFrom('tickets')
      .select(['rating', 'agent_id'])
      .where('status', '=', 'resolved')
      .where('resolved_at', '>=', sinceIso)
      .execute();
    const ratings = rated.map((r) => r.rating).filter((r): r is number => r !== null);
    const agents = await this.db.selectFrom('hotline_agents').select(['id', 'name']).execute();
    const perAgent = agents
      .map((a) => {
        const mine = rated.filter((r) => r.agent_id === a.id);
        const stars = mine.map((r) => r.rating).filter((r): r is number => r !== null);
        return {
          agentId: a.id,
          name: a.name,
          handled: mine.length,
          rating: stars.length ? stars.reduce((s, x) => s + x, 0) / stars.length : null,
        };
      })
      .filter((a) => a.handled > 0);
    return {
      open: {
        waiting: openRows.filter((r) => r.status === 'waiting').length,
        claimed: openRows.filter((r) => r.status === 'claimed').length,
      },
      today: {
        opened: Number(opened.n),
        resolved: await count('resolved', 'resolved_at'),
        cancelled: await count('cancelled', 'resolved_at'),
      },
      waitSeconds: {
        p50: waits.length ? (waits[Math.floor((waits.length - 1) / 2)] ?? null) : null,
        max: waits.length ? (waits[waits.length - 1] ?? null) : null,
        count: waits.length,
      },
      ratings: {
        average: ratings.length ? ratings.reduce((s, x) => s + x, 0) / ratings.length : null,
        count: ratings.length,
      },
      perAgent,
    };
  }
}
