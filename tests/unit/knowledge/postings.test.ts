/**
 * The inverted index behind the knowledge search: the candidates and their
 * order are those of the flexsearch index it replaced (strict tokens,
 * resolution 1, suggestions on), so the scorer sees the same entries.
 */
import { Postings } from '../../../knowledge/postings';

function index(docs: string[][]): Postings {
  const p = new Postings();
  docs.forEach((terms, id) => p.add(id, terms));
  return p;
}

describe('Postings', () => {
  const p = index([
    ['a', 'b'], // 0
    ['b', 'c'], // 1
    ['a', 'b', 'c'], // 2
    ['c'], // 3
    ['d'], // 4
  ]);

  it('finds the entries of one term in the order they were added, up to the limit', () => {
    expect(p.search(['b'], 10)).toEqual([0, 1, 2]);
    expect(p.search(['b'], 2)).toEqual([0, 1]);
    expect(p.search(['zz', 'b'], 10)).toEqual([0, 1, 2]);
    expect(p.search(['zz'], 10)).toEqual([]);
    expect(p.search([], 10)).toEqual([]);
  });

  it('puts entries found by more terms first, then in the order they reached that count', () => {
    // a: 0 2; b: 0 1 2; c: 1 2 3 → counts 0:2 1:2 2:3 3:1
    expect(p.search(['a', 'b', 'c'], 10)).toEqual([2, 0, 1, 3]);
    expect(p.search(['c', 'a'], 10)).toEqual([2, 1, 3, 0]);
    expect(p.search(['a', 'b', 'c'], 2)).toEqual([2, 0]);
    expect(p.search(['b', 'b'], 10)).toEqual([0, 1, 2]);
  });

  it('stops at the limit when enough entries have every term', () => {
    const q = index([['x', 'y'], ['x', 'y'], ['x', 'y'], ['x']]);
    expect(q.search(['x', 'y'], 2)).toEqual([0, 1]);
    // and forgets its counts between searches
    expect(q.search(['x', 'y'], 10)).toEqual([0, 1, 2, 3]);
  });
});
