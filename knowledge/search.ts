/**
 * The knowledge search: an inverted index finds candidate entries, and a
 * small scorer turns their matches into a confidence in 0..1 that means the
 * same for every question: the share of what the question says (weighted by
 * rarity) that the entry matches, and where (title or alias counts more than
 * body text).
 */
import { procedureFieldTexts } from './fields';
import type { KnowledgeBase } from './loader';
import { englishStem, fold, foldedTokens, pairs, tokens } from './normalize';
import { Postings } from './postings';
import {
  Corrector,
  Lexicon,
  parseQuery,
  contentWords,
  splitParts,
  type ParsedQuery,
  type QuestionPart,
  type Slot,
  type Vocabulary,
} from './query';
import type { Answerable, FieldName } from './schema';

/** Where in an entry a term was found. */
export type FieldKind = 'title' | 'alias' | 'code' | 'name' | 'faq' | 'summary' | 'body';

export interface SearchOptions {
  /** How much a match counts, by where it is found (0..1). */
  fieldWeights: Record<FieldKind, number>;
  /** Weight of a syllable pair relative to a single word. */
  pairWeight: number;
  /** Weight of a synonym-group phrase. */
  synonymWeight: number;
  /** Share of credit a typo-corrected word earns (a correction is a guess). */
  correctionTrust: number;
  /** Share of credit a word typed with tone marks earns where the entry has it only with other marks. */
  accentMismatchCredit: number;
  /** How much of a syllable pair's mass counts against an entry that lacks the pair (0 = none). */
  missingPairShare: number;
  /** Mass of a word the knowledge base has never seen, as a share of the rarest known word. */
  unknownWordShare: number;
  /** At or above this confidence the best entry is answered. */
  answerThreshold: number;
  /** Below this confidence nothing is answered. */
  noAnswerThreshold: number;
  /** Candidates closer than this to the best one make the answer a clarification. */
  clarifyMargin: number;
  /** How many candidates the inverted index hands to the scorer. */
  candidateLimit: number;
  /** How many of the question's rarest terms are used to find candidates. */
  candidateTerms: number;
  /** Confidence an entry needs on one part of a question to be answered beside the best one. */
  partThreshold: number;
  /** How much better than any other entry, the best one included, that entry must answer the part. */
  partMargin: number;
  /** Share of the question's content a part must carry to be searched on its own. */
  partShare: number;
  /** How much more of the part that entry's title and aliases must contain than the best entry's. */
  partNamed: number;
  /** Its confidence on the whole question, relative to the best entry's. */
  partFit: number;
  /** At most this many further entries are answered beside the best one. */
  maxAlso: number;
  /** How much more of the question a FAQ item must cover than the title to lead the answer. */
  faqGain: number;
  /** Confidence given to an entry whose title or alias appears word for word in the question. */
  phraseFloor: number;
  /** The province this deployment serves: documents about another province rank lower. */
  province: string;
  /** Factor applied to a passage about another province the question does not name. */
  otherProvinceFactor: number;
}

export const defaultSearchOptions: SearchOptions = {
  fieldWeights: { title: 1, alias: 1, code: 1, name: 0.8, faq: 0.8, summary: 0.6, body: 0.4 },
  pairWeight: 1.5,
  synonymWeight: 2,
  unknownWordShare: 0.4,
  correctionTrust: 0.6,
  accentMismatchCredit: 0.4,
  missingPairShare: 0,
  answerThreshold: 0.42,
  noAnswerThreshold: 0.24,
  clarifyMargin: 0.04,
  candidateLimit: 60,
  candidateTerms: 6,
  partThreshold: 0.6,
  partMargin: 0.02,
  partShare: 0.15,
  partNamed: 0.3,
  partFit: 0.5,
  maxAlso: 2,
  faqGain: 0.15,
  phraseFloor: 0.5,
  province: 'Nghệ An',
  otherProvinceFactor: 0.3,
};

export interface Hit {
  id: string;
  title: string;
  kind: Answerable['kind'];
  score: number;
  entry: Answerable;
}

export type Decision = 'answer' | 'clarify' | 'no_answer';

