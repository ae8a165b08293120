/**
 * Spelling slips, made on purpose: a copy of a text with a letter dropped,
 * doubled or swapped in some of its words, or a word's tone marks left off,
 * the way people type fast on a phone ("khônng", "đăgn ký", "dien thoại").
 *
 * Why: a classifier over character n-grams learns a class's words from the
 * examples it has; a slip breaks a few of a word's n-grams, so a message
 * with slips the examples never showed leans on fewer known features. A
 * slipped copy of each example of a class shows the model those spellings
 * too. Deterministic (a seeded generator), so training stays reproducible.
 */
import { seededRandom } from './classifier';
import { fold } from './normalize';

export interface SlipOptions {
  /** The share of words (of three letters or more) given a slip. */
  share: number;
  /** Seed of the generator: the same texts always get the same slips. */
  seed: number;
}

/** Chosen by 5-fold CV on the training split of the triage examples (README: Measuring). */
export const defaultSlipOptions: SlipOptions = { share: 0.2, seed: 11 };

/** One slip in a word: a letter dropped, doubled, swapped with the one before, or no tone marks. */
function slip(word: string, random: () => number): string {
  const i = 1 + Math.floor(random() * (word.length - 2));
  switch (Math.floor(random() * 4)) {
    case 0:
      return word.slice(0, i) + word.slice(i + 1);
    case 1:
      return word.slice(0, i) + word.charAt(i) + word.slice(i);
    case 2:
      return word.slice(0, i - 1) + word.charAt(i) + word.charAt(i - 1) + word.slice(i + 1);
    default:
      return fold(word);
  }
}

/** A text with slips in about `share` of its words, drawn from `random`. */
export function withSlips(text: string, random: () => number, share: number): string {
  return text
    .split(' ')
    .map((word) => (word.length < 3 || random() > share ? word : slip(word, random)))
    .join(' ');
}

/** A slipped copy of each text, in order, from one seeded generator. */
export function slippedCopies(texts: string[], options: SlipOptions = defaultSlipOptions): string[] {
  const random = seededRandom(options.seed);
  return texts.map((text) => withSlips(text, random, options.share));
}
