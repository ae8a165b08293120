/**
 * The hand-off port: all the bot knows of the hotline that takes a
 * conversation over. The bot holds the conversation (when to offer a
 * person, the call-back consent, the rating question); the hotline holds
 * the tickets, the queue and the agents. Anything that implements this
 * port — our 1022 desk (`hotline/handoff.ts`) or another agent hub — can
 * stand behind the bot without the bot changing.
 */
import type { ConversationReference } from 'botbuilder';

/**
 * A ticket's code, 1022-YYYYMMDD-NNNN: the hotline's number, the day the
 * ticket was opened (Vietnam time) and its place that day. One format for the
 * desk that makes codes, the bot that looks them up when a citizen types one
 * and the masking that must leave them whole.
 */
export function ticketCode(day: string, n: number): string {
  return `1022-${day}-${String(n).padStart(4, '0')}`;
}

/** A ticket code anywhere in a text (`.source` builds whole-string tests). */
export const TICKET_CODE_IN_TEXT = /\b1022-\d{8}-\d{4}\b/;

/** Reasons that put a ticket at the top of the queue, whatever the hours. */
export type UrgentReason = 'emergency' | 'self_harm';
/** Why a conversation is handed to a person. */
export type TicketReason = 'asked' | 'complaint' | 'misses' | 'unhelpful' | UrgentReason;
/** Live: an agent takes the conversation now. Call-back: an agent phones the citizen in hours. */
export type TicketMode = 'live' | 'callback';
export type TicketStatus = 'waiting' | 'claimed' | 'resolved' | 'cancelled';

/** What the bot reads of a ticket. */
export interface HandoffTicket {
  code: string;
  conversationId: string;
  mode: TicketMode;
  status: TicketStatus;
}

/** Where a conversation is, captured during its turn (work after the turn must not touch its context). */
export interface ConversationPlace {
  reference: Partial<ConversationReference>;
  channel: string;
  conversationId: string;
}

export interface HandoffRequest extends ConversationPlace {
  language: 'vi' | 'en';
  reason: TicketReason;
  mode: TicketMode;
  /** The citizen's question, as the ticket's subject. */
  subject: string;
  /** The number the citizen agreed to be called back on. */
  callbackPhone?: string;
  /** An emergency or self-harm: the ticket goes to the top of the queue. */
  urgent?: UrgentReason;
}

/** What `HandoffPort.standing` finds for a conversation. */
export interface HandoffStanding<T extends HandoffTicket = HandoffTicket> {
  /** Still with the hotline (waiting or claimed): the citizen's messages go to it. */
  active?: T;
  /** Resolved, its rating asked for: a 1–5 is the rating. */
  awaitingRating?: T;
}

/**
 * `T` is the hotline's own ticket: the bot only reads `HandoffTicket` of it
 * and hands it back, so the hotline needs no second look-up per message.
 */
export interface HandoffPort<T extends HandoffTicket = HandoffTicket> {
  /** Whether agents are on duty now; outside hours only a call-back can be left. */
  isOpen(): boolean;
  /** Open a ticket for the conversation (or return the one already open), with its place in the queue. */
  open(request: HandoffRequest): Promise<{ ticket: T; position: number }>;
  /**
   * The conversation's standing with the hotline, in one look-up per
   * message: its ticket still with the hotline (waiting or claimed), and a
   * resolved one whose 1–5 rating the citizen has been asked for.
   */
  standing(conversationId: string): Promise<HandoffStanding<T>>;
  /** The citizen's message to the agent; the place in the queue while the ticket waits. */
  relay(ticket: T, text: string): Promise<{ position: number }>;
  /** The citizen ends the hand-off. */
  cancel(ticket: T): Promise<void>;
  /** A ticket by its code (the citizen's "tra cứu 1022-…"), with its place in the queue. */
  lookup(code: string): Promise<{ ticket: T; position: number } | undefined>;
  /** The rating, or null when the citizen moved on without giving one. */
  rate(ticket: T, rating: number | null): Promise<void>;
}
