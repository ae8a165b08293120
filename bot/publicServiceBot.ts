/**
 * PublicServiceBot: the channel-neutral bot every adapter runs. It keeps
 * the conversation's memory in ConversationState and lesson progress in
 * UserState, runs lessons as a dialog, stores transcripts and outcomes, and
 * sends each Reply rendered the way its channel shows it (the channel's own
 * renderer, or Bot Framework cards).
 */
import {
  ActivityHandler,
  ConversationState,
  UserState,
  type Activity,
  type StatePropertyAccessor,
  type TurnContext,
} from 'botbuilder';
// From the package's modules, not its index: the index loads every prompt and its recognizers
// (about half a second of each start) for a set of dialogs that holds one lesson dialog.
import { DialogTurnStatus } from 'botbuilder-dialogs/lib/dialog';
import type { DialogContext, DialogState } from 'botbuilder-dialogs/lib/dialogContext';
import { DialogSet } from 'botbuilder-dialogs/lib/dialogSet';
import { fold } from '../knowledge/normalize';
import type { Lesson } from '../knowledge/schema';
import type { Outcome, TurnOutcomes } from '../storage/outcomes';
import type { Records } from '../storage/records';
import { Assistant, newMemory, type ConversationMemory, type Understanding } from './assistant';
import { HandoffFlow, type HandoffMemory, type HandoffOptions } from './handoff';
import type { Logger } from '../core/log';
import { LessonDialog, type LessonProgress, type LessonResult } from './lessonDialog';
import { emptyReply, toPlainText, type Reply } from '../core/reply';
import { toActivity } from '../core/activity';
import { awaitingWrites, turnWrite, writesDone } from './turnWrites';

const COMMAND_KEYS = [
  'helpful',
  'notHelpful',
  'menu.procedures',
  'menu.services',
  'menu.lessons',
  'noneOfThese',
  'lesson.resume',
] as const;
type CommandKey = (typeof COMMAND_KEYS)[number];

export interface BotMemory extends ConversationMemory, HandoffMemory {
  /** Answers marked unhelpful in a row. */
  unhelpful?: number;
  /** The entry of the last answer, for feedback. */
  lastAnswer?: string | null;
}

export interface PublicServiceBotOptions {
  assistant: Assistant;
  conversationState: ConversationState;
  userState: UserState;
  /** Where transcripts and feedback go; omitted by the command line. */
  records?: Records;
  /** The hotline desk; without it the bot only tells citizens how to reach 1022. */
  handoff?: HandoffOptions;
  /** Where work done after a reply (an urgent ticket) reports a failure. */
  log?: Logger;
  /** Where the outcome of each message goes (the supervisor's dashboard), after the reply. */
  outcomes?: TurnOutcomes;
  /**
   * How a channel shows a Reply, by channel id; the Bot Framework rendering
   * (cards, suggested actions, the Reply in `channelData.reply`) otherwise.
   */
  renderers?: ReadonlyMap<string, (reply: Reply) => Partial<Activity>>;
}

/** What a reply of the assistant counts as on the supervisor's dashboard. */
export function outcomeOf(reply: Reply): Outcome {
  if (reply.handoffReason) return 'handedOff';
  switch (reply.kind) {
    case 'answer':
      return 'answered';
    case 'clarify':
      return 'clarified';
    case 'no_answer':
      return 'notFound';
    case 'decline':
      return 'declined';
    case 'emergency':
      return 'emergency';
    default:
      return 'other';
  }
}

export class PublicServiceBot extends ActivityHandler {
  private assistant: Assistant;
  private readonly conversationState: ConversationState;
  private readonly userState: UserState;
  private readonly records?: Records;
  readonly handoff?: HandoffFlow;
  private readonly memory: StatePropertyAccessor<BotMemory>;
  private readonly progress: StatePropertyAccessor<LessonProgress>;
  private readonly lastLesson: StatePropertyAccessor<string | undefined>;
  private readonly dialogs: DialogSet;
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly lessonDialog: LessonDialog;
  private readonly lessons = new Map<string, Lesson>();
  /** Button texts, folded, in both languages: a press is recognised by its exact text. */
  private readonly commands = new Map<CommandKey, Set<string>>();
  private readonly log?: Logger;
  private readonly outcomes?: TurnOutcomes;
  private readonly renderers: ReadonlyMap<string, (reply: Reply) => Partial<Activity>>;
  /** Work still running after its reply went out (urgent tickets), awaited by `settle` at shutdown. */
  private readonly pending = new Set<Promise<void>>();

