/**
 * The citizen's side of the hand-off to hotline 1022, run by the bot on
 * every channel:
 *
 * - opening a ticket when the citizen asks for a person, files a complaint,
 *   or accepts the offer made after two misses or two unhelpful answers;
 * - within hours: the ticket code, the place in the queue, the hours; the
 *   citizen's messages then go to the agent, not the bot, until the agent
 *   resolves it or the citizen says "kết thúc" / "hủy";
 * - outside hours: the hours, 1022, and an offer to leave a phone number
 *   for a call back (asked for only after the citizen agrees);
 * - the 1–5 rating after the agent resolves, and "tra cứu 1022-…" for the
 *   status of a ticket opened from this same conversation.
 *
 * With `mode: 'event'` no ticket is opened: the bot sends Bot Framework's
 * `handoff.initiate` event with the transcript, for a province whose own
 * agent hub takes the conversation. In `console` mode the event is sent too,
 * so such a hub can observe hand-offs either way.
 */
import { EventFactory, TurnContext, type Transcript } from 'botbuilder';
import type { TFunction } from 'i18next';
import {
  TICKET_CODE_IN_TEXT,
  type ConversationPlace,
  type HandoffPort,
  type HandoffTicket,
  type TicketReason,
  type UrgentReason,
} from '../core/handoff';
import { fold } from '../knowledge/normalize';
import type { Records } from '../storage/records';
import { emptyReply, type Reply } from '../core/reply';
import { writesDone } from './turnWrites';

export type HandoffMode = 'console' | 'event';

export interface HandoffOptions {
  /** The hotline behind the hand-off port. */
  port: HandoffPort;
  mode: HandoffMode;
  /** The hours in words, per language. */
  hours: { vi: string; en: string };
}

/** A conversation's place, as the hotline needs it to open a ticket. */
export type UrgentWhere = ConversationPlace;

/** What the hand-off keeps in the conversation's memory between turns. */
export interface HandoffMemory {
  /** The hotline was offered (after misses or unhelpful answers): a "có" opens a ticket. */
  offered?: TicketReason;
  /** Outside hours: waiting for consent to a call back, then for the number. */
  callback?: { step: 'consent' | 'phone'; reason: TicketReason; subject: string };
  /** The last real question, kept as the ticket's subject. */
  lastQuestion?: string;
}

/** A rating of the hotline's help: "5", "4/5", "3 sao". */
const RATING = /^\s*([1-5])(?:\s*(?:\/\s*5|sao|điểm|diem|stars?))?\s*$/i;

/** A Vietnamese phone number: 0 and 9–10 more digits, or +84 and 9–10 digits; spaces and dots allowed. */
export function parsePhone(text: string): string | undefined {
  const digits = text.replace(/[\s.\-()]/g, '');
  const m = /^(?:\+?84|0)(\d{9,10})$/.exec(digits);
  return m ? `0${m[1]}` : undefined;
}

type WordList = 'yes' | 'no' | 'end';

/** A message folded as the word lists are, without a closing "." "!" "?" or ",". */
function foldedWord(text: string): string {
  return fold(text)
    .replace(/[.!?,]+$/g, '')
    .trim();
}

export class HandoffFlow {
  /** The folded yes/no/end words of each language, read once from the locale files. */
  private readonly words = new Map<string, Set<string>>();

  constructor(
    private readonly options: HandoffOptions,
    private readonly t: (language: 'vi' | 'en') => TFunction,
    private readonly send: (context: TurnContext, reply: Reply) => Promise<void>,
    private readonly records?: Records,
  ) {}

  private get port(): HandoffPort {
    return this.options.port;
  }

  private reply(language: 'vi' | 'en', ...text: string[]): Reply {
    const r = emptyReply('handoff', language);
    r.text.push(...text);
    return r;
  }

  private wordList(language: 'vi' | 'en', key: WordList): Set<string> {
    const id = `${language}.${key}`;
    let set = this.words.get(id);
    if (!set) {
      set = new Set(
        String(this.t(language)(`handoffDesk.words.${key}`))
          .split('|')
          .map((w) => fold(w)),
      );
      this.words.set(id, set);
    }
    return set;
  }

  private is(text: string, language: 'vi' | 'en', key: WordList): boolean {
    return this.listed(foldedWord(text), language, key);
  }

  /** Whether a folded message is in a word list of its language or of Vietnamese. */
  private listed(folded: string, language: 'vi' | 'en', key: WordList): boolean {
    return this.wordList(language, key).has(folded) || this.wordList('vi', key).has(folded);
  }

