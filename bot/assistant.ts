/**
 * One conversational turn, channel-neutral: recognise what the message is,
 * ask the knowledge base when it is a question, and build a Reply. The
 * caller keeps the ConversationMemory between turns (in memory for the
 * command line, in the bot's state storage for the channels).
 */
import i18next, { type TFunction, type i18n } from 'i18next';
import { withSeed, type FeatureVector, type Ranking } from '../knowledge/classifier';
import type { KnowledgeBase } from '../knowledge/loader';
import type { FieldName } from '../knowledge/schema';
import { foldedTokens } from '../knowledge/normalize';
import { decide, LanguageModel, type Language, type LanguageReading } from '../knowledge/language';
import { defaultRouterOptions, FieldModel, Router } from '../knowledge/router';
import { KnowledgeIndex, type Hit, type SearchOptions, type SearchResult } from '../knowledge/search';
import { composeAnswer } from './compose';
import { IntentRecognizer } from './intents';
import { emptyReply, type Reply } from '../core/reply';
import { defaultTriageThresholds, Triage, type Emergency, type TriageResult } from './triage';
import {
  decideInContext,
  decideRoute,
  defaultRouteThresholds,
  tiedChoices,
  type RouteDecision,
} from './understand';
import en from './locales/en.json';
import vi from './locales/vi.json';

export interface ConversationMemory {
  /** The entry the conversation is about, for follow-ups ("thế lệ phí bao nhiêu?"). */
  topic?: string;
  /** Questions in a row the assistant could not answer. */
  misses: number;
  /** The entries a clarification offered, so "2" or "số 2" picks one. */
  choices?: string[];
  /** The conversation's language, for a message that alone does not say ("ok", "2", "visa?"). */
  language?: Language;
  /**
   * The parts asked for when no procedure was named ("lệ phí bao nhiêu?"
   * with no topic): answered first when the next message names one.
   */
  parts?: FieldName[];
}

export function newMemory(): ConversationMemory {
  return { misses: 0 };
}

/**
 * A separate i18next instance, so the host application's own i18next is
 * left alone. The province's name, portal and hotline number are
 * configuration (PROVINCE_NAME, PROVINCE_PORTAL_URL, HOTLINE_NUMBER), put
 * into every text that names them.
 */
export function createI18n(province: ProvinceInfo = defaultProvince): i18n {
  const instance = i18next.createInstance();
  void instance.init({
    resources: { vi: { translation: vi }, en: { translation: en } },
    lng: 'vi',
    fallbackLng: 'vi',
    initAsync: false,
    interpolation: {
      escapeValue: false,
      defaultVariables: { province: province.name, portal: province.portal, hotline: province.hotline },
    },
  });
  return instance;
}

/** Who runs the assistant, as citizens are told (from configuration). */
export interface ProvinceInfo {
  /** "Nghệ An". */
  name: string;
  /** The province's public-service portal. */
  portal: string;
  /** The hotline's number ("1022"). */
  hotline: string;
}

export const defaultProvince: ProvinceInfo = {
  name: 'Nghệ An',
  portal: 'https://dichvucong.nghean.gov.vn',
  hotline: '1022',
};

/** How the hotline is described to citizens (from configuration). */
export interface HotlineInfo {
  hours: { vi: string; en: string };
  /** The province's name, portal and hotline number; Nghệ An's when not configured. */
  province?: ProvinceInfo;
  /**
   * A crisis line for adults thinking of self-harm, in words, per language:
   * configured by the province, since no 24/7 line could be confirmed from a
   * public source (seeds/triage/SOURCES.md); 115 and 111 are always given.
   */
  crisisLine?: { vi: string; en: string };
}

/** Texts kept per language (entries × parts × a few button texts fit many times over). */
const MAX_KEPT_TEXTS = 20_000;

/**
 * The key a system text is kept under: its key alone, or with options whose
 * values are plain (strings, numbers, booleans, and i18next's `interpolation`
 * settings); undefined for anything else, which is not kept.
 */
