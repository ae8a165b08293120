/**
 * One conversational turn, channel-neutral: recognise what the message is,
 * ask the knowledge base when it is a question, and build a Reply. The
 * caller keeps the ConversationMemory between turns (in memory for the
 * command line, in the bot's state storage for the channels).
 */
import i18next, { type TFunction, type i18n } from 'i18next';
import type { KnowledgeBase } from '../knowledge/loader';
import { looksEnglish } from '../knowledge/normalize';
import { KnowledgeIndex, type SearchOptions, type SearchResult } from '../knowledge/search';
import { composeAnswer } from './compose';
import { IntentRecognizer, type ConversationIntent } from './intents';
import { emptyReply, type Reply } from './reply';
import en from './locales/en.json';
import vi from './locales/vi.json';

export interface ConversationMemory {
  /** The entry the conversation is about, for follow-ups ("thế lệ phí bao nhiêu?"). */
  topic?: string;
  /** Questions in a row the assistant could not answer. */
  misses: number;
}

/** Confidence above which an answer beats an out-of-scope cue in the same message. */
export const OUT_OF_SCOPE_OVERRIDE = 0.85;

export function newMemory(): ConversationMemory {
  return { misses: 0 };
}

/** A separate i18next instance, so the host application's own i18next is left alone. */
export function createI18n(): i18n {
  const instance = i18next.createInstance();
  void instance.init({
    resources: { vi: { translation: vi }, en: { translation: en } },
    lng: 'vi',
    fallbackLng: 'vi',
    initAsync: false,
    interpolation: { escapeValue: false },
  });
  return instance;
}

/** How the hotline is described to citizens (from configuration). */
export interface HotlineInfo {
  hours: { vi: string; en: string };
}

export const defaultHotline: HotlineInfo = {
  hours: { vi: 'giờ hành chính, từ thứ Hai đến thứ Sáu', en: 'office hours, Monday to Friday' },
};

export class Assistant {
  readonly index: KnowledgeIndex;
  private readonly intents: IntentRecognizer;
  private readonly i18n = createI18n();

  constructor(
    readonly kb: KnowledgeBase,
    options: Partial<SearchOptions> = {},
    private readonly hotline: HotlineInfo = defaultHotline,
  ) {
    this.index = new KnowledgeIndex(kb, options);
    this.intents = new IntentRecognizer(kb.intents, this.index.lexicon);
  }

  t(language: 'vi' | 'en'): TFunction {
    return this.i18n.getFixedT(language);
  }

  /** The welcome message with the menu of areas. */
  welcome(language: 'vi' | 'en' = 'vi'): Reply {
    const t = this.t(language);
    const r = emptyReply('smalltalk', language);
    r.text.push(t('welcome'));
    for (const key of ['procedures', 'services', 'lessons', 'hotline']) {
      const title = t(`menu.${key}`);
      r.buttons.push({ title, value: title });
    }
    return r;
  }

  /** Answer one message and update the conversation memory. */
  respond(text: string, memory: ConversationMemory): Reply {
    const language = looksEnglish(text) ? 'en' : 'vi';
    const t = this.t(language);
    const { intents, smalltalkShare } = this.intents.recognize(text);
    const first = intents[0];

    if (first?.kind === 'emergency') return this.emergency(first, language);
    if (first?.kind === 'identity') return this.smalltalk(t('identity'), language, memory);
    if (first?.kind === 'handoff') {
      const r = this.handoff(t('handoff', { hours: this.hotline.hours[language] }), language, memory);
      r.handoffReason = 'asked';
      return r;
    }

    const result = this.index.search(text, memory.topic);
    if (first?.kind === 'complaint') return this.complaint(result, language, memory);

    const answered = this.answerable(result, memory);
    // A cue outside the service ("giá vàng", "đau ngực") wins unless the knowledge base is nearly certain.
    if (
      first?.kind === 'out_of_scope' &&
      !(answered && result.best && result.best.score >= OUT_OF_SCOPE_OVERRIDE)
    ) {
      return this.decline(first.topic, language, memory);
    }
    const small = intents.find((i) => i.kind === 'greeting' || i.kind === 'thanks' || i.kind === 'goodbye');
    // "cảm ơn bạn nhiều nhé" is small talk even if a word of it matches an entry.
    if (small && (!answered || smalltalkShare >= 0.5)) {
      if (small.kind === 'greeting') return this.welcome(language);
      return this.smalltalk(t(small.kind), language, memory);
    }
    if (answered) return this.answer(result, answered, language, memory);
    if (result.decision === 'clarify') return this.clarify(result, language, memory);
    return this.noAnswer(result, language, memory);
  }