export interface SearchResult {
  query: ParsedQuery;
  decision: Decision;
  best: Hit | null;
  /** Up to three candidates, best first. */
  candidates: Hit[];
  /** Parts asked for (documents, fees...), in the order asked. */
  fields: FieldName[];
  /** Index into best.entry.faq of the question that matches best, if one matches well. */
  faq?: number;
  /** Further entries the question also asks about ("sang tên sổ đỏ rồi xin giấy phép xây nhà"). */
  also: Hit[];
}

interface Doc {
  entry: Answerable;
  /** term number → weight of the best field it occurs in. */
  terms: TermTable;
  /** Accented words, to break ties in favour of the same tone marks. */
  accented: Set<string>;
  faq: Array<Set<string>>;
  /** Terms of the title and aliases only. */
  titleTerms: Set<string>;
  about?: string;
}

/**
 * A question's words as the scoring reads them: joined (" a b c "), and the
 * entries whose title or alias of two words or more it says word for word.
 */
interface Said {
  joined: string;
  phrased: Set<Doc>;
}

/** The text of an entry, by field, for indexing. */
export function entryFields(entry: Answerable): Array<[FieldKind, string]> {
  const out: Array<[FieldKind, string]> = [];
  const add = (kind: FieldKind, ...texts: Array<string | undefined>): void => {
    for (const t of texts) if (t) out.push([kind, t]);
  };
  if (entry.kind === 'passage') {
    add('name', entry.heading);
    add('summary', entry.document_title);
    add('body', entry.text);
    return out;
  }
  add('title', entry.title, entry.title_en);
  add('alias', ...entry.aliases);
  add('summary', entry.summary, entry.summary_en, entry.changes);
  for (const f of entry.faq) add('faq', f.q, ...(f.also ?? []));
  add('body', ...entry.faq.map((f) => f.a));
  switch (entry.kind) {
    case 'procedure':
      add('code', ...entry.codes.map((c) => c.code));
      add('name', ...entry.codes.map((c) => c.name));
      add('body', ...(entry.conditions ?? []), ...procedureFieldTexts(entry));
      break;
    case 'service':
      add('body', ...entry.steps, ...entry.notes, ...entry.links.map((l) => `${l.title} ${l.url}`));
      break;
    case 'lesson':
      add('body', ...entry.steps, entry.check.question, entry.check.answer, ...entry.learn_more);
      break;
    case 'article':
      add('body', ...entry.points, ...entry.legal_basis);
      break;
  }
  return out;
}

/** Index terms of a text: folded words, their pairs, and English stems of ASCII words. */
export function termsOf(text: string): string[] {
  return termsOfWords(foldedTokens(text), text);
}

/** `termsOf` for a text whose folded words are already known. */
function termsOfWords(words: string[], text: string): string[] {
  const out = [...words];
  for (let i = 0; i + 1 < words.length; i++) out.push(`${words[i]}_${words[i + 1]}`);
  if (!/[^\p{ASCII}]/u.test(text)) for (const w of words) out.push(`~${englishStem(w)}`);
  return out;
}

export class KnowledgeIndex implements Vocabulary {
  readonly options: SearchOptions;
  readonly lexicon: Lexicon;
  private readonly docs: Doc[] = [];
  private readonly byId = new Map<string, number>();
  /** Every term of the index, numbered in the order first seen: entries keep their terms by number. */
  private readonly termNumbers = new Map<string, number>();
  /** How many entries have each term, by term number. */
  private readonly dfs: number[] = [];
  private readonly postings = new Postings();
  /**
   * Entries by the folded title or alias (two words or more, as "a b c") that
   * a question naming it word for word matches as a phrase, and every proper
   * word prefix of those phrases: a question's phrases are found by walking
   * its words from each start while they are a prefix, instead of searching
   * the question's text for every phrase of every candidate entry.
   */
  private readonly phraseDocs = new Map<string, Doc[]>();
  private readonly phrasePrefixes = new Set<string>();
  private readonly corrector: Corrector;
  private readonly maxIdf: number;
  private readonly provinceKey: string;

