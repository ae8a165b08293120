/**
 * A digital-skills lesson as a dialog: one step per turn, forward and back,
 * leave at any time with the place remembered (in user state, so it
 * survives a restart and follows the citizen to a new conversation), and a
 * check question with feedback at the end.
 */
import type { StatePropertyAccessor } from 'botbuilder';
// The package's modules, not its index (see publicServiceBot.ts).
import { Dialog, type DialogTurnResult } from 'botbuilder-dialogs/lib/dialog';
import type { DialogContext } from 'botbuilder-dialogs/lib/dialogContext';
import type { TFunction } from 'i18next';
import { foldedTokens } from '../knowledge/normalize';
import type { Lesson } from '../knowledge/schema';
import { emptyReply, type Reply } from '../core/reply';

/** Where the citizen is in each lesson: lesson id → step index (0-based). */
export type LessonProgress = Record<string, number>;

/** A lesson's control words: next step, previous step, leave the lesson. */
type LessonCommand = 'next' | 'back' | 'exit';

interface LessonState {
  lessonId: string;
  step: number;
  /** At the check question once every step was shown. */
  checking: boolean;
  language: 'vi' | 'en';
}

export interface LessonOptions {
  lessonId: string;
  language: 'vi' | 'en';
}

/** What ended the dialog: finished, left on purpose, or a message that is not about the lesson. */
export interface LessonResult {
  ended: 'finished' | 'left' | 'interrupted';
  /** The text to handle as a normal question when interrupted. */
  text?: string;
}

export class LessonDialog extends Dialog<LessonOptions> {
  static readonly id = 'lesson';

  constructor(
    private readonly lessons: Map<string, Lesson>,
    private readonly progress: StatePropertyAccessor<LessonProgress>,
    private readonly t: (language: 'vi' | 'en') => TFunction,
    private readonly send: (dc: DialogContext, reply: Reply) => Promise<void>,
  ) {
    super(LessonDialog.id);
  }

  override async beginDialog(dc: DialogContext, options?: LessonOptions): Promise<DialogTurnResult> {
    const lesson = options && this.lessons.get(options.lessonId);
    if (!options || !lesson) return dc.endDialog({ ended: 'finished' } satisfies LessonResult);
    const saved = (await this.progress.get(dc.context, {}))[lesson.id];
    const step = saved !== undefined && saved < lesson.steps.length ? saved : 0;
    const state: LessonState = { lessonId: lesson.id, step, checking: false, language: options.language };
    dc.activeDialog!.state = state;
    await this.showStep(dc, lesson, state, saved !== undefined && saved > 0);
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as LessonState;
    const lesson = this.lessons.get(state.lessonId);
    if (!lesson) return dc.endDialog({ ended: 'finished' } satisfies LessonResult);
    const text = dc.context.activity.text ?? '';
    const command = this.command(text, state.language);

    if (state.checking && command === undefined) return this.grade(dc, lesson, state, text);
    if (command === 'next') {
      if (state.step + 1 < lesson.steps.length) {
        state.step++;
        await this.save(dc, lesson.id, state.step);
        await this.showStep(dc, lesson, state, false);
      } else {
        state.checking = true;
        await this.showCheck(dc, lesson, state);
      }
      return Dialog.EndOfTurn;
    }
    if (command === 'back') {
      state.checking = false;
      state.step = Math.max(0, state.step - 1);
      await this.save(dc, lesson.id, state.step);
      await this.showStep(dc, lesson, state, false);
      return Dialog.EndOfTurn;
    }
    await this.save(dc, lesson.id, state.step);
    if (command === 'exit') {
      const r = emptyReply('smalltalk', state.language);
      r.text.push(this.t(state.language)('lesson.paused', { n: state.step + 1 }));
      await this.send(dc, r);
      return dc.endDialog({ ended: 'left' } satisfies LessonResult);
    }
    // Anything else is a question of its own: the place is kept, the question answered.
    return dc.endDialog({ ended: 'interrupted', text } satisfies LessonResult);
  }

  /** A lesson's own control word ("tiếp", "quay lại", "thoát"): the bot must not triage it. */
  command(text: string, language: 'vi' | 'en'): LessonCommand | undefined {
    return this.commandWords(language).get(wordsKey(text));
  }

  /** Whether a text is a lesson's control word in either language (folded once: asked on every turn). */
  isCommand(text: string): boolean {
    const key = wordsKey(text);
    return this.commandWords('vi').has(key) || this.commandWords('en').has(key);
  }