function textKey(args: unknown[]): string | undefined {
  const [key, options] = args;
  if (typeof key !== 'string' || args.length > 2) return undefined;
  if (args.length === 1) return key;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return undefined;
  for (const [name, value] of Object.entries(options)) {
    if (name === 'returnObjects' || name === 'lng') return undefined;
    const plain = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    if (!plain && name !== 'interpolation') return undefined;
  }
  return `${key}\u0000${JSON.stringify(options)}`;
}

/** What the models made of a message: computed once per turn. */
export interface Understanding {
  text: string;
  features: FeatureVector;
  ranking: Ranking;
  triage: TriageResult;
  /** The message's language, or undefined when it alone does not say (`LanguageModel.of`). */
  language: Language | undefined;
  /** What the message alone says of its language, for `languageOf` with a conversation. */
  reading: LanguageReading;
}

export const defaultHotline: HotlineInfo = {
  hours: { vi: 'giờ hành chính, từ thứ Hai đến thứ Sáu', en: 'office hours, Monday to Friday' },
};

/** The triage classes that end the turn with a reply of their own, before any knowledge search. */
const SAFETY_FIRST = new Set(['emergency_medical', 'emergency_fire', 'emergency_crime', 'self_harm']);

export class Assistant {
  readonly index: KnowledgeIndex;
  readonly router: Router;
  readonly triage: Triage;
  readonly fieldModel: FieldModel;
  readonly languageModel: LanguageModel;
  private readonly intents: IntentRecognizer;
  private readonly i18n: i18n;

  /**
   * `holdOut` trains the models without the held-out split of the examples,
   * so that split can be put through the whole assistant as unseen questions
   * (`EVAL_HOLD_OUT=1 npm run ask -- --jsonl`); the shipped assistant learns from all.
   * `seed`: another shuffle for every model's training (`npm run eval:heldout -- --seeds N`).
   */
  constructor(
    readonly kb: KnowledgeBase,
    options: Partial<SearchOptions> = {},
    private readonly hotline: HotlineInfo = defaultHotline,
    understanding: { holdOut?: boolean; seed?: number } = {},
  ) {
    this.i18n = createI18n(hotline.province);
    this.index = new KnowledgeIndex(kb, options);
    const { holdOut, seed } = understanding;
    const classifier = { ...defaultRouterOptions.classifier, ...withSeed(seed) };
    this.router = new Router(kb, { holdOut: holdOut ?? false, classifier });
    this.triage = new Triage(kb, { holdOut, seed });
    this.fieldModel = new FieldModel(kb, { holdOut, seed });
    this.languageModel = new LanguageModel(kb, { holdOut, seed });
    this.intents = new IntentRecognizer(kb.intents, this.index.lexicon);
  }

  /**
   * A message's features and triage, kept for the last message: a caller
   * that asks for the safety reply first and then the answer to the same
   * text should not normalise or classify it twice. (The bot, whose turns
   * interleave, keeps its turn's own `Understanding` and passes it back.)
   */
  private last?: Understanding;

  /** A message's features, the router's ranking and the triage. */
  understood(text: string): Understanding {
    if (this.last?.text !== text) {
      const features = this.router.features(text);
      const ranking = this.router.rank(features);
      const triage = this.triage.classify(features, this.router.knowledge(ranking));
      const reading = this.languageModel.read(text, features);
      this.last = { text, features, ranking, triage, language: decide(reading), reading };
    }
    return this.last;
  }

  /** What a message is before anything else (every channel, every state of the conversation). */
  classify(text: string): TriageResult {
    return this.understood(text).triage;
  }

  /**
   * The language to reply in: the message's own, else the conversation's
   * (kept in `memory`), else Vietnamese. `memory` is told the language.
   */
  languageOf(text: string, memory?: ConversationMemory, known?: Understanding): Language {
    const { reading } = known?.text === text ? known : this.understood(text);
    const language = decide(reading, memory?.language) ?? 'vi';
    if (memory) memory.language = language;
    return language;
  }