  constructor(kb: KnowledgeBase, options: Partial<SearchOptions> = {}) {
    this.options = { ...defaultSearchOptions, ...options };
    this.lexicon = new Lexicon(kb.synonyms, kb.intents);
    this.provinceKey = fold(this.options.province);
    for (const entry of [...kb.entries, ...kb.passages]) this.add(entry);
    this.maxIdf = Math.log(1 + this.docs.length);
    this.corrector = new Corrector(
      [...this.termNumbers.keys()].filter((t) => !t.includes('_') && !t.startsWith('~')),
      (w) => this.df(w),
    );
  }

  get size(): number {
    return this.docs.length;
  }

  private add(entry: Answerable): void {
    const terms = new Map<string, number>();
    const phrases: string[][] = [];
    const accented = new Set<string>();
    const titleTerms = new Set<string>();
    const w = this.options.fieldWeights;
    // Each text is tokenised once: its terms serve the term map, the title terms and the FAQ sets.
    const termsByText = new Map<string, string[]>();
    const termsOfText = (text: string, words?: string[]): string[] => {
      let t = termsByText.get(text);
      if (!t) termsByText.set(text, (t = termsOfWords(words ?? foldedTokens(text), text)));
      return t;
    };
    for (const [kind, text] of entryFields(entry)) {
      const typed = tokens(text);
      const folded = typed.map((t) => t.folded);
      const textTerms = termsOfText(text, folded);
      const weight = w[kind];
      for (const t of textTerms) {
        const was = terms.get(t);
        if (was === undefined || was < weight)
          terms.set(t, was === undefined ? weight : Math.max(was, weight));
      }
      for (const t of typed) accented.add(t.accented);
      if (kind === 'title' || kind === 'alias') {
        for (const t of textTerms) titleTerms.add(t);
        const words = this.lexicon.rewrite(folded);
        // As a question would say it after rewrites: a title's "BHYT" is "bảo hiểm y tế".
        for (const t of words) titleTerms.add(t);
        for (const t of pairs(words)) titleTerms.add(t);
        if (words.length >= 2) phrases.push(words);
        const core = kind === 'title' ? this.lexicon.titleCore(words) : undefined;
        if (core && core.length >= 2) phrases.push(core);
      }
    }
    const faq =
      entry.kind === 'passage'
        ? []
        : entry.faq.map((f) => new Set([f.q, ...(f.also ?? [])].flatMap((t) => termsOfText(t))));
    const idx = this.docs.length;
    const doc: Doc = {
      entry,
      terms: new TermTable(terms, (t) => this.counted(t)),
      accented,
      faq,
      titleTerms,
      about: entry.kind === 'passage' && entry.about ? fold(entry.about) : undefined,
    };
    this.docs.push(doc);
    for (const words of phrases) this.addPhrase(words, doc);
    this.byId.set(entry.id, idx);
    this.postings.add(idx, terms.keys());
  }

  /** Index a title's or alias's words as a phrase of `doc`. */
  private addPhrase(words: string[], doc: Doc): void {
    // Split again: a rewrite may give several words as one ("bảo hiểm y tế" for "bhyt").
    const parts = words.join(' ').split(' ');
    for (let n = 1; n < parts.length; n++) this.phrasePrefixes.add(parts.slice(0, n).join(' '));
    const key = parts.join(' ');
    const docs = this.phraseDocs.get(key);
    if (!docs) this.phraseDocs.set(key, [doc]);
    else if (!docs.includes(doc)) docs.push(doc);
  }

  /**
   * A question's words as the scoring reads them. An entry's phrase is
   * said when " phrase " occurs in " words ", that is when its words occur
   * one after another among the question's.
   */
  private said(words: string[]): Said {
    const joined = ` ${words.join(' ')} `;
    const all = joined.slice(1, -1).split(' ');
    const phrased = new Set<Doc>();
    for (let i = 0; i < all.length; i++) {
      let key = all[i] as string;
      for (let j = i + 1; j < all.length && this.phrasePrefixes.has(key); j++) {
        key = `${key} ${all[j] as string}`;
        for (const doc of this.phraseDocs.get(key) ?? []) phrased.add(doc);
      }
    }
    return { joined, phrased };
  }

  /** A term of one more entry: its number (given on first sight), its entry count raised. */
  private counted(term: string): number {
    let n = this.termNumbers.get(term);
    if (n === undefined) {
      this.termNumbers.set(term, (n = this.termNumbers.size));
      this.dfs.push(0);
    }
    this.dfs[n] = (this.dfs[n] as number) + 1;
    return n;
  }