  /** The control words of a language, folded, each with its command (asked on every turn: built once). */
  private readonly commands = new Map<'vi' | 'en', Map<string, LessonCommand>>();

  private commandWords(language: 'vi' | 'en'): Map<string, LessonCommand> {
    let words = this.commands.get(language);
    if (words) return words;
    const t = this.t(language);
    words = new Map();
    const add = (command: LessonCommand, ...options: string[]): void => {
      for (const o of options) {
        const key = wordsKey(o);
        if (!words!.has(key)) words!.set(key, command);
      }
    };
    add('next', t('lesson.next'), 'tiếp', 'tiếp theo', 'tiep', 'next', 'bước tiếp', 'ok', 'tiếp tục');
    add('back', t('lesson.back'), 'quay lại', 'lùi', 'back', 'trước');
    add('exit', t('lesson.exit'), 'thoát', 'dừng', 'dừng lại', 'thôi', 'exit', 'stop');
    this.commands.set(language, words);
    return words;
  }

  private async save(dc: DialogContext, lessonId: string, step: number): Promise<void> {
    const progress = { ...(await this.progress.get(dc.context, {})), [lessonId]: step };
    await this.progress.set(dc.context, progress);
  }

  private async showStep(
    dc: DialogContext,
    lesson: Lesson,
    state: LessonState,
    resumed: boolean,
  ): Promise<void> {
    const t = this.t(state.language);
    const r = emptyReply('lesson', state.language);
    r.title = lesson.title;
    r.entry = { id: lesson.id, title: lesson.title, codes: [] };
    if (resumed) r.text.push(t('lesson.resumeAt', { title: lesson.title, n: state.step + 1 }));
    r.text.push(t('lesson.step', { title: lesson.title, n: state.step + 1, total: lesson.steps.length }));
    r.text.push(lesson.steps[state.step] ?? '');
    r.buttons.push({ title: t('lesson.next'), value: t('lesson.next') });
    if (state.step > 0) r.buttons.push({ title: t('lesson.back'), value: t('lesson.back') });
    r.buttons.push({ title: t('lesson.exit'), value: t('lesson.exit') });
    await this.send(dc, r);
  }

  private async showCheck(dc: DialogContext, lesson: Lesson, state: LessonState): Promise<void> {
    const t = this.t(state.language);
    const r = emptyReply('lesson', state.language);
    r.title = lesson.title;
    r.entry = { id: lesson.id, title: lesson.title, codes: [] };
    r.text.push(t('lesson.check', { question: lesson.check.question }));
    for (const o of lesson.check.options ?? []) r.buttons.push({ title: o, value: o });
    r.buttons.push({ title: t('lesson.back'), value: t('lesson.back') });
    await this.send(dc, r);
  }

  /** Feedback on the check answer; the lesson is then complete and its place forgotten. */
  private async grade(
    dc: DialogContext,
    lesson: Lesson,
    state: LessonState,
    text: string,
  ): Promise<DialogTurnResult> {
    const t = this.t(state.language);
    const said = wordsKey(text);
    const answer = wordsKey(lesson.check.answer);
    const options = (lesson.check.options ?? []).map(wordsKey);
    const byNumber = /^\d+$/.test(said) ? options[Number(said) - 1] : undefined;
    const correct = said === answer || byNumber === answer || (said.length > 3 && answer.includes(said));
    const r = emptyReply('lesson', state.language);
    r.entry = { id: lesson.id, title: lesson.title, codes: [] };
    const explanation = lesson.check.explanation ?? '';
    r.text.push(
      correct
        ? t('lesson.correct', { explanation }).trim()
        : t('lesson.incorrect', { answer: lesson.check.answer, explanation }).trim(),
    );
    r.text.push(t('lesson.done', { title: lesson.title, more: lesson.learn_more.join('; ') }));
    const progress = { ...(await this.progress.get(dc.context, {})) };
    delete progress[lesson.id];
    await this.progress.set(dc.context, progress);
    await this.send(dc, r);
    return dc.endDialog({ ended: 'finished' } satisfies LessonResult);
  }
}

/**
 * A text as it is compared with the control words and a check's answer: its folded words, single
 * spaces ("Tiếp!" and "tiep" alike).
 */
function wordsKey(text: string): string {
  return foldedTokens(text).join(' ');
}
