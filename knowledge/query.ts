/**
 * Turning a citizen's question into weighted query *slots*.
 *
 * A slot is one piece of meaning in the question: a word, a known syllable
 * pair, or a synonym group. It has a mass (how much it says, from its rarity
 * in the knowledge base) and alternatives (the spellings that count as a
 * match). Confidence is the share of the question's mass an entry matches.
 */
import type { FieldName, Intents, Synonyms } from './schema';
import {
  editDistance,
  englishStem,
  fold,
  foldedTokens,
  looksEnglish,
  soundKey,
  tokens,
  type Token,
} from './normalize';

export interface Slot {
  /** Terms any one of which matches the slot (folded words, "a_b" pairs, "~stem" English stems). */
  alternatives: string[][];
  /** Weight before rarity: 1 for a word, more for a pair or synonym phrase. */
  weight: number;
  /** Filled in by the index: rarity-scaled weight. */
  mass: number;
  /** Filled in by the index: `alternatives` as the index's term numbers (-1: a term it lacks). */
  termIds?: number[][];
  /** 1 for words as typed; less for a typo correction, which is a guess. */
  trust: number;
  /**
   * A pair is evidence of a phrase when an entry has it; its absence says
   * little (many pairs only join two words across a phrase boundary), so
   * an unmatched pair does not count against an entry.
   */
  bonus?: boolean;
  /** The word as typed with tone marks, when it had any: "mưa" must not fully match "mua". */
  accented?: string;
  /** What the slot came from, for explanations and tests. */
  label: string;
}

export interface ParsedQuery {
  text: string;
  /** Folded tokens after rewrites (ko → không...). */
  words: string[];
  /** Accented tokens as typed, for tie-breaking. */
  accented: string[];
  english: boolean;
  /** Parts of an entry the question asks for, in the order asked. */
  fields: FieldName[];
  slots: Slot[];
}

/** What the query parser needs to know about the indexed vocabulary. */
export interface Vocabulary {
  has(term: string): boolean;
  /** Document frequency of a term (0 when unknown). */
  df(term: string): number;
  /** Known words one edit or one sound-alike away from `word`, most frequent first. */
  correct(word: string): string | undefined;
}

/** Pre-folded conversation data, built once from the knowledge base. */
export class Lexicon {
  readonly rewrites = new Map<string, string[]>();
  /** Stop words as written (with tone marks) and folded. */
  readonly stopwords: Set<string>;
  private readonly foldedStopwords: Set<string>;
  readonly groups: string[][][];
  /** Folded title openers, longest first. */
  readonly titleOpeners: string[][];
  readonly fieldCues: Array<{ field: FieldName; cue: string[] }>;
  /** Words that join the parts of a question, as tokens (folded and as written). */
  readonly joiners: Token[][];
  /** Words that show a part of a question asks something ("gì", "không", "thế nào"). */
  readonly questionCues: Token[][];

  constructor(synonyms: Synonyms, intents: Intents) {
    for (const [from, to] of Object.entries(synonyms.rewrites)) {
      this.rewrites.set(fold(from).trim(), foldedTokens(to));
    }
    this.stopwords = new Set(synonyms.stopwords.flatMap((w) => tokens(w).map((t) => t.accented)));
    this.foldedStopwords = new Set(synonyms.stopwords.flatMap((w) => foldedTokens(w)));
    this.titleOpeners = synonyms.title_openers
      .map((o) => foldedTokens(o))
      .sort((a, b) => b.length - a.length);
    this.groups = synonyms.groups.map((g) => g.map((phrase) => this.rewrite(foldedTokens(phrase))));
    this.fieldCues = [];
    for (const [field, cues] of Object.entries(intents.fields) as Array<[FieldName, string[]]>) {
      for (const cue of cues) this.fieldCues.push({ field, cue: this.rewrite(foldedTokens(cue)) });
    }
    // Longer cues first so that "nộp ở đâu" wins over "ở đâu".
    this.fieldCues.sort((a, b) => b.cue.length - a.cue.length);
    this.joiners = intents.joiners.map((j) => tokens(j)).filter((j) => j.length > 0);
    this.joiners.sort((a, b) => b.length - a.length);
    this.questionCues = intents.question_cues.map((j) => tokens(j)).filter((j) => j.length > 0);
  }