  has(term: string): boolean {
    return this.termNumbers.has(term);
  }

  df(term: string): number {
    const n = this.termNumbers.get(term);
    return n === undefined ? 0 : (this.dfs[n] as number);
  }

  correct(word: string): string | undefined {
    return this.corrector.correct(word);
  }

  /** Inverse document frequency; unknown terms get a share of the rarest term's. */
  private idf(term: string): number {
    const df = this.df(term);
    if (df === 0) return this.maxIdf * this.options.unknownWordShare;
    return Math.log(1 + this.docs.length / df);
  }

  get(id: string): Answerable | undefined {
    const i = this.byId.get(id);
    return i === undefined ? undefined : this.docs[i]?.entry;
  }

  /**
   * Parse a question with this index's vocabulary, slot masses filled in.
   * Without field cues, the words of "lệ phí", "ở đâu"... are content.
   */
  parse(question: string, options: { fieldCues?: boolean } = {}): ParsedQuery {
    const q = parseQuery(
      question,
      this.lexicon,
      this,
      {
        pair: this.options.pairWeight,
        synonym: this.options.synonymWeight,
        correctionTrust: this.options.correctionTrust,
      },
      options,
    );
    for (const s of q.slots) {
      const known = s.alternatives.flat().filter((t) => this.has(t));
      const idf = known.length > 0 ? Math.max(...known.map((t) => this.idf(t))) : this.idf('');
      s.mass = s.weight * idf;
      s.termIds = s.alternatives.map((alt) => alt.map((t) => this.termNumbers.get(t) ?? -1));
    }
    return q;
  }

  /** How much of slot `s` an entry matches: the weight of the field where it is found (0..1). */
  private credit(s: Slot, terms: TermTable): number {
    let best = 0;
    const alternatives =
      s.termIds ?? s.alternatives.map((alt) => alt.map((t) => this.termNumbers.get(t) ?? -1));
    for (const alt of alternatives) {
      let c = 1;
      for (const t of alt) {
        const v = terms.get(t);
        if (v === undefined) {
          c = 0;
          break;
        }
        if (v < c) c = v;
      }
      if (c > best) best = c;
    }
    return best;
  }

  /** Whether a plain set of terms (a FAQ question, a title) contains slot `s`. */
  private contains(s: Slot, terms: Set<string>): boolean {
    return s.alternatives.some((alt) => alt.every((t) => terms.has(t)));
  }

  /**
   * The share of the question an entry matches: matched mass over the
   * question's mass, where a pair slot counts in the whole only when matched.
   */
  private share(q: ParsedQuery, credit: (s: Slot) => number, slots: Slot[] = q.slots): number {
    let matched = 0;
    let whole = 0;
    for (const s of slots) {
      const c = credit(s);
      matched += s.mass * s.trust * c;
      whole += s.bonus ? s.mass * s.trust * (c + (1 - c) * this.options.missingPairShare) : s.mass;
    }
    return whole === 0 ? 0 : matched / whole;
  }

  private scoreDoc(q: ParsedQuery, said: Said, doc: Doc): number {
    // A word typed with tone marks that the entry has only with other marks
    // ("mưa" against "mua bán") is probably another word: part credit.
    // The same sum as `share`, written out: this runs for every candidate of every search,
    // and a closure per entry was a good part of a search's cost.
    const marks = this.options.accentMismatchCredit;
    const missing = this.options.missingPairShare;
    let matched = 0;
    let whole = 0;
    for (const s of q.slots) {
      let c = this.credit(s, doc.terms);
      if (c > 0 && s.accented !== undefined && !doc.accented.has(s.accented)) c *= marks;
      matched += s.mass * s.trust * c;
      whole += s.bonus ? s.mass * s.trust * (c + (1 - c) * missing) : s.mass;
    }
    let score = whole === 0 ? 0 : matched / whole;
    if (score === 0) return 0;
    // A title or alias said word for word is strong evidence, however long the question.
    if (said.phrased.has(doc)) {
      score = Math.max(score, this.options.phraseFloor + (1 - this.options.phraseFloor) * score);
    }
    if (doc.about && doc.about !== this.provinceKey && !said.joined.includes(` ${doc.about} `)) {
      score *= this.options.otherProvinceFactor;
    }
    return Math.min(1, score);
  }

