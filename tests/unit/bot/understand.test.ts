/** Deciding from the router's probabilities: answer, clarify, not covered; the topic as a prior. */
import {
  decideInContext,
  decideRoute,
  defaultRouteThresholds as t,
  tiedChoices,
} from '../../../bot/understand';
import type { Ranking } from '../../../knowledge/classifier';

const isEntry = (label: string): boolean => !['not-covered', 'follow-up', 'unspecified'].includes(label);
const r = (...pairs: Array<[string, number]>): Ranking => pairs.map(([label, p]) => ({ label, p }));

describe('without a conversation topic', () => {
  it('answers a clear best entry', () => {
    expect(decideRoute(r(['a', 0.8], ['b', 0.1], ['not-covered', 0.1]), t, isEntry)).toMatchObject({
      kind: 'answer',
      entry: 'a',
    });
  });

  it('asks which one when two entries are genuinely close, offering at most three', () => {
    const d = decideRoute(
      r(['a', 0.3], ['b', 0.28], ['c', 0.2], ['d', 0.19], ['not-covered', 0.03]),
      t,
      isEntry,
    );
    expect(d.kind).toBe('clarify');
    expect(d.kind === 'clarify' && d.choices).toEqual(['a', 'b', 'c']);
  });

  it('asks which procedure when a part is asked for and the message reads as a follow-up', () => {
    const fee = r(['follow-up', 0.9], ['not-covered', 0.05], ['a', 0.05]);
    expect(decideRoute(fee, t, isEntry, true)).toEqual({ kind: 'which', p: 0.9, asksPart: true });
    // No part asked ("ok", "cho hỏi"), the follow-up class not first, or not likely enough: as before.
    expect(decideRoute(fee, t, isEntry, false).kind).toBe('not_covered');
    expect(decideRoute(r(['a', 0.6], ['follow-up', 0.3]), t, isEntry, true)).toMatchObject({
      kind: 'answer',
      entry: 'a',
    });
    expect(decideRoute(r(['follow-up', 0.4], ['not-covered', 0.35]), t, isEntry, true).kind).toBe(
      'not_covered',
    );
  });

  it('asks which procedure when help is asked with none named', () => {
    expect(decideRoute(r(['unspecified', 0.7], ['a', 0.2], ['not-covered', 0.1]), t, isEntry)).toEqual({
      kind: 'which',
      p: 0.7,
    });
    // Not likely enough: the entries decide as before.
    expect(decideRoute(r(['a', 0.5], ['unspecified', 0.3]), t, isEntry).kind).toBe('answer');
  });

  it('says not covered rather than answer a neighbour', () => {
    expect(decideRoute(r(['not-covered', 0.6], ['a', 0.3]), t, isEntry).kind).toBe('not_covered');
    expect(decideRoute(r(['a', 0.15], ['b', 0.05], ['not-covered', 0.1]), t, isEntry).kind).toBe(
      'not_covered',
    );
  });
});

describe('in a conversation about an entry', () => {
  it('takes a question that names nothing new as a follow-up on the topic', () => {
    const d = decideInContext(r(['follow-up', 0.7], ['not-covered', 0.2], ['b', 0.1]), 'a', t, isEntry);
    expect(d).toMatchObject({ kind: 'answer', entry: 'a', followUp: true });
  });

  it('moves to a new topic that is clearly named', () => {
    expect(decideInContext(r(['b', 0.8], ['a', 0.1]), 'a', t, isEntry)).toMatchObject({
      kind: 'answer',
      entry: 'b',
    });
  });

  it('asks which procedure when help is asked with none named, more clearly than a follow-up', () => {
    expect(decideInContext(r(['unspecified', 0.6], ['follow-up', 0.3], ['b', 0.1]), 'a', t, isEntry)).toEqual(
      {
        kind: 'which',
        p: 0.6,
      },
    );
    expect(decideInContext(r(['follow-up', 0.5], ['unspecified', 0.45]), 'a', t, isEntry)).toMatchObject({
      kind: 'answer',
      entry: 'a',
    });
    // A part asked for ("giấy tờ cần mang gì") is the topic's, however vague the words.
    const part = r(['unspecified', 0.8], ['follow-up', 0.1], ['b', 0.1]);
    expect(decideInContext(part, 'a', t, isEntry, true)).toMatchObject({ kind: 'answer', entry: 'a' });
  });

  it('leaves the topic for a question the knowledge base does not cover', () => {
    expect(decideInContext(r(['not-covered', 0.8], ['follow-up', 0.1]), 'a', t, isEntry).kind).toBe(
      'not_covered',
    );
  });
});

describe('a bare topic several entries share', () => {
  const answer = { kind: 'answer', entry: 'b', p: 0.6 } as const;

  it('is asked about, the router’s entry first', () => {
    expect(tiedChoices(answer, ['a', 'b', 'c'], 2, t)).toEqual(['b', 'a', 'c']);
  });

  it('is answered when the message is longer, the router is near certain, or the entries do not tie', () => {
    expect(tiedChoices(answer, ['a', 'b', 'c'], 5, t)).toBeUndefined();
    expect(tiedChoices({ ...answer, p: 0.97 }, ['a', 'b'], 2, t)).toBeUndefined();
    expect(tiedChoices(answer, ['b'], 2, t)).toBeUndefined();
    expect(tiedChoices(answer, ['a', 'c'], 2, t)).toBeUndefined();
  });

  it('leaves follow-ups and other decisions alone', () => {
    expect(tiedChoices({ ...answer, followUp: true }, ['a', 'b'], 1, t)).toBeUndefined();
    expect(tiedChoices({ kind: 'not_covered', p: 0.9 }, ['a', 'b'], 1, t)).toBeUndefined();
  });
});