  /**
   * The entry to answer from, if any: the best match when the search is
   * sure, or the conversation's topic when the message is a follow-up that
   * asks for a part ("lệ phí bao nhiêu?") without naming anything new.
   */
  private answerable(result: SearchResult, memory: ConversationMemory): string | undefined {
    const best = result.best;
    if (memory.topic && result.fields.length > 0) {
      const namesOther = best !== null && best.id !== memory.topic && result.decision === 'answer';
      if (!namesOther) return memory.topic;
    }
    if (result.decision === 'answer' && best) return best.id;
    return undefined;
  }

  private answer(result: SearchResult, id: string, language: 'vi' | 'en', memory: ConversationMemory): Reply {
    const t = this.t(language);
    const entry = this.index.get(id);
    if (!entry) return this.noAnswer(result, language, memory);
    const isBest = result.best?.id === id;
    const reply = composeAnswer(
      {
        entry,
        fields: result.fields,
        faq: isBest ? result.faq : undefined,
        confidence: isBest ? (result.best?.score ?? 0) : this.index.options.answerThreshold,
        language,
      },
      t,
    );
    reply.candidates = result.candidates.map(({ id: cid, title, score }) => ({ id: cid, title, score }));
    if (isBest) {
      for (const hit of result.also) {
        const section = composeAnswer(
          { entry: hit.entry, fields: result.fields, confidence: hit.score, language },
          t,
        );
        section.buttons = [];
        reply.sections.push(section);
      }
    }
    memory.topic = entry.kind === 'passage' ? memory.topic : id;
    memory.misses = 0;
    return reply;
  }

  private clarify(result: SearchResult, language: 'vi' | 'en', memory: ConversationMemory): Reply {
    const t = this.t(language);
    const r = emptyReply('clarify', language);
    r.text.push(t('clarify'));
    r.confidence = result.best?.score ?? 0;
    r.candidates = result.candidates.map(({ id, title, score }) => ({ id, title, score }));
    for (const c of result.candidates) r.buttons.push({ title: c.title, value: c.title });
    r.buttons.push({ title: t('noneOfThese'), value: t('noneOfThese') });
    memory.misses = 0;
    return r;
  }

  private noAnswer(result: SearchResult, language: 'vi' | 'en', memory: ConversationMemory): Reply {
    const t = this.t(language);
    memory.misses += 1;
    const r = emptyReply('no_answer', language);
    r.confidence = result.best?.score ?? 0;
    r.candidates = result.candidates.map(({ id, title, score }) => ({ id, title, score }));
    r.text.push(t('noAnswer'));
    if (memory.misses >= 2) {
      r.text.push(t('noAnswerAgain'));
      r.handoff = true;
    }
    r.buttons.push({ title: t('hotlineButton'), value: t('hotlineButton') });
    return r;
  }

  private smalltalk(text: string, language: 'vi' | 'en', memory: ConversationMemory): Reply {
    const r = emptyReply('smalltalk', language);
    r.text.push(text);
    memory.misses = 0;
    return r;
  }

  private handoff(text: string, language: 'vi' | 'en', memory: ConversationMemory): Reply {
    const r = emptyReply('handoff', language);
    r.text.push(text);
    r.handoff = true;
    memory.misses = 0;
    return r;
  }

  /** A complaint or report: how to file it, and the offer of a person. */
  private complaint(result: SearchResult, language: 'vi' | 'en', memory: ConversationMemory): Reply {
    const r = this.handoff(this.t(language)('complaint'), language, memory);
    r.kind = 'handoff';
    r.handoffReason = 'complaint';
    r.candidates = result.candidates.map(({ id, title, score }) => ({ id, title, score }));
    return r;
  }

  private emergency(
    intent: Extract<ConversationIntent, { kind: 'emergency' }>,
    language: 'vi' | 'en',
  ): Reply {
    const t = this.t(language);
    const r = emptyReply('emergency', language);
    r.text.push(t('emergency', { number: intent.number, service: intent.service }));
    r.text.push(t('emergencyReport'));
    r.handoff = true;
    r.buttons.push({ title: t('hotlineButton'), value: t('hotlineButton') });
    return r;
  }

  private decline(topic: string, language: 'vi' | 'en', memory: ConversationMemory): Reply {
    const r = emptyReply('decline', language);
    r.text.push(this.t(language)('decline', { topic }));
    r.declined = true;
    memory.misses = 0;
    return r;
  }
}