  /** The reply for an emergency or self-harm, or undefined for any other message. */
  safetyReply(text: string, understood: Understanding = this.understood(text)): Reply | undefined {
    if (!SAFETY_FIRST.has(understood.triage.label)) return undefined;
    return this.triaged(understood.triage, understood.language ?? 'vi', newMemory());
  }

  /**
   * The system texts of a language. The texts are fixed while the assistant
   * lives, so a text is worked out once per key and options and kept: by its
   * key alone (most of them), or with options of plain values ("Hỏi lệ phí
   * của {{title}}" for each entry's buttons, several per answer), which
   * i18next would otherwise interpolate anew on every turn. Objects asked
   * for (`returnObjects`) are not kept, since a caller may change them.
   */
  t(language: 'vi' | 'en'): TFunction {
    let t = this.fixedT.get(language);
    if (!t) {
      const base = this.i18n.getFixedT(language) as unknown as (...args: unknown[]) => unknown;
      const texts = new Map<string, unknown>();
      t = ((...args: unknown[]): unknown => {
        const cacheKey = textKey(args);
        if (cacheKey === undefined) return base(...args);
        let text = texts.get(cacheKey);
        if (text === undefined) {
          text = base(...args);
          if (typeof text !== 'string') return text;
          if (texts.size >= MAX_KEPT_TEXTS) texts.clear();
          texts.set(cacheKey, text);
        }
        return text;
      }) as unknown as TFunction;
      this.fixedT.set(language, t);
    }
    return t;
  }

  private readonly fixedT = new Map<'vi' | 'en', TFunction>();

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

  /** Answer one message and update the conversation memory; `known`: the message already understood. */
  respond(text: string, memory: ConversationMemory, known?: Understanding): Reply {
    const understood = known?.text === text ? known : this.understood(text);
    const language = this.languageOf(text, memory, understood);
    const t = this.t(language);
    const { features, ranking, triage } = understood;
    // "2" after "Bạn muốn hỏi về:" picks the second choice; a bare number is never triaged.
    const picked = /^\s*(?:so|số|number|no\.?)?\s*[1-9]\s*[.)]?\s*$/i.test(text) ? memory.choices : undefined;
    const triaged = picked ? undefined : this.triaged(triage, language, memory);
    if (triaged) return triaged;
    // Parts asked for last turn with no procedure named wait for this turn only.
    const pendingParts = memory.parts;
    memory.parts = undefined;

