/**
 * The router: which entry answers a question, learned from the entries'
 * own words (title, aliases, FAQ questions) and their example questions,
 * with a `not-covered` class learned from questions about procedures the
 * knowledge base does not hold. It knows documents, nothing of
 * conversations: the bot decides what to do with the ranking.
 */
import {
  TextClassifier,
  isHeldOut,
  type ClassifierOptions,
  type FeatureVector,
  type Ranking,
} from './classifier';
import type { KnowledgeBase } from './loader';
import { NOT_COVERED, type Entry, type Example, type FieldName } from './schema';

export interface RouterOptions {
  /** Leave the held-out examples out of training (for measuring); the shipped model learns from all. */
  holdOut: boolean;
  classifier: Partial<ClassifierOptions>;
}

export const defaultRouterOptions: RouterOptions = { holdOut: false, classifier: {} };

/** The texts an entry says about itself, as extra examples of its label. */
export function entryTexts(entry: Entry): string[] {
  const out = [entry.title, ...entry.aliases];
  if (entry.title_en) out.push(entry.title_en);
  for (const f of entry.faq) out.push(f.q, ...(f.also ?? []));
  return out;
}

/** The router's training examples: entry texts and example questions (`split` filters the latter). */
export function routerExamples(kb: KnowledgeBase, keep: (e: Example) => boolean = () => true): Example[] {
  const own: Example[] = kb.entries.flatMap((entry) =>
    entryTexts(entry).map((text) => ({ text, label: entry.id, file: entry.id })),
  );
  return [...own, ...kb.examples.filter(keep)];
}

export class Router {
  readonly model: TextClassifier;
  private readonly titles = new Map<string, string>();

  constructor(kb: KnowledgeBase, options: Partial<RouterOptions> = {}) {
    const opts = { ...defaultRouterOptions, ...options };
    const keep = opts.holdOut ? (e: Example): boolean => !isHeldOut(e.text) : undefined;
    this.model = TextClassifier.train(routerExamples(kb, keep), opts.classifier);
    for (const e of kb.entries) this.titles.set(e.id, e.title);
  }

  /** Entries (and `not-covered`) with their probabilities, most likely first. */
  rank(features: FeatureVector): Ranking {
    return this.model.rank(features);
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
    options: { holdOut?: boolean } = {},
    /** A part at or above this probability is asked for (a question may ask two). */
    readonly threshold = 0.3,
  ) {
    const keep = (e: Example): boolean => !options.holdOut || !isHeldOut(e.text);
    this.model = TextClassifier.train(kb.fields.filter(keep));
  }

  /** The parts asked for, most likely first. */
  fields(features: FeatureVector): FieldName[] {
    return this.model
      .rank(features)
      .filter((r) => r.label !== 'none' && r.p >= this.threshold)
      .map((r) => r.label as FieldName);
  }
}