  /**
   * Tie-break: the same tone marks as typed, and the question's syllable
   * pairs ("căn cước" as a phrase, not "cần" and "cuộc" apart), count a little.
   */
  private tieBonus(q: ParsedQuery, doc: Doc): number {
    let same = 0;
    for (const a of q.accented) if (doc.accented.has(a)) same++;
    let pairs = 0;
    let pairMass = 0;
    for (const s of q.slots) {
      if (!s.bonus) continue;
      pairMass += s.mass;
      pairs += s.mass * this.credit(s, doc.terms);
    }
    return (0.001 * same) / Math.max(1, q.accented.length) + (pairMass ? (0.001 * pairs) / pairMass : 0);
  }

  /**
   * The entries a parsed question finds, scored and best first: candidates
   * come from the question's rarest terms, plus entry `extra` if given.
   */
  private rank(q: ParsedQuery, extra?: number): Array<Hit & { doc: Doc }> {
    const said = this.said(q.words);
    const ids = new Set<number>();
    // Candidates come from the rarest terms of the question: they find the right
    // entries, and common words would only make the index walk long lists.
    const terms = [...new Set(q.slots.flatMap((s) => s.alternatives.flat()))]
      .filter((t) => this.has(t))
      .sort((a, b) => this.df(a) - this.df(b))
      .slice(0, this.options.candidateTerms);
    if (terms.length > 0) {
      for (const id of this.postings.search(terms, this.options.candidateLimit)) ids.add(id);
    }
    if (extra !== undefined) ids.add(extra);

    const hits: Array<Hit & { doc: Doc }> = [];
    for (const i of ids) {
      const doc = this.docs[i];
      if (!doc) continue;
      const score = this.scoreDoc(q, said, doc);
      if (score > 0) hits.push(docHit(doc, score));
    }
    hits.sort((a, b) => b.score - a.score);
    // Only near-ties at the top can change order by tone marks: score those alone.
    const near = hits.filter((h) => h.score >= (hits[0]?.score ?? 0) - 0.002);
    if (near.length > 1) {
      const tie = new Map(near.map((h) => [h, this.tieBonus(q, h.doc)]));
      const key = (h: Hit & { doc: Doc }): number => h.score + (tie.get(h) ?? 0);
      hits.sort((a, b) => key(b) - key(a) || compareIds(a.id, b.id));
    }
    for (const h of hits) h.score = Math.round(h.score * 1000) / 1000;
    return hits;
  }

  /**
   * Search the knowledge base. `context` names the entry of the conversation
   * so far; it is always scored, so that a follow-up can stay on it.
   */
  search(question: string, context?: string): SearchResult {
    const q = this.parse(question);
    const hits = this.rank(q, context === undefined ? undefined : this.byId.get(context));
    const top = hits[0];
    const o = this.options;
    let decision: Decision = 'no_answer';
    let also: Hit[] = [];
    if (top && top.score >= o.noAnswerThreshold) {
      also = this.alsoAsked(question, q, hits);
      // Passages of one document are one source, not rivals to choose between; an
      // entry that answers another part of the question is not a rival either.
      const second = hits.find((h) => group(h) !== group(top) && !also.some((a) => a.id === h.id));
      const close = second !== undefined && top.score - second.score < o.clarifyMargin;
      decision = top.score >= o.answerThreshold && !close ? 'answer' : 'clarify';
    }
    const candidates = hits.slice(0, 3).map(({ doc: _doc, ...h }) => h);
    const result: SearchResult = {
      query: q,
      decision,
      best: candidates[0] ?? null,
      candidates,
      fields: q.fields,
      also: decision === 'answer' ? also : [],
    };
    if (!top || decision === 'no_answer') return result;
    result.faq = this.bestFaq(q, top.doc);
    return result;
  }

