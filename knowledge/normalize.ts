/**
 * Vietnamese text normalisation for matching.
 *
 * Citizens type with and without tone marks, with "d" for "đ", in any case
 * and with chat spellings. Matching therefore works on a *folded* form:
 * NFD-decomposed, combining marks removed, đ → d, lower case. The accented
 * form is kept beside it so that, between two equally good matches, the one
 * that also agrees on tone marks wins.
 */

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const TOKEN = /[\p{L}\p{N}]+(?:[.,][\p{N}]+)*/gu;

/** Canonical composed form (NFC), with runs of whitespace collapsed. */
export function nfc(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** Lower case, tone marks and diacritics removed, đ → d: "Đăng ký" → "dang ky". */
export function fold(text: string): string {
  return text.normalize('NFD').replace(COMBINING_MARKS, '').replace(/[đĐ]/g, 'd').toLowerCase();
}

export interface Token {
  /** Folded form used for matching. */
  folded: string;
  /** Accented, lower-cased form as written. */
  accented: string;
}

/** Split text into word tokens; numbers like 1.001193 or 4,5 stay whole. */
export function tokens(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.normalize('NFC').matchAll(TOKEN)) {
    const accented = m[0].toLowerCase();
    out.push({ folded: foldWord(accented), accented });
  }
  return out;
}

/** Folding a word is the hot path of indexing; the vocabulary is small, so remember it. */
const foldCache = new Map<string, string>();
function foldWord(word: string): string {
  let f = foldCache.get(word);
  if (f === undefined) {
    f = fold(word);
    if (foldCache.size < 200_000) foldCache.set(word, f);
  }
  return f;
}

/** Folded tokens only. */
export function foldedTokens(text: string): string[] {
  return tokens(text).map((t) => t.folded);
}

/**
 * Syllable pairs: Vietnamese words are mostly two syllables ("khai sinh",
 * "căn cước"), so adjacent pairs are indexed as terms of their own. They
 * are written with "_" so they never collide with a single syllable.
 */
export function pairs(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < words.length; i++) out.push(`${words[i]}_${words[i + 1]}`);
  return out;
}

/**
 * Damerau-free Levenshtein distance capped at `max` (returns max + 1 when
 * further apart): enough to accept one-letter typos cheaply.
 */
export function editDistance(a: string, b: string, max = 1): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length] ?? max + 1;
}

/**
 * A sound-alike key for a folded syllable. Many Vietnamese spelling slips
 * follow regional pronunciation: tr/ch, s/x, r/d/gi, l/n, and final n/ng,
 * c/t. "tạm chú" is a misspelling of "tạm trú" that no one-letter rule
 * catches, but both have the key "cam cu".
 */
export function soundKey(syllable: string): string {
  return syllable
    .replace(/^tr/, 'ch')
    .replace(/^gi/, 'd')
    .replace(/^r/, 'd')
    .replace(/^s/, 'x')
    .replace(/^n(?!g)/, 'l')
    .replace(/ng$/, 'n')
    .replace(/c$/, 't')
    .replace(/^ch/, 'c')
    .replace(/^k/, 'c')
    .replace(/^q/, 'c')
    .replace(/^ngh/, 'ng');
}

/**
 * True when the text looks like English by a few marker words. The lexical
 * search uses it for English stems; the language of a reply is the learned
 * model's (`knowledge/language.ts`), which finds three times as much English.
 */
export function looksEnglish(text: string): boolean {
  if (/[\u0300-\u036fđĐăâêôơưĂÂÊÔƠƯ]/.test(text.normalize('NFD'))) return false;
  const words = foldedTokens(text);
  if (words.length === 0) return false;
  let english = 0;
  for (const w of words) if (ENGLISH_MARKERS.has(w)) english++;
  return english >= 1 && english / words.length >= 0.2;
}

/**
 * Words that mark English. Words that are also Vietnamese syllables written
 * without tone marks ("can" cần, "the" thẻ, "do" đỏ, "to" to, "an" an, "me"
 * mẹ, "my" mỹ, "am" âm, "it" ít, "hi" hí) are left out on purpose.
 */
const ENGLISH_MARKERS = new Set(
  (
    'is are does did how what where when which who why could should would you your we our of for with ' +
    'and or this that have has need get want please hello there thanks thank register apply renew card ' +
    'licence license birth marriage insurance my'
  )
    .split(' ')
    .filter((w) => w !== 'my'),
);

/**
 * A crude English stem so that "registration", "register" and "registered"
 * meet: the first six letters of a long word.
 */
export function englishStem(word: string): string {
  return word.length > 6 ? word.slice(0, 6) : word.replace(/(?<=..)(s|ed|ing)$/, '');
}