  constructor(options: PublicServiceBotOptions) {
    super();
    this.assistant = options.assistant;
    this.conversationState = options.conversationState;
    this.userState = options.userState;
    this.records = options.records;
    this.log = options.log;
    this.outcomes = options.outcomes;
    this.renderers = options.renderers ?? new Map();
    if (options.handoff)
      this.handoff = new HandoffFlow(
        options.handoff,
        (l) => this.assistant.t(l),
        (context, reply) => this.send(context, reply),
        options.records,
      );
    this.memory = this.conversationState.createProperty<BotMemory>('memory');
    this.progress = this.userState.createProperty<LessonProgress>('lessonProgress');
    this.lastLesson = this.userState.createProperty<string | undefined>('lastLesson');
    this.learnLessons();
    for (const key of COMMAND_KEYS) {
      this.commands.set(key, new Set(['vi', 'en'].map((l) => fold(this.assistant.t(l as 'vi' | 'en')(key)))));
    }
    this.dialogState = this.conversationState.createProperty<DialogState>('dialogState');
    this.dialogs = new DialogSet(this.dialogState);
    this.lessonDialog = new LessonDialog(
      this.lessons,
      this.progress,
      (l) => this.assistant.t(l),
      (dc, reply) => this.send(dc.context, reply),
    );
    this.dialogs.add(this.lessonDialog);

    this.onMembersAdded(async (context, next) => {
      const added = context.activity.membersAdded ?? [];
      if (added.some((m) => m.id !== context.activity.recipient?.id)) {
        await this.send(context, this.assistant.welcome());
      }
      await next();
    });

    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
  }

  /**
   * Answer from now on with another assistant (the knowledge base reloaded,
   * with the examples supervisors added); a turn in progress finishes with
   * the one it started with.
   */
  useAssistant(assistant: Assistant): void {
    this.assistant = assistant;
    this.learnLessons();
  }

  private learnLessons(): void {
    this.lessons.clear();
    for (const e of this.assistant.kb.entries) if (e.kind === 'lesson') this.lessons.set(e.id, e);
  }

  /** Run a turn, then save the state it changed and wait for its transcript lines (`turnWrites`). */
  override async run(context: TurnContext): Promise<void> {
    awaitingWrites(context);
    await super.run(context);
    await Promise.all([
      this.conversationState.saveChanges(context, false),
      this.userState.saveChanges(context, false),
      writesDone(context),
    ]);
  }

  /** Send a reply and keep it in the transcript (also used for hotline messages). */
  async send(context: TurnContext, reply: Reply): Promise<void> {
    await context.sendActivity(this.render(context, reply));
    await this.keepLine(context, 'bot', toPlainText(reply), reply.entry?.id ?? null);
  }

  /** A transcript line of this turn's conversation, written behind the turn (`turnWrites`). */
  private keepLine(
    context: TurnContext,
    role: 'user' | 'bot',
    text: string,
    entryId?: string | null,
  ): Promise<void> {
    const records = this.records;
    if (!records) return Promise.resolve();
    const line = {
      conversationId: context.activity.conversation.id,
      channel: context.activity.channelId,
      role,
      text,
      entryId,
    };
    return turnWrite(context, () => records.addTranscript(line));
  }

  /** The text of a message, or of a card's submitted value. */
  private static messageText(context: TurnContext): string {
    const value = context.activity.value as { text?: unknown } | undefined;
    return (context.activity.text ?? (typeof value?.text === 'string' ? value.text : '')).trim();
  }

  /**
   * One message: safety first, then the hand-off in progress, then a running
   * lesson, then the menu's commands, and only then the assistant's answer.
   */
  private async handleMessage(context: TurnContext): Promise<void> {
    let text = PublicServiceBot.messageText(context);
    if (!text) return;
    // Safety first: before the database, a hand-off in progress or a lesson (a button's own text excepted).
    // Understood once: other turns run between this line and the answer.
    const understood = this.isCommand(text) ? undefined : this.assistant.understood(text);
    const safety = understood && this.assistant.safetyReply(text, understood);
    if (safety) return this.urgent(context, text, safety);
    await this.keepLine(context, 'user', text);
    const memory = await this.memory.get(context, newMemory());
    if (await this.handedOff(context, text, memory, understood)) return;
    // A dialog context is costly to make (botbuilder builds its memory scopes): only when a
    // lesson is running, or one is started or resumed below.
    const running = (await this.dialogState.get(context))?.dialogStack?.length ?? 0;
    if (running > 0) {
      const interrupted = await this.continueLesson(context);
      if (interrupted === undefined) return this.note(context, text, 'other');
      text = interrupted;
    }
    const language = this.assistant.languageOf(text, memory, understood);
    const done = this.command(context, text, memory, language);
    if (done) {
      await done;
      return this.note(context, text, 'other');
    }
    await this.answer(context, text, memory, language, understood);
  }

