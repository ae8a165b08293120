/**
 * Spelling slips made on purpose, to show the triage model the ways people
 * mistype: reproducible, limited to the share asked for, and only the kinds
 * of slip a thumb makes.
 */
import { seededRandom } from '../../../knowledge/classifier';
import { fold } from '../../../knowledge/normalize';
import { slippedCopies, withSlips } from '../../../knowledge/slips';

const text = 'mẹ tôi bị đau ngực khó thở quá, cứu với';

describe('spelling slips', () => {
  it('gives the same copies for the same texts and seed', () => {
    const texts = [text, 'chồng tôi đang đánh tôi', 'cho tôi gặp tổng đài viên'];
    expect(slippedCopies(texts, { share: 0.5, seed: 3 })).toEqual(
      slippedCopies(texts, { share: 0.5, seed: 3 }),
    );
    expect(slippedCopies(texts, { share: 0.5, seed: 3 })).not.toEqual(
      slippedCopies(texts, { share: 0.5, seed: 4 }),
    );
  });

  it('leaves the text alone at share 0, and words under three letters always', () => {
    expect(withSlips(text, seededRandom(1), 0)).toBe(text);
    expect(withSlips('bé bị ho', seededRandom(1), 1)).toBe('bé bị ho');
  });

  it('changes each slipped word by one letter or by its tone marks only', () => {
    const random = seededRandom(9);
    for (let n = 0; n < 50; n++) {
      const words = text.split(' ');
      const slipped = withSlips(text, random, 1).split(' ');
      expect(slipped).toHaveLength(words.length);
      slipped.forEach((got, i) => {
        const word = words[i] as string;
        const oneLetter = Math.abs(got.length - word.length) <= 1;
        const sameLetters = [...got].sort().join('') === [...word].sort().join('');
        expect(got === fold(word) || oneLetter || sameLetters).toBe(true);
        expect(got.length).toBeGreaterThanOrEqual(word.length - 1);
      });
    }
  });

  it('slips about the share of words asked for', () => {
    const random = seededRandom(5);
    const words = Array.from({ length: 2000 }, () => 'nguoi').join(' ');
    const changed = withSlips(words, random, 0.2)
      .split(' ')
      .filter((w) => w !== 'nguoi').length;
    // A fifth of the words get a slip; a swap of two equal letters or a fold of an unmarked word changes nothing.
    expect(changed).toBeGreaterThan(2000 * 0.1);
    expect(changed).toBeLessThan(2000 * 0.25);
  });
});