  /**
   * Whether a word is filler. Folding makes "đang" (filler) and "đăng"
   * (register) the same, so a word typed with tone marks is filler only if
   * it is written exactly like a stop word; one typed without them may be
   * either, and counts as filler (its pairs still count).
   */
  isStopword(folded: string, accented: string | undefined): boolean {
    if (accented === undefined || accented === folded) return this.foldedStopwords.has(folded);
    return this.stopwords.has(accented);
  }

  /** A title without its generic opener ("đăng ký khai sinh" → "khai sinh"), if it has one. */
  titleCore(words: string[]): string[] | undefined {
    for (const o of this.titleOpeners) {
      if (o.length < words.length && o.every((w, i) => words[i] === w)) return words.slice(o.length);
    }
    return undefined;
  }

  /**
   * The text with its chat spellings spelt out after it ("lm cccd" →
   * "lm cccd lam can cuoc cong dan"), for the learned models: both the
   * typed and the spelt-out forms then count.
   */
  expand(text: string): string {
    const words = foldedTokens(text);
    const rewritten = this.rewrite(words);
    return rewritten.length === words.length && rewritten.every((w, i) => w === words[i])
      ? text
      : `${text} ${rewritten.join(' ')}`;
  }

  /** Apply chat rewrites token by token ("ko" → "khong", "cccd" → "can cuoc cong dan"). */
  rewrite(words: string[]): string[] {
    return words.flatMap((w) => this.rewrites.get(w) ?? [w]);
  }
}

/** Positions where `phrase` occurs in `words`. */
export function findPhrase(words: string[], phrase: string[]): number[] {
  const out: number[] = [];
  if (phrase.length === 0) return out;
  outer: for (let i = 0; i + phrase.length <= words.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (words[i + j] !== phrase[j]) continue outer;
    out.push(i);
  }
  return out;
}

/** The terms that represent a phrase in the index: its pairs, or the word itself when alone. */
export function phraseTerms(words: string[]): string[] {
  if (words.length === 1) return [words[0] as string];
  const out: string[] = [];
  for (let i = 0; i + 1 < words.length; i++) out.push(`${words[i]}_${words[i + 1]}`);
  return out;
}

/** One part of a question (see splitParts). */
export interface QuestionPart {
  /** Its words as written. */
  text: string;
  /** The joining word before it ("và", "còn"), if any. */
  joiner?: string;
  /** Whether it asks something: a question mark, a question word or a field cue. */
  asks: boolean;
}

/**
 * Whether `cue` is written at position `at` of `words`. In a question typed
 * with tone marks it must have the same marks ("còn" is not "con"); in one
 * typed without any, the folded forms must agree.
 */
function cueAt(words: Token[], at: number, cue: Token[], plain: boolean): boolean {
  return cue.every((t, k) => {
    const w = words[at + k];
    return w !== undefined && (plain ? w.folded === t.folded : w.accented === t.accented);
  });
}

/**
 * The parts of a question that may ask about different things: the
 * stretches between punctuation (". , ; : ? !") and joining words ("và",
 * "rồi", "tiện hỏi").
 */
