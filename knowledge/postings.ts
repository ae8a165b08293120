/**
 * The candidate finder of the knowledge search: an inverted index from a
 * term to the entries that contain it, in the order they were added.
 *
 * It returns what the flexsearch index it replaces returned (an `Index`
 * with strict tokenisation, resolution 1 and `suggest: true`), in the same
 * order, so that the scorer sees the same candidates: entries found by
 * more of the question's terms first, and among those the order in which
 * they reached that count (the terms in the order given, each term's
 * entries in the order added), at most `limit` of them. It keeps one array
 * of entry numbers per term instead of flexsearch's nested maps and
 * registers, which at 10,000 entries is most of the build time.
 */
export class Postings {
  private readonly lists = new Map<string, number[]>();
  /** Scratch counts per entry, reset after each search. */
  private counts = new Uint16Array(0);

  /** Add entry `id` (ids ascending, each once) with its distinct terms. */
  add(id: number, terms: Iterable<string>): void {
    for (const term of terms) {
      if (term.length === 0 || term.length > 1024) continue;
      const list = this.lists.get(term);
      if (list) list.push(id);
      else this.lists.set(term, [id]);
    }
    if (id >= this.counts.length) this.counts = new Uint16Array(Math.max(64, (id + 1) * 2));
  }

  /** How many terms are indexed. */
  get terms(): number {
    return this.lists.size;
  }

  /** Entries containing the most of `terms`, at most `limit` (see above for the order). */
  search(terms: string[], limit: number): number[] {
    const found: number[][] = [];
    const seen = new Set<string>();
    for (const term of terms) {
      if (seen.has(term)) continue;
      seen.add(term);
      const list = this.lists.get(term);
      if (list && list.length > 0) found.push(list);
    }
    if (found.length === 0) return [];
    if (found.length === 1) return (found[0] as number[]).slice(0, limit);
    // buckets[c]: entries in the order they were found by a (c + 1)th term.
    const buckets: number[][] = [];
    const counts = this.counts;
    const touched: number[] = [];
    let early: number[] | undefined;
    outer: for (const list of found) {
      for (const id of list) {
        const c = counts[id] as number;
        if (c === 0) touched.push(id);
        counts[id] = c + 1;
        const bucket = (buckets[c] ??= []);
        bucket.push(id);
        if (c === found.length - 1 && bucket.length === limit) {
          early = bucket;
          break outer;
        }
      }
    }
    for (const id of touched) counts[id] = 0;
    if (early) return early;
    if (buckets.length === 1) return (buckets[0] as number[]).slice(0, limit);
    const out: number[] = [];
    const taken = new Set<number>();
    for (let i = buckets.length - 1; i >= 0; i--) {
      for (const id of buckets[i] as number[]) {
        if (taken.has(id)) continue;
        taken.add(id);
        out.push(id);
        if (out.length === limit) return out;
      }
    }
    return out;
  }
}