    const { intents, smalltalkShare } = this.intents.recognize(text);
    if (intents[0]?.kind === 'identity') return this.smalltalk(t('identity'), language, memory);
    const result = this.index.search(text, memory.topic);
    const routed = this.pickChoice(text, ranking, memory) ?? this.route(features, memory, ranking);
    const choices = tiedChoices(routed, this.tied(result), foldedTokens(text).length, defaultRouteThresholds);
    const route: RouteDecision = choices ? { kind: 'clarify', choices, p: routed.p } : routed;
    const answered = route.kind === 'which' ? undefined : this.answerable(result, route, ranking);
    const small = intents.find((i) => i.kind === 'greeting' || i.kind === 'thanks' || i.kind === 'goodbye');
    // "cảm ơn bạn nhiều nhé" is small talk even if a word of it matches an entry.
    if (small && (!answered || smalltalkShare >= 0.5 || route.kind !== 'answer' || route.followUp)) {
      if (small.kind === 'greeting') return this.welcome(language);
      return this.smalltalk(t(small.kind), language, memory);
    }
    const asked = [...new Set([...this.fieldModel.fields(features), ...result.fields])];
    if (answered) {
      // The parts asked for: the learned model's, and the lexical search's (multi-part questions),
      // else those asked before the procedure was named ("lệ phí bao nhiêu?" → "làm hộ chiếu").
      const fields = asked.length > 0 ? asked : (pendingParts ?? []);
      return this.answer({ ...result, fields }, answered, route, language, memory);
    }
    if (route.kind === 'clarify') return this.clarify(route, language, memory);
    // The parts named only when the message was read as asking for one ("lệ phí bao nhiêu?"), not for
    // help in general ("mình muốn làm giấy tờ", which the field model reads as asking for documents).
    if (route.kind === 'which') return this.whichProcedure(route.asksPart ? asked : [], language, memory);
    return this.notCovered(text, result, language, memory);
  }

  /** The entries the lexical search finds matching the question as well as its best one. */
  private tied(result: SearchResult): string[] {
    const [top] = result.candidates;
    if (!top || result.decision !== 'clarify') return [];
    const margin = this.index.options.clarifyMargin;
    return result.candidates
      .filter((h) => h.kind !== 'passage' && top.score - h.score < margin)
      .map((h) => h.id);
  }

  /**
   * The answer to a clarification: its number ("2", "số 2") or words that
   * the router prefers for one of the offered entries over the others.
   */
  private pickChoice(text: string, ranking: Ranking, memory: ConversationMemory): RouteDecision | undefined {
    const choices = memory.choices;
    memory.choices = undefined;
    if (!choices || choices.length === 0) return undefined;
    const n = /^\s*(?:so|số|number|no\.?)?\s*([1-9])\s*[.)]?\s*$/i.exec(text)?.[1];
    if (n) {
      const entry = choices[Number(n) - 1];
      return entry ? { kind: 'answer', entry, p: 1 } : undefined;
    }
    const ranked = ranking.filter((r) => choices.includes(r.label));
    const [first, second] = ranked;
    if (first && (!second || first.p >= 2 * second.p) && first.p >= defaultRouteThresholds.answer / 2) {
      return { kind: 'answer', entry: first.label, p: first.p };
    }
    return undefined;
  }

  /** The router's decision, with the conversation's current entry as a prior. */
  route(
    features: FeatureVector,
    memory: ConversationMemory,
    ranking: Ranking = this.router.rank(features),
  ): RouteDecision {
    // Words the router has never seen ("mnbv lkjh"): any entry would be a guess.
    if (this.router.model.known(features) < defaultTriageThresholds.known)
      return { kind: 'not_covered', p: 0 };
    const isEntry = (label: string): boolean => this.router.isEntry(label);
    const asksPart = this.fieldModel.fields(features).length > 0;
    if (memory.topic && this.router.isEntry(memory.topic)) {
      return decideInContext(ranking, memory.topic, defaultRouteThresholds, isEntry, asksPart);
    }
    return decideRoute(ranking, defaultRouteThresholds, isEntry, asksPart);
  }

  /**
   * The reply for a message that triage recognised (an emergency, self-harm,
   * a request for a person, a complaint, a harmful ask, another person's
   * data, something outside the service), or undefined for an ordinary one.
   */
  private triaged(
    triage: TriageResult,
    language: 'vi' | 'en',
    memory: ConversationMemory,
  ): Reply | undefined {
    const t = this.t(language);
    switch (triage.label) {
      case 'emergency_medical':
      case 'emergency_fire':
      case 'emergency_crime':
        return this.emergency(triage, language);
      case 'self_harm':
        return this.selfHarm(language);
      case 'handoff': {
        const r = this.handoff(t('handoff', { hours: this.hotline.hours[language] }), language, memory);
        r.handoffReason = 'asked';
        return r;
      }
      case 'complaint':
        return this.complaint(language, memory);
      case 'harmful':
      case 'personal_data':
      case 'out_of_scope':
        return this.decline(t(`triage.${triage.label}`), language, memory);
      default:
        return undefined;
    }
  }

  /**
   * The entry to answer from, if any: the router's answer, or a passage of
   * the province's documents when the lexical search finds one that answers
   * the question word for word and the router has no entry it is sure of.
   */
  private answerable(result: SearchResult, route: RouteDecision, ranking: Ranking): string | undefined {
    const best = result.best;
    const passage = best?.kind === 'passage' && result.decision === 'answer';
    if (route.kind === 'answer' && !(passage && route.followUp)) {
      const entry = this.index.get(route.entry);
      if (passage && entry?.kind === 'article') return best.id;
      return route.entry;
    }
    if (passage) return best.id;
    // A question about two things at once ("kết hôn xong thì làm căn cước ở đâu"): the lexical
    // search answers the best one with the others as sections, rather than asking which one.
    if (route.kind === 'clarify' && result.decision === 'answer' && best && result.also.length > 0) {
      if (route.choices.includes(best.id)) return best.id;
    }
    // Two views agree: the router is unsure, but the entry the lexical search is sure of is among
    // its likeliest few (thresholds in RouteThresholds, chosen on the held-out split).
    const t = defaultRouteThresholds;
    if (best && best.kind !== 'passage' && result.decision === 'answer' && best.score >= t.lexicalSure) {
      const likeliest = ranking.filter((r) => this.router.isEntry(r.label)).slice(0, t.agreeTopK);
      if (likeliest.some((r) => r.label === best.id)) return best.id;
    }
    return undefined;
  }

  private answer(
    result: SearchResult,
    id: string,
    route: RouteDecision,
    language: 'vi' | 'en',
    memory: ConversationMemory,
  ): Reply {
    const t = this.t(language);
    const entry = this.index.get(id);
    if (!entry) return this.notCovered('', result, language, memory);
    const isBest = result.best?.id === id;
    const reply = composeAnswer(
      {
        entry,
        fields: result.fields,
        faq: isBest ? result.faq : undefined,
        confidence: route.kind === 'answer' && route.entry === id ? route.p : (result.best?.score ?? 0),
        language,
      },
      t,
    );
    reply.candidates = this.considered(route, id);
    for (const hit of this.alsoAsked(result, id)) {
      const section = composeAnswer(
        { entry: hit.entry, fields: result.fields, confidence: hit.score, language },
        t,
      );
      section.buttons = [];
      reply.sections.push(section);
    }
    memory.topic = entry.kind === 'passage' ? memory.topic : id;
    memory.misses = 0;
    return reply;
  }

  /**
   * Other entries a question about several things asks about: the lexical
   * search's further parts, and its own best entry when the router answered
   * another part of the question (a passage of the plan excepted).
   */
  private alsoAsked(result: SearchResult, answered: string): Hit[] {
    const best = result.best;
    const other =
      best &&
      best.id !== answered &&
      best.kind !== 'passage' &&
      result.decision === 'answer' &&
      result.also.length > 0
        ? [best]
        : [];
    return [...other, ...result.also].filter((h) => h.id !== answered).slice(0, this.index.options.maxAlso);
  }

  /**
   * The entries the answer considered, for `ask --jsonl` and the supervisor's
   * view: the answered one first with the confidence the reply states.
   */
  private considered(route: RouteDecision, id: string): Reply['candidates'] {
    const entry = this.index.get(id);
    const score = route.kind === 'answer' && route.entry === id ? route.p : 0;
    return entry ? [{ id, title: entry.kind === 'passage' ? entry.document_title : entry.title, score }] : [];
  }

  /** Ask which of two or three genuinely close entries the citizen means, by short title. */
  private clarify(
    route: Extract<RouteDecision, { kind: 'clarify' }>,
    language: 'vi' | 'en',
    memory: ConversationMemory,
  ): Reply {
    const t = this.t(language);
    const r = emptyReply('clarify', language);
    r.text.push(t('clarify'));
    r.confidence = route.p;
    for (const id of route.choices.slice(0, 3)) {
      const entry = this.index.get(id);
      if (!entry || entry.kind === 'passage') continue;
      const title = language === 'en' && entry.title_en ? entry.title_en : entry.title;
      r.candidates.push({ id, title, score: route.p });
      r.buttons.push({ title, value: title });
    }
    r.buttons.push({ title: t('noneOfThese'), value: t('noneOfThese') });
    memory.choices = r.candidates.map((c) => c.id);
    memory.misses = 0;
    return r;
  }

  /**
   * A part asked for with no procedure named and none in the conversation
   * ("lệ phí bao nhiêu?" as a first message), or help asked with paperwork
   * that is not named ("mình muốn làm giấy tờ"): ask which procedure, and
   * keep the parts for the answer once it is named. Not a miss: nothing was
   * asked that the knowledge base lacks.
   */
  private whichProcedure(parts: FieldName[], language: 'vi' | 'en', memory: ConversationMemory): Reply {
    const t = this.t(language);
    const r = emptyReply('clarify', language);
    const named = parts.map((f) => t(`field.${f}`).toLocaleLowerCase(language)).join(', ');
    r.text.push(named ? t('whichProcedure', { parts: named }) : t('menuReply.procedures'));
    r.buttons.push({ title: t('hotlineButton'), value: t('hotlineButton') });
    memory.parts = parts;
    // A procedure not yet named is not the one talked about before: its follow-ups must not go there.
    memory.topic = undefined;
    memory.choices = undefined;
    memory.misses = 0;
    return r;
  }

  /**
   * A question the knowledge base does not cover: say so, point to the
   * portals' search with the citizen's own words and to 1022; never a
   * neighbouring procedure presented as the answer.
   */
  private notCovered(
    text: string,
    result: SearchResult,
    language: 'vi' | 'en',
    memory: ConversationMemory,
  ): Reply {
    const t = this.t(language);
    memory.misses += 1;
    const r = emptyReply('no_answer', language);
    r.confidence = result.best?.score ?? 0;
    r.candidates = result.candidates.map(({ id, title, score }) => ({ id, title, score }));
    const words = text.replace(/\s+/g, ' ').trim().slice(0, 80);
    r.text.push(words ? t('notCovered', { words }) : t('noAnswer'));
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

  /** A complaint or report: the official ways to file it, then a person. */
  private complaint(language: 'vi' | 'en', memory: ConversationMemory): Reply {
    const r = this.handoff(this.t(language)('complaint'), language, memory);
    r.handoffReason = 'complaint';
    return r;
  }

  /**
   * The number to call first (and any other emergency's close behind), then
   * one or two safety steps; when self-harm is close behind too, what to do
   * for a person who wants to harm themself and the crisis line. A person
   * follows up (urgent ticket).
   */
  private emergency(triage: TriageResult, language: 'vi' | 'en'): Reply {
    const t = this.t(language);
    const label = triage.label as Emergency;
    const r = emptyReply('emergency', language);
    r.text.push(
      t(`triage.${label}.call`),
      ...(triage.also ?? []).map((e) => t(`triage.${e}.call`)),
      t(`triage.${label}.steps`),
    );
    if (triage.alsoSelfHarm) r.text.push(t('triage.self_harm.also'), ...this.crisisLine(language));
    r.handoff = true;
    r.urgent = label;
    return r;
  }

  /** The crisis line the province configured (`Hotline.crisisLine`), if any. */
  private crisisLine(language: 'vi' | 'en'): string[] {
    const line = this.hotline.crisisLine?.[language];
    return line ? [line] : [];
  }

  /** A caring reply, 115 when in danger now, a crisis line, and an urgent hand-off to a person. */
  private selfHarm(language: 'vi' | 'en'): Reply {
    const t = this.t(language);
    const r = emptyReply('emergency', language);
    r.text.push(t('triage.self_harm.care'), t('triage.self_harm.danger'), t('triage.self_harm.line'));
    r.text.push(...this.crisisLine(language), t('triage.self_harm.person'));
    r.handoff = true;
    r.urgent = 'self_harm';
    return r;
  }

  private decline(text: string, language: 'vi' | 'en', memory: ConversationMemory): Reply {
    const r = emptyReply('decline', language);
    r.text.push(text);
    r.declined = true;
    memory.misses = 0;
    return r;
  }
}