export function splitParts(text: string, lexicon: Lexicon): QuestionPart[] {
  const all = tokens(text);
  const plain = all.every((w) => w.accented === w.folded);
  const parts: QuestionPart[] = [];
  // With a capturing group, split() returns the chunks with their punctuation between them.
  const pieces = text.normalize('NFC').split(/([.,;:?!…\n]+(?=\s|$)|[;?!…\n]+)/u);
  for (let c = 0; c < pieces.length; c += 2) {
    const words = tokens(pieces[c] ?? '');
    const question = (pieces[c + 1] ?? '').includes('?');
    let current: Token[] = [];
    let joiner: string | undefined;
    const close = (last: boolean): void => {
      if (current.length === 0) return;
      const folded = lexicon.rewrite(current.map((w) => w.folded));
      const asks =
        (last && question) ||
        current.some((_, i) => lexicon.questionCues.some((q) => cueAt(current, i, q, plain))) ||
        lexicon.fieldCues.some(({ cue }) => findPhrase(folded, cue).length > 0);
      parts.push({ text: current.map((w) => w.accented).join(' '), joiner, asks });
      current = [];
    };
    for (let i = 0; i < words.length;) {
      const found = lexicon.joiners.find((j) => cueAt(words, i, j, plain));
      if (found) {
        close(false);
        joiner = words
          .slice(i, i + found.length)
          .map((w) => w.accented)
          .join(' ');
        i += found.length;
      } else {
        current.push(words[i] as Token);
        i++;
      }
    }
    close(true);
  }
  return parts;
}

export interface QueryWeights {
  pair: number;
  synonym: number;
  /** Share of credit a typo-corrected word earns. */
  correctionTrust: number;
}

/**
 * Parse a question into field intents and weighted slots. Slot masses are
 * left at 0; the index fills them from its rarity statistics.
 */
export function parseQuery(
  text: string,
  lexicon: Lexicon,
  vocab: Vocabulary,
  weights: QueryWeights,
  options: { fieldCues?: boolean } = {},
): ParsedQuery {
  const { raw, words, typed } = readWords(text, lexicon);
  const english = looksEnglish(text);
  const consumed = new Array<boolean>(words.length).fill(false);

  // 1. Field intents: "cần giấy tờ gì" asks for documents, "mất bao lâu" for the time...
  // Without field cues ("lệ phí trả bằng cách nào" about paying), their words are content.
  const fields = options.fieldCues === false ? [] : findFields(words, lexicon, consumed);

  const slots: Slot[] = [];
  // 2. Synonym groups: "sổ đỏ" also searches "giấy chứng nhận quyền sử dụng đất".
  for (const group of lexicon.groups) {
    for (const phrase of group) {
      const hits = findPhrase(words, phrase).filter((at) => !phrase.some((_, j) => consumed[at + j]));
      if (hits.length === 0) continue;
      for (const at of hits) for (let j = 0; j < phrase.length; j++) consumed[at + j] = true;
      slots.push({
        alternatives: group.map(phraseTerms),
        weight: weights.synonym,
        mass: 0,
        trust: 1,
        label: phrase.join(' '),
      });
      break;
    }
  }

  // 3. Words, corrected when unknown, and the known pairs they form.
  const content: Array<string | undefined> = words.map((w, i) => {
    if (consumed[i] || lexicon.isStopword(w, typed[i])) return undefined;
    if (vocab.has(w) || /\d/.test(w)) return w;
    return vocab.correct(w) ?? w;
  });
  content.forEach((w, i) => {
    if (w === undefined) return;
    const alternatives = [[w]];
    if (english) alternatives.push([`~${englishStem(w)}`]);
    const corrected = words[i] !== w;
    const typedForm = typed[i];
    slots.push({
      alternatives,
      weight: 1,
      mass: 0,
      trust: corrected ? weights.correctionTrust : 1,
      label: corrected ? `${words[i]}→${w}` : w,
      accented: !corrected && typedForm !== undefined && typedForm !== w ? typedForm : undefined,
    });
  });
  // Pairs may include a filler word ("người cao tuổi"): a pair the knowledge base
  // knows is evidence of a phrase; unknown pairs are ignored.
  const paired = words.map((w, i) => (consumed[i] ? undefined : (content[i] ?? w)));
  for (let i = 0; i + 1 < paired.length; i++) {
    const a = paired[i];
    const b = paired[i + 1];
    if (a === undefined || b === undefined) continue;
    if (content[i] === undefined && content[i + 1] === undefined) continue;
    const pair = `${a}_${b}`;
    if (!vocab.has(pair)) continue;
    const trust = words[i] === a && words[i + 1] === b ? 1 : weights.correctionTrust;
    slots.push({ alternatives: [[pair]], weight: weights.pair, mass: 0, trust, label: pair, bonus: true });
  }
  return {
    text,
    words,
    accented: raw.map((t) => t.accented),
    english,
    fields,
    slots,
  };
}