  /**
   * Whether a message is one of the hand-off's own words (yes, no, end, a 1–5 rating) in either language.
   * Asked of every message: folded once for the three lists.
   */
  isWord(text: string): boolean {
    if (RATING.test(text)) return true;
    const folded = foldedWord(text);
    return (['yes', 'no', 'end'] as const).some((key) => this.listed(folded, 'en', key));
  }

  private declined(language: 'vi' | 'en'): Reply {
    return this.reply(
      language,
      this.t(language)('handoffDesk.callbackDeclined', { hours: this.options.hours[language] }),
    );
  }

  /**
   * Run before the bot: true when the message belonged to the hand-off (a
   * relayed message, a call-back step, a rating, a ticket look-up) and the
   * bot must not answer it. Each step below claims the message or passes it on.
   */
  async intercept(
    context: TurnContext,
    text: string,
    memory: HandoffMemory,
    language: 'vi' | 'en',
  ): Promise<boolean> {
    const conversationId = context.activity.conversation.id;
    const standing = await this.port.standing(conversationId);
    if (standing.active) return this.relayToTicket(context, text, standing.active, language);
    if (memory.callback) return this.callbackStep(context, text, memory, language);
    if (standing.awaitingRating && (await this.takeRating(context, text, standing.awaitingRating, language)))
      return true;
    const code = TICKET_CODE_IN_TEXT.exec(text)?.[0];
    if (code) {
      await this.send(context, await this.status(code, conversationId, language));
      return true;
    }
    const offered = memory.offered;
    memory.offered = undefined;
    if (offered && this.is(text, language, 'yes')) {
      await this.start(context, memory, offered, language);
      return true;
    }
    return false;
  }

  /** With a ticket open, the message goes to the desk (or ends the ticket): the bot stays out. */
  private async relayToTicket(
    context: TurnContext,
    text: string,
    ticket: HandoffTicket,
    language: 'vi' | 'en',
  ): Promise<boolean> {
    const t = this.t(language);
    if (this.is(text, language, 'end')) {
      await this.port.cancel(ticket);
      await this.send(context, this.reply(language, t('handoffDesk.ticketEnded', { code: ticket.code })));
      return true;
    }
    const { position } = await this.port.relay(ticket, text);
    if (ticket.status === 'waiting') {
      await this.send(context, this.reply(language, t('handoffDesk.ticketQueued', { position })));
    }
    return true;
  }

  /** A step of the call-back offer: consent, then the phone number; anything else is a new question. */
  private async callbackStep(
    context: TurnContext,
    text: string,
    memory: HandoffMemory,
    language: 'vi' | 'en',
  ): Promise<boolean> {
    const callback = memory.callback!;
    const t = this.t(language);
    memory.callback = undefined;
    if (callback.step === 'consent') {
      if (this.is(text, language, 'yes') || fold(text) === fold(t('handoffDesk.callbackYes'))) {
        memory.callback = { ...callback, step: 'phone' };
        await this.send(context, this.reply(language, t('handoffDesk.callbackAskPhone')));
        return true;
      }
      if (this.is(text, language, 'no') || fold(text) === fold(t('handoffDesk.callbackNo'))) {
        await this.send(context, this.declined(language));
        return true;
      }
      return false; // a new question: answer it
    }
    const phone = parsePhone(text);
    if (phone) {
      const { ticket } = await this.port.open({
        ...this.where(context),
        language,
        reason: callback.reason,
        mode: 'callback',
        subject: callback.subject,
        callbackPhone: phone,
      });
      const hours = this.options.hours[language];
      await this.send(
        context,
        this.reply(language, t('handoffDesk.callbackDone', { code: ticket.code, hours })),
      );
      return true;
    }
    if (this.is(text, language, 'end') || this.is(text, language, 'no')) {
      await this.send(context, this.declined(language));
      return true;
    }
    if (/^[\d\s.+()-]+$/.test(text)) {
      memory.callback = callback; // still waiting for a number
      await this.send(context, this.reply(language, t('handoffDesk.callbackBadPhone')));
      return true;
    }
    return false; // they moved on to a question
  }

  /** After a resolved ticket, a 1–5 is its rating; anything else means no rating, so a later "5" is not caught. */
  private async takeRating(
    context: TurnContext,
    text: string,
    rating: HandoffTicket,
    language: 'vi' | 'en',
  ): Promise<boolean> {
    const m = RATING.exec(text);
    if (!m) {
      await this.port.rate(rating, null);
      return false;
    }
    await this.port.rate(rating, Number(m[1]));
    await this.send(
      context,
      this.reply(language, this.t(language)('handoffDesk.ratingThanks', { rating: m[1] })),
    );
    return true;
  }

