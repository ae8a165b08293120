/**
 * The router: which entry answers a question, learned from the entries'
 * own words (title, aliases, FAQ questions) and their example questions,
 * with a `not-covered` class learned from questions about procedures the
 * knowledge base does not hold, and an `unspecified` class from messages
 * that ask for help with paperwork without naming any. It knows documents, nothing of
 * conversations: the bot decides what to do with the ranking.
 */
import { createHash } from 'node:crypto';
import { rememberedJson } from './cache';
import {
  TextClassifier,
  isHeldOut,
  withSeed,
  type ClassifierOptions,
  type FeatureVector,
  type Prepare,
  type Ranking,
} from './classifier';
import { fromSeeds, type KnowledgeBase } from './loader';
import { Lexicon } from './query';
import { NON_ENTRY_LABELS, NOT_COVERED, type Entry, type Example, type FieldName } from './schema';

export interface RouterOptions {
  /** Leave the held-out examples out of training (for measuring); the shipped model learns from all. */
  holdOut: boolean;
  classifier: Partial<ClassifierOptions>;
}

/** Six passes (5-fold CV on the training split: 84.7% top-1 against 83.4% with twelve). */
export const defaultRouterOptions: RouterOptions = { holdOut: false, classifier: { epochs: 6 } };

/**
 * The label of messages that ask about the conversation's current entry
 * without naming one ("lệ phí bao nhiêu?", "còn người nước ngoài thì sao?").
 * Learned from the ways to ask for a part (`seeds/fields/`) that name no
 * entry, so that in a conversation they are not taken for "not covered".
 */
export const FOLLOW_UP = 'follow-up';

/** The best entry's probability below which a field example is taken to name no entry. */
const NAMES_NO_ENTRY = 0.8;

/**
 * Chat spellings spelt out before features are taken, from the knowledge
 * base's synonyms (data). One function per knowledge base, shared by every
 * model trained on it, so that each example is prepared once for all of
 * them (the classifier keeps prepared texts per function while training).
 */
export function chatExpansion(kb: KnowledgeBase): Prepare {
  let prepare = expansions.get(kb);
  if (!prepare) {
    const lexicon = new Lexicon(kb.synonyms, kb.intents);
    prepare = (text: string): string => lexicon.expand(text);
    const data = JSON.stringify({ synonyms: kb.synonyms, intents: kb.intents });
    prepare.fingerprint = createHash('sha256').update(data).digest('hex');
    expansions.set(kb, prepare);
  }
  return prepare;
}

const expansions = new WeakMap<KnowledgeBase, Prepare>();

/** The texts an entry says about itself, as extra examples of its label. */
export function entryTexts(entry: Entry): string[] {
  const out = [entry.title, ...entry.aliases];
  if (entry.title_en) out.push(entry.title_en);
  for (const f of entry.faq) out.push(f.q, ...(f.also ?? []));
  return out;
}

/** Requests built from the phrasings of `seeds/intents.yaml` around an entry's title and first alias. */
export function phrasedRequests(kb: KnowledgeBase, entry: Entry): string[] {
  const names = [entry.title, entry.aliases[0]].filter((n): n is string => !!n);
  const lower = (n: string): string => n.charAt(0).toLowerCase() + n.slice(1);
  return kb.intents.phrasings.flatMap((p) => names.map((n) => p.replace('{x}', lower(n))));
}

/** The router's training examples: entry texts and example questions (`split` filters the latter). */
export function routerExamples(kb: KnowledgeBase, keep: (e: Example) => boolean = () => true): Example[] {
  const own: Example[] = kb.entries.flatMap((entry) =>
    [...entryTexts(entry), ...phrasedRequests(kb, entry)].map((text) => ({
      text,
      label: entry.id,
      file: entry.id,
    })),
  );
  const held = new Set(kb.entries.map((e) => e.id));
  const routable = (e: Example): boolean => NON_ENTRY_LABELS.has(e.label) || held.has(e.label);
  return [...own, ...kb.examples.filter((e) => routable(e) && keep(e))];
}