  /**
   * The FAQ item of `doc` that says more about the question than the
   * entry's title does: it must cover a clearly larger share of it.
   */
  private bestFaq(q: ParsedQuery, doc: Doc): number | undefined {
    const cover = (terms: Set<string>): number => this.share(q, (s) => (this.contains(s, terms) ? 1 : 0));
    const title = cover(doc.titleTerms);
    let best: number | undefined;
    let bestScore = Math.max(0.3, title + this.options.faqGain);
    doc.faq.forEach((terms, i) => {
      const score = cover(terms);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    });
    return best;
  }

  /**
   * The parts of a question that each say enough to be asked on their own:
   * a part with fewer than two content words (a field cue such as "nộp ở
   * đâu", a lead-in such as "tiện hỏi luôn") joins the part after it, or the
   * one before when it is the last.
   */
  parts(question: string): QuestionPart[] {
    const split = splitParts(question, this.lexicon);
    if (split.length < 2) return split;
    const content = (text: string): number => contentWords(text, this.lexicon).length;
    const join = (a: QuestionPart, b: QuestionPart): QuestionPart => ({
      text: [a.text, b.joiner, b.text].filter(Boolean).join(' '),
      joiner: a.joiner,
      asks: a.asks || b.asks,
    });
    const out: QuestionPart[] = [];
    let pending: QuestionPart | undefined;
    for (const part of split) {
      const joined = pending ? join(pending, part) : part;
      if (content(joined.text) < 2) pending = joined;
      else {
        out.push(joined);
        pending = undefined;
      }
    }
    const last = out.pop();
    if (last) out.push(pending ? join(last, pending) : last);
    else if (pending) out.push(pending);
    return out;
  }

  /**
   * Other entries a question about several things asks about ("sang tên sổ
   * đỏ rồi xin giấy phép xây nhà", "... tiện hỏi luôn: thẻ căn cước hết hạn
   * làm lại ở đâu?"). Each part of the question is searched on its own, its
   * field cues read as content ("lệ phí trả bằng cách nào" is about paying):
   * when another entry answers a part clearly better than the best entry
   * does, it is asked about too. And a near rival whose title and aliases
   * match a different share of the question than the best entry's do
   * complements it rather than competes with it.
   */
  private alsoAsked(question: string, q: ParsedQuery, hits: Array<Hit & { doc: Doc }>): Hit[] {
    const o = this.options;
    const top = hits[0];
    if (!top) return [];
    const out: Array<Hit & { doc: Doc }> = [];
    const parts = this.parts(question);
    const content = (p: ParsedQuery, said = (_: Slot): boolean => true): number =>
      p.slots.reduce((m, s) => m + (s.bonus || !said(s) ? 0 : s.mass), 0);
    const whole = content(q);
    let asked: Said | undefined; // the whole question's words, worked out for the first part that needs them
    // Where some parts ask and others only tell ("Bố tôi vừa mất."), the telling parts are
    // circumstances, not questions; a terse question may ask without a question word.
    const asking = parts.some((p) => p.asks) ? parts.filter((p) => p.asks) : parts;
    for (const part of parts.length >= 2 ? asking : []) {
      // A part must say a fair share of the question, not an aside.
      const words = new Set(contentWords(part.text, this.lexicon));
      const said = (s: Slot): boolean => (s.label.split('→')[0] ?? '').split(' ').every((w) => words.has(w));
      if (content(q, said) < o.partShare * whole) continue;
      const pq = this.parse(part.text, { fieldCues: false });
      // What the part names, by title or aliases; an entry it names must be named more than the best.
      const named = (d: Doc): number => this.share(pq, (s) => (this.contains(s, d.titleTerms) ? 1 : 0));
      const topNamed = named(top.doc);
      const cover = this.scoreDoc(pq, this.said(pq.words), top.doc);
      if (topNamed > 1 - o.partNamed || cover > 1 - o.partMargin) continue;
      const [winner, runnerUp] = this.rank(pq).filter((h) => h.kind !== 'passage');
      if (!winner || winner.id === top.id || out.some((h) => h.id === winner.id)) continue;
      if (winner.score < o.partThreshold) continue;
      // It must single one entry out, and answer the part better than the best entry
      // does ("số điện thoại" typed without marks singles out nothing)...
      if (winner.score - Math.max(cover, runnerUp?.score ?? 0) < o.partMargin) continue;
      // ...because the part names it rather than the best entry, not through words its
      // text happens to use ("xem thủ tục cấp giấy phép xây dựng")...
      if (named(winner.doc) - topNamed < o.partNamed) continue;
      // ...and it must fit the question as a whole, not only a few words of it.
      asked ??= this.said(q.words);
      if (this.scoreDoc(q, asked, winner.doc) < o.partFit * top.score) continue;
      out.push(winner);
    }
    const rival = hits.find((h) => group(h) !== group(top) && !out.some((a) => a.id === h.id));
    if (
      rival &&
      rival.kind !== 'passage' &&
      top.score - rival.score < o.clarifyMargin &&
      this.complementary(q, top.doc, rival.doc, o.partShare)
    ) {
      out.push(rival);
    }
    return out.slice(0, o.maxAlso).map(({ doc: _doc, ...h }) => h);
  }