  async status(code: string, conversationId: string, language: 'vi' | 'en'): Promise<Reply> {
    const t = this.t(language);
    const found = await this.port.lookup(code);
    if (!found || found.ticket.conversationId !== conversationId)
      return this.reply(language, t('handoffDesk.ticketNotFound', { code }));
    const { ticket, position } = found;
    const key = ticket.status === 'waiting' && ticket.mode === 'callback' ? 'callback' : ticket.status;
    return this.reply(
      language,
      t(`handoffDesk.ticketStatus.${key}`, {
        code,
        position,
        hours: this.options.hours[language],
      }),
    );
  }

  /**
   * Open the hand-off. `lead` is the bot's own reply to show first (the
   * complaint guidance); the ticket text follows it.
   */
  async start(
    context: TurnContext,
    memory: HandoffMemory,
    reason: TicketReason,
    language: 'vi' | 'en',
    lead?: Reply,
  ): Promise<void> {
    const t = this.t(language);
    const subject = memory.lastQuestion ?? context.activity.text ?? '';
    await this.sendHandoffEvent(context, reason);
    if (this.options.mode === 'event') {
      const r = lead ?? this.reply(language);
      r.text.push(t('handoffDesk.handoffEvent'));
      r.handoff = true;
      await this.send(context, r);
      return;
    }
    const r = lead ?? this.reply(language);
    r.handoff = true;
    r.buttons = [];
    if (this.port.isOpen()) {
      const { ticket, position } = await this.port.open({
        ...this.where(context),
        language,
        reason,
        mode: 'live',
        subject,
      });
      r.text.push(
        t('handoffDesk.ticketOpened', { code: ticket.code, position, hours: this.options.hours[language] }),
      );
    } else {
      memory.callback = { step: 'consent', reason, subject };
      r.text.push(t('handoffDesk.closedHours', { hours: this.options.hours[language] }));
      r.buttons.push(
        { title: t('handoffDesk.callbackYes'), value: t('handoffDesk.callbackYes') },
        { title: t('handoffDesk.callbackNo'), value: t('handoffDesk.callbackNo') },
      );
    }
    await this.send(context, r);
  }

  /**
   * Where a conversation is, captured during its turn: work that runs
   * after the turn (an urgent ticket) must not touch the TurnContext, which
   * Bot Framework revokes when the turn ends.
   */
  where(context: TurnContext): UrgentWhere {
    return {
      reference: TurnContext.getConversationReference(context.activity),
      channel: context.activity.channelId,
      conversationId: context.activity.conversation.id,
    };
  }

  /**
   * The hand-off event for an emergency or self-harm, sent within the turn
   * without reading the database (a hub that listens hears it at once).
   */
  async urgentEvent(context: TurnContext, reason: UrgentReason): Promise<void> {
    const event = EventFactory.createHandoffInitiation(
      context,
      { reason, skill: 'hotline-1022' },
      { activities: [] },
    );
    await context.sendActivity(event);
  }

  /**
   * An emergency or self-harm: a ticket flagged urgent at the top of the
   * queue, whatever the hours, so a person follows up. Runs after the reply
   * has gone out, from what `where` captured: the citizen never waits on the
   * database for it.
   */
  async urgent(
    where: UrgentWhere,
    reason: UrgentReason,
    language: 'vi' | 'en',
    subject: string,
  ): Promise<void> {
    if (this.options.mode === 'event') return;
    await this.port.open({ ...where, language, reason, mode: 'live', subject, urgent: reason });
  }

  /** Bot Framework's hand-off event, with the conversation so far as its transcript. */
  private async sendHandoffEvent(context: TurnContext, reason: TicketReason): Promise<void> {
    // This turn's lines may still be on their way (`turnWrites`).
    await writesDone(context);
    const lines = this.records ? await this.records.transcript(context.activity.conversation.id) : [];
    const transcript: Transcript = {
      activities: lines.map((l) => ({
        type: 'message',
        text: l.text,
        timestamp: new Date(l.created_at),
        from: l.role === 'user' ? context.activity.from : context.activity.recipient,
      })) as Transcript['activities'],
    };
    const event = EventFactory.createHandoffInitiation(
      context,
      { reason, skill: 'hotline-1022' },
      transcript,
    );
    await context.sendActivity(event);
  }
}