/** A question's tokens, its folded words after chat rewrites, and how each word was typed. */
function readWords(
  text: string,
  lexicon: Lexicon,
): { raw: Token[]; words: string[]; typed: Array<string | undefined> } {
  const raw = tokens(text);
  const words: string[] = [];
  /** The accented form typed for each word; undefined for words a rewrite produced. */
  const typed: Array<string | undefined> = [];
  for (const t of raw) {
    const rewritten = lexicon.rewrites.get(t.folded);
    if (rewritten) {
      words.push(...rewritten);
      typed.push(...rewritten.map(() => undefined));
    } else {
      words.push(t.folded);
      typed.push(t.accented);
    }
  }
  return { raw, words, typed };
}

/** The fields a question asks for, in the order asked; marks the cue words in `consumed`. */
function findFields(words: string[], lexicon: Lexicon, consumed: boolean[]): FieldName[] {
  const fields: Array<{ field: FieldName; at: number }> = [];
  for (const { field, cue } of lexicon.fieldCues) {
    for (const at of findPhrase(words, cue)) {
      if (cue.some((_, j) => consumed[at + j])) continue;
      for (let j = 0; j < cue.length; j++) consumed[at + j] = true;
      if (!fields.some((f) => f.field === field)) fields.push({ field, at });
    }
  }
  return fields.sort((a, b) => a.at - b.at).map((f) => f.field);
}

/**
 * The distinct words of a text that say what it is about: not filler, not a
 * field cue. A cheap count, without the index's vocabulary.
 */
export function contentWords(text: string, lexicon: Lexicon): string[] {
  const { words, typed } = readWords(text, lexicon);
  const consumed = new Array<boolean>(words.length).fill(false);
  findFields(words, lexicon, consumed);
  return [...new Set(words.filter((w, i) => !consumed[i] && !lexicon.isStopword(w, typed[i])))];
}

/**
 * A SymSpell-style corrector over the indexed words: one deletion on each
 * side finds every word one edit away, and a sound-alike key finds the
 * regional spelling slips (tr/ch, s/x, d/gi/r, l/n).
 */
export class Corrector {
  private readonly deletes = new Map<string, string[]>();
  private readonly sounds = new Map<string, string[]>();

  constructor(
    words: Iterable<string>,
    private readonly frequency: (w: string) => number,
  ) {
    for (const w of words) {
      if (w.length < 3 || /\d/.test(w)) continue;
      for (const d of deletions(w)) push(this.deletes, d, w);
      push(this.sounds, soundKey(w), w);
    }
  }

  correct(word: string): string | undefined {
    if (word.length < 3 || /\d/.test(word)) return undefined;
    const found = new Set<string>();
    // One-letter slips, but not in the first letter: "banh" is not a typo of "hanh".
    // Slips in the initial consonant are the sound-alike ones below.
    for (const d of [word, ...deletions(word)]) {
      for (const w of this.deletes.get(d) ?? []) {
        if (w[0] === word[0] && editDistance(word, w, 1) <= 1) found.add(w);
      }
    }
    for (const w of this.sounds.get(soundKey(word)) ?? []) found.add(w);
    let best: string | undefined;
    for (const w of found) if (best === undefined || this.frequency(w) > this.frequency(best)) best = w;
    return best;
  }
}

function deletions(w: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < w.length; i++) out.push(w.slice(0, i) + w.slice(i + 1));
  return out;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) {
    if (!list.includes(value)) list.push(value);
  } else map.set(key, [value]);
}