  /** Whether the hand-off took the message (a relayed message, a call-back step, a rating, a look-up). */
  private async handedOff(
    context: TurnContext,
    text: string,
    memory: BotMemory,
    understood?: Understanding,
  ): Promise<boolean> {
    if (!this.handoff) return false;
    const offered = memory.offered;
    const handled = await this.handoff.intercept(
      context,
      text,
      memory,
      this.assistant.languageOf(text, memory, understood),
    );
    await this.memory.set(context, memory);
    // "có" to an offered hand-off opened it: intercept clears the offer only on its way there.
    if (handled) this.note(context, text, offered && !memory.offered ? 'handedOff' : 'other');
    return handled;
  }

  /** Give the message to the running lesson; the text back when the citizen left it with a question. */
  private async continueLesson(context: TurnContext): Promise<string | undefined> {
    const dc = await this.dialogs.createContext(context);
    const result = await dc.continueDialog();
    const ended =
      result.status === DialogTurnStatus.complete ? (result.result as LessonResult | undefined) : undefined;
    return ended?.ended === 'interrupted' && ended.text ? ended.text : undefined;
  }

  /** A menu command or a lesson's name, run; undefined when the message is neither. */
  private command(
    context: TurnContext,
    text: string,
    memory: BotMemory,
    language: 'vi' | 'en',
  ): Promise<void> | undefined {
    const t = this.assistant.t(language);
    const folded = fold(text);
    const said = (key: CommandKey): boolean => this.commands.get(key)?.has(folded) ?? false;
    if (said('helpful')) return this.feedback(context, memory, true, language);
    if (said('notHelpful')) return this.feedback(context, memory, false, language);
    if (said('menu.procedures')) return this.sendText(context, t('menuReply.procedures'), language);
    if (said('menu.services')) return this.sendText(context, t('menuReply.services'), language);
    if (said('menu.lessons')) return this.lessonMenu(context, language);
    if (said('noneOfThese')) {
      const r = emptyReply('no_answer', language);
      r.text.push(t('notThese'));
      r.buttons.push({ title: t('hotlineButton'), value: t('hotlineButton') });
      return this.send(context, r);
    }
    if (said('lesson.resume'))
      return this.dialogs.createContext(context).then((dc) => this.resumeLesson(context, dc, language));
    const lesson = this.lessonNamed(text);
    if (!lesson) return undefined;
    return this.lastLesson
      .set(context, lesson.id)
      .then(() => this.dialogs.createContext(context))
      .then((dc) => dc.beginDialog(LessonDialog.id, { lessonId: lesson.id, language }))
      .then(() => undefined);
  }

  /** The assistant's answer, or the hand-off it asks for; the memory keeps what a follow-up needs. */
  private async answer(
    context: TurnContext,
    text: string,
    memory: BotMemory,
    language: 'vi' | 'en',
    understood?: Understanding,
  ): Promise<void> {
    const t = this.assistant.t(language);
    const reply = this.assistant.respond(text, memory, understood);
    if (this.handoff && reply.handoffReason) {
      const reason = memory.offered ?? reply.handoffReason;
      memory.offered = undefined;
      const complaint = reply.handoffReason === 'complaint' ? reply : undefined;
      await this.handoff.start(context, memory, reason, language, complaint);
      await this.memory.set(context, memory);
      return this.note(context, text, 'handedOff', reply);
    }
    if (reply.kind === 'answer' || reply.kind === 'no_answer' || reply.kind === 'clarify')
      memory.lastQuestion = text;
    if (reply.kind === 'no_answer' && reply.handoff) memory.offered = 'misses';
    if (reply.kind === 'answer' && reply.entry) {
      memory.lastAnswer = reply.entry.id;
      reply.buttons.push(
        { title: t('helpful'), value: t('helpful') },
        { title: t('notHelpful'), value: t('notHelpful') },
      );
    }
    await this.memory.set(context, memory);
    await this.send(context, reply);
    this.note(context, text, outcomeOf(reply), reply);
  }

  /**
   * Record what the message came to, after the reply went out: the citizen
   * never waits on it, and a failure is logged, not thrown.
   */
  private note(context: TurnContext, text: string, outcome: Outcome, reply?: Reply): void {
    if (!this.outcomes) return;
    const row = {
      channel: context.activity.channelId,
      conversationId: context.activity.conversation.id,
      outcome,
      text,
      entryId: reply?.entry?.id ?? null,
      candidates: reply?.candidates.map((c) => c.id),
    };
    this.later(() => this.outcomes!.record(row), 'outcome record failed');
  }