  /**
   * Whether two entries are about different parts of the question: what
   * the question says that each one's title and aliases contain, apart
   * from the other, outweighs what both contain and is a fair share of the
   * question.
   */
  private complementary(q: ParsedQuery, a: Doc, b: Doc, share: number): boolean {
    let whole = 0;
    let onlyA = 0;
    let onlyB = 0;
    let both = 0;
    for (const s of q.slots) {
      if (!s.bonus) whole += s.mass;
      const inA = this.contains(s, a.titleTerms);
      const inB = this.contains(s, b.titleTerms);
      if (inA && inB) both += s.mass;
      else if (inA) onlyA += s.mass;
      else if (inB) onlyB += s.mass;
    }
    return Math.min(onlyA, onlyB) > Math.max(both, share * whole);
  }
}

/**
 * `a.localeCompare(b)` with the default locale, from one collator made once:
 * `localeCompare` builds its collator anew on every call (about 5 µs), and a
 * search breaks ties between equally scored entries some thirty times.
 */
const compareIds = new Intl.Collator().compare;

/**
 * An entry's terms by number, with the weight of the best field each is in:
 * an open-addressing table of two typed arrays. Every search looks each of
 * the question's terms up in some sixty entries; a look-up here reads one or
 * two slots of a small array, where a Map keyed by strings chased several
 * pointers per look-up (a good share of a search), and the table takes less
 * memory than the Map and the entry's own copies of its term strings.
 */
export class TermTable {
  private readonly keys: Int32Array;
  private readonly weights: Float64Array;
  private readonly shift: number;

  /** The terms with their weights, each term given its number by `numberOf`. */
  constructor(entries: Map<string, number>, numberOf: (term: string) => number) {
    let bits = 2;
    while (1 << bits < entries.size * 2) bits++;
    this.shift = 32 - bits;
    this.keys = new Int32Array(1 << bits).fill(-1);
    this.weights = new Float64Array(1 << bits);
    const mask = (1 << bits) - 1;
    for (const [term, weight] of entries) {
      const key = numberOf(term);
      let i = this.slot(key);
      while (this.keys[i] !== -1) i = (i + 1) & mask;
      this.keys[i] = key;
      this.weights[i] = weight;
    }
  }

  /** Fibonacci hashing: the top bits of the key times 2^32 / φ. */
  private slot(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  /** The weight of term number `key`, or undefined when the entry does not have it (or `key` < 0). */
  get(key: number): number | undefined {
    if (key < 0) return undefined;
    const keys = this.keys;
    const mask = keys.length - 1;
    for (let i = this.slot(key); ; i = (i + 1) & mask) {
      const k = keys[i] as number;
      if (k === key) return this.weights[i];
      if (k === -1) return undefined;
    }
  }
}

/** Passages of one document are one source. */
function group(h: Hit): string {
  return h.entry.kind === 'passage' ? h.entry.document : h.id;
}

/**
 * A hit with its document, as an object literal: spreading a hit into a new
 * object took about a microsecond per candidate, sixty candidates a search.
 */
function docHit(doc: Doc, score: number): Hit & { doc: Doc } {
  const entry = doc.entry;
  return { id: entry.id, title: titleOf(entry), kind: entry.kind, score, entry, doc };
}

function titleOf(entry: Answerable): string {
  return entry.kind === 'passage' ? (entry.heading ?? entry.document_title) : entry.title;
}