export class Router {
  readonly model: TextClassifier;
  private readonly titles = new Map<string, string>();

  constructor(kb: KnowledgeBase, options: Partial<RouterOptions> = {}) {
    const opts = { ...defaultRouterOptions, ...options };
    const keep = opts.holdOut ? (e: Example): boolean => !isHeldOut(e.text) : (): boolean => true;
    for (const e of kb.entries) this.titles.set(e.id, e.title);
    const examples = routerExamples(kb, keep);
    // A quick first model tells which ways of asking for a part name an entry ("làm hộ chiếu hết
    // bao nhiêu") and which do not ("hết bao nhiêu tiền?"); the latter teach the follow-up class.
    const prepare = chatExpansion(kb);
    // It learns from the seeds alone (`fromSeeds`), so a supervisor's added example retrains only
    // the model below.
    const firstExamples = examples.filter(fromSeeds);
    const firstOptions = { ...opts.classifier, epochs: 3 };
    const fields = kb.fields.filter(keep);
    // Which ones is kept with the first model's key: a start whose examples are unchanged reads
    // the answer instead of loading that model (some 90 MB) and ranking every field example.
    const chosen = rememberedJson(
      [
        'follow-ups',
        TextClassifier.key(firstExamples, firstOptions, prepare),
        String(NAMES_NO_ENTRY),
        ...fields.map((e) => e.text),
      ],
      () => {
        const first = TextClassifier.train(firstExamples, firstOptions, prepare);
        return fields.flatMap((e, i) => {
          const best = first.rankText(e.text).find((r) => this.isEntry(r.label));
          return (best?.p ?? 0) < NAMES_NO_ENTRY ? [i] : [];
        });
      },
    );
    const followUps = chosen.map((i) => fields[i] as Example);
    const labelled = followUps.map((e) => ({ ...e, label: FOLLOW_UP }));
    this.model = TextClassifier.train([...examples, ...labelled], opts.classifier, prepare);
  }

  /** A message's features, computed once and shared by triage, the router and the field model. */
  features(text: string): FeatureVector {
    return this.model.features(text);
  }

  /** Entries (and `not-covered`) with their probabilities, most likely first. */
  rank(features: FeatureVector): Ranking {
    return this.model.rank(features);
  }

  /**
   * How much a ranking reads as a question on an entry or a follow-up on
   * one: the best entry's probability plus the follow-up class's.
   */
  knowledge(ranking: Ranking): number {
    const entry = ranking.find((r) => this.isEntry(r.label))?.p ?? 0;
    return entry + (ranking.find((r) => r.label === FOLLOW_UP)?.p ?? 0);
  }

  /** Whether a label is a real entry (not the `not-covered` class). */
  isEntry(label: string): boolean {
    return label !== NOT_COVERED && this.titles.has(label);
  }
}

/**
 * Which parts of an entry a question asks for (documents, fees, where…),
 * learned from `seeds/fields/`: "có mất tiền ko", "bao lâu thì có" and
 * "làm trên mạng được không" without a list of cue phrases for each.
 */
export class FieldModel {
  readonly model: TextClassifier;

  constructor(
    kb: KnowledgeBase,
    options: { holdOut?: boolean; seed?: number } = {},
    /** A part at or above this probability is asked for (a question may ask two). */
    readonly threshold = 0.3,
  ) {
    const keep = (e: Example): boolean => !options.holdOut || !isHeldOut(e.text);
    this.model = TextClassifier.train(kb.fields.filter(keep), withSeed(options.seed), chatExpansion(kb));
  }

  /** The parts asked for, most likely first. */
  fields(features: FeatureVector): FieldName[] {
    return this.model
      .rank(features)
      .filter((r) => r.label !== 'none' && r.p >= this.threshold)
      .map((r) => r.label as FieldName);
  }
}