  /** Work after a reply, awaited by `settle`; a failure is logged. */
  private later(work: () => Promise<void>, what: string): void {
    const done: Promise<void> = work()
      .catch((e: unknown) => this.log?.error(what, { error: (e as Error).message }))
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  /**
   * Send the emergency or self-harm reply at once, then record the turn and
   * open the urgent ticket; a database that is slow or down delays neither
   * the reply nor the next turn, and a failure is logged, not thrown.
   */
  private async urgent(context: TurnContext, text: string, reply: Reply): Promise<void> {
    await context.sendActivity(this.render(context, reply));
    const reason = reply.urgent === 'self_harm' ? 'self_harm' : 'emergency';
    const where = this.handoff?.where(context);
    await this.handoff?.urgentEvent(context, reason);
    const log = { conversationId: context.activity.conversation.id, channel: context.activity.channelId };
    this.note(context, text, 'emergency', reply);
    this.later(async () => {
      await this.records?.addTranscript({ ...log, role: 'user', text });
      await this.records?.addTranscript({ ...log, role: 'bot', text: toPlainText(reply), entryId: null });
      if (where) await this.handoff?.urgent(where, reason, reply.language, text);
    }, 'urgent follow-up failed');
  }

  /** The reply as the turn's channel shows it. */
  private render(context: TurnContext, reply: Reply): Partial<Activity> {
    return (this.renderers.get(context.activity.channelId) ?? toActivity)(reply);
  }

  /** Wait for the work started after replies (shutdown, tests). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /**
   * Whether a message is exactly the text of one of the bot's buttons, a
   * hand-off word ("kết thúc", "có", a rating) or a lesson's control word
   * ("quay lại", "thoát"): the bot's own vocabulary, which triage must not
   * read as anything else.
   */
  private isCommand(text: string): boolean {
    const folded = fold(text);
    return (
      (this.handoff?.isWord(text) ?? false) ||
      [...this.commands.values()].some((set) => set.has(folded)) ||
      this.lessonNamed(text) !== undefined ||
      this.lessonDialog.isCommand(text)
    );
  }

  /** "Bắt đầu bài học: <title>" (or the English button) names a lesson. */
  private lessonNamed(text: string): Lesson | undefined {
    const m = /^(?:bat dau bai hoc|start the lesson)\s*:\s*(.+)$/.exec(fold(text));
    if (!m) return undefined;
    const wanted = m[1]?.trim();
    return [...this.lessons.values()].find((l) => fold(l.title) === wanted);
  }

  private async lessonMenu(context: TurnContext, language: 'vi' | 'en'): Promise<void> {
    const t = this.assistant.t(language);
    const r = emptyReply('smalltalk', language);
    r.text.push(t('menuReply.lessons'));
    for (const l of this.lessons.values())
      r.buttons.push({ title: l.title, value: `${t('lessonStart')}: ${l.title}` });
    await this.send(context, r);
  }

  private async resumeLesson(context: TurnContext, dc: DialogContext, language: 'vi' | 'en'): Promise<void> {
    const id = await this.lastLesson.get(context);
    const progress = await this.progress.get(context, {});
    if (!id || progress[id] === undefined)
      return this.sendText(context, this.assistant.t(language)('lesson.nothingToResume'), language);
    await dc.beginDialog(LessonDialog.id, { lessonId: id, language });
  }

  private async feedback(
    context: TurnContext,
    memory: BotMemory,
    helpful: boolean,
    language: 'vi' | 'en',
  ): Promise<void> {
    const t = this.assistant.t(language);
    const conversationId = context.activity.conversation.id;
    if (this.outcomes)
      this.later(() => this.outcomes!.feedback(conversationId, helpful), 'feedback record failed');
    memory.unhelpful = helpful ? 0 : (memory.unhelpful ?? 0) + 1;
    await this.memory.set(context, memory);
    const r = emptyReply('smalltalk', language);
    r.text.push(helpful ? t('feedback.thanks') : t('feedback.sorry'));
    if (!helpful && memory.unhelpful >= 2) {
      r.text.push(t('feedback.offerHotline'));
      r.handoff = true;
      memory.offered = 'unhelpful';
    }
    if (!helpful) r.buttons.push({ title: t('hotlineButton'), value: t('hotlineButton') });
    await this.send(context, r);
  }

  private async sendText(context: TurnContext, text: string, language: 'vi' | 'en'): Promise<void> {
    const r = emptyReply('smalltalk', language);
    r.text.push(text);
    await this.send(context, r);
  }
}
