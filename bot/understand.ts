/**
 * Deciding from the router's probabilities: answer one entry, clarify
 * between genuinely close ones, or say the knowledge base does not cover
 * the question (never a neighbouring procedure presented as the answer).
 *
 * In a conversation the current entry is a prior: a message that does not
 * clearly name something else ("lệ phí bao nhiêu?", "còn người nước ngoài
 * thì sao?") is a follow-up on it; one that does is a new topic.
 *
 * The thresholds were chosen on the held-out split (`npm run eval:heldout`
 * prints the sweep and the reliability table behind them).
 */
import type { Ranking } from '../knowledge/classifier';
import { FOLLOW_UP } from '../knowledge/router';
import { NOT_COVERED, UNSPECIFIED } from '../knowledge/schema';

export interface RouteThresholds {
  /** The best entry at or above this probability is answered. */
  answer: number;
  /** `not-covered` at or above this, and most likely: say so. */
  notCovered: number;
  /** A second entry at least this share of the best one's probability makes the two "close". */
  closeRatio: number;
  /** Two or three close entries together at or above this: ask which one. */
  clarify: number;
  /** In a conversation, another entry must reach this to change the topic. */
  switchTopic: number;
  /** …and this when the message asks for a part ("lệ phí bao nhiêu?" names a part, rarely a new entry). */
  switchTopicAskingPart: number;
  /**
   * The lexical search's confidence at which it may answer when the router
   * is unsure… (held-out, through the whole assistant: in-coverage routed
   * right 79.0% → 85.1%, not-covered left unanswered 96.7% → 80.0%)
   */
  lexicalSure: number;
  /** …provided its entry is among the router's this many likeliest. */
  agreeTopK: number;
  /** In a conversation, `not-covered` must reach this to leave the topic. */
  notCoveredInContext: number;
  /**
   * A message of at most `tieWords` words that several entries contain
   * equally is asked about (`tiedChoices`) unless the router's answer
   * reaches `tieOverrule`.
   */
  tieWords: number;
  tieOverrule: number;
  /**
   * With no conversation topic, a message that asks for a part ("lệ phí bao
   * nhiêu?", "nộp ở đâu") and that the router reads as the follow-up class
   * at or above this, ranked first, names no procedure: ask which one,
   * instead of saying the question is not covered. The follow-up class is
   * learned from the ways to ask for a part that name no entry, and it also
   * learns some that name a procedure the knowledge base does not hold, or
   * name one in words the first model is unsure of (English, chat). Calibrated
   * (2026-12-07) on what the models never saw: with a fifth of the
   * procedures taken out of the knowledge base (fixed seed), each threshold
   * scored as the held-out ways to ask for a part that get "which procedure?"
   * (254) minus the questions naming a removed procedure that get it
   * (2,477): 0.5 gives 164 − 146, 0.7 146 − 92, 0.75 139 − 78, 0.8 128 − 71,
   * 0.85 118 − 58, 0.9 98 − 41. 0.75 and 0.85 are within a question of each
   * other; 0.85 asks fewer citizens who named their procedure to name it
   * again ("How do I get a birth certificate?" read 0.82 with every entry
   * held; on the tests' six-entry fixture "đổi bằng lái xe máy hết hạn ở
   * đâu" read 0.75). Those readings were taken before the `neighbours/`
   * examples; with them they are 0.69 and 0.83.
   */
  whichProcedure: number;
  /**
   * `unspecified` (help asked with paperwork, none named: "mình muốn làm
   * giấy tờ") at or above this, and the most likely class other than the
   * follow-up one: ask which procedure. In a conversation it must also beat
   * the follow-up class and reach `switchTopic`, as any new topic must, and
   * ask for no part: "giấy tờ cần mang gì" after a question on an entry
   * asks for that entry's documents.
   */
  unspecified: number;
}

/**
 * From the held-out sweep (`npm run eval:heldout`), which scores each pair
 * of thresholds as right − 2 × answered wrong (a wrong office costs a citizen
 * a trip, a clarification a question more). With 149 entries answering at
 * 0.25 is right on 81.2% of the router's held-out questions with 5.0%
 * answered wrong (0.3: 79.5%, 4.6%; 0.2: 82.8%, 5.8%). With 64 entries the
 * same rule chose 0.3 (86% right, 3.3% wrong, against 88.7% and 6% at 0.2).
 * With 152 entries and 9,332 example questions (2026-12-05) it chose 0.2:
 * 83.7% right, 5.6% wrong (0.25: 81.5%, 4.6%), a score 0.16 point higher.
 * With 10,190 (a second English batch, 250 more not-covered questions) it
 * chose 0.25 and not-covered 0.5: 83.0% right, 3.6% wrong (0.2: 84.4–84.6%,
 * 5.0–5.3%), a score 1.4 points higher. With 11,582 (everyday situations
 * and near-neighbour pairs) 0.3 and 0.3: 83.6% right, 3.7% wrong (0.25:
 * 84.5%, 4.4%; 0.2: 85.6%, 5.3%). With 12,190 (four more situation
 * questions per entry) 0.25 and 0.4: 85.7% right, 4.0% wrong (0.3: 84.2%,
 * 3.4%; 0.2: 86.8%, 4.6%, a score within a tenth of a point). With 13,558
 * (phone-typed questions for every entry, 2026-12-06) 0.25 and 0.5: 87.5%
 * right, 3.8% wrong, tied with not-covered 0.3 and 0.4 (0.3: 86.2%, 3.2%).
 * With 14,142 (English questions for every entry) the sweep prefers 0.3 and
 * 0.3 by 0.07 point; end to end through the whole assistant the two pairs
 * tie by the same rule (83.5% right, 4.4% wrong against 84.2%, 4.8%), so
 * these stay.
 */
export const defaultRouteThresholds: RouteThresholds = {
  answer: 0.25,
  notCovered: 0.5,
  closeRatio: 0.5,
  clarify: 0.45,
  switchTopic: 0.35,
  switchTopicAskingPart: 0.8,
  notCoveredInContext: 0.55,
  lexicalSure: 0.7,
  agreeTopK: 1,
  tieWords: 2,
  tieOverrule: 0.95,
  whichProcedure: 0.85,
  unspecified: 0.4,
};

/**
 * A bare topic ("đất đai", "hộ tịch") that several entries contain equally
 * does not pick one of them: a model trained on whole questions is sure of
 * one far too easily on one or two words. The choices to offer (the
 * router's entry first), or undefined. `tied`: the lexical search's
 * candidates that match as well as its best one. (Neutral on the held-out
 * split, whose questions are longer: there is no data to tune this on.)
 */
export function tiedChoices(
  route: RouteDecision,
  tied: string[],
  words: number,
  t: RouteThresholds,
): string[] | undefined {
  if (route.kind !== 'answer' || route.followUp || route.p >= t.tieOverrule || words > t.tieWords)
    return undefined;
  if (tied.length < 2 || !tied.includes(route.entry)) return undefined;
  return [route.entry, ...tied.filter((id) => id !== route.entry)].slice(0, 3);
}

export type RouteDecision =
  | { kind: 'answer'; entry: string; p: number; followUp?: boolean }
  | { kind: 'clarify'; choices: string[]; p: number }
  /**
   * A part asked for with no procedure named and none in the conversation,
   * or help asked with a procedure not named: ask which procedure.
   */
  | { kind: 'which'; p: number; asksPart?: boolean }
  | { kind: 'not_covered'; p: number };

/**
 * The decision for a message with no conversation topic. `asksPart`: the
 * message asks for a part of an entry (the field model's reading).
 */
export function decideRoute(
  ranking: Ranking,
  t: RouteThresholds,
  isEntry: (label: string) => boolean,
  asksPart = false,
): RouteDecision {
  const [likeliest] = ranking;
  if (asksPart && likeliest?.label === FOLLOW_UP && likeliest.p >= t.whichProcedure)
    return { kind: 'which', p: likeliest.p, asksPart: true };
  const top = ranking.find((r) => r.label !== FOLLOW_UP);
  if (!top) return { kind: 'not_covered', p: 0 };
  if (top.label === NOT_COVERED && top.p >= t.notCovered) return { kind: 'not_covered', p: top.p };
  if (top.label === UNSPECIFIED && top.p >= t.unspecified) return { kind: 'which', p: top.p };
  const entries = ranking.filter((r) => isEntry(r.label));
  const [first, second] = entries;
  if (!first) return { kind: 'not_covered', p: 0 };
  const close = entries.slice(1, 3).filter((r) => r.p >= first.p * t.closeRatio);
  if (first.p >= t.answer && (close.length === 0 || first.p >= 2 * t.answer)) {
    return { kind: 'answer', entry: first.label, p: first.p };
  }
  const together = first.p + close.reduce((s, r) => s + r.p, 0);
  if (second && close.length > 0 && together >= t.clarify) {
    return { kind: 'clarify', choices: [first, ...close].map((r) => r.label), p: together };
  }
  if (first.p >= t.answer) return { kind: 'answer', entry: first.label, p: first.p };
  return { kind: 'not_covered', p: top.label === NOT_COVERED ? top.p : 1 - first.p };
}

/** The decision for a message in a conversation about `topic`. */
export function decideInContext(
  ranking: Ranking,
  topic: string,
  t: RouteThresholds,
  isEntry: (label: string) => boolean,
  asksPart = false,
): RouteDecision {
  const best = ranking.find((r) => isEntry(r.label));
  const notCovered = ranking.find((r) => r.label === NOT_COVERED)?.p ?? 0;
  const followUp = ranking.find((r) => r.label === FOLLOW_UP)?.p ?? 0;
  // A new topic must be named more clearly than the message reads as a follow-up ("thế lệ phí bao
  // nhiêu?" is about this entry's fee, not the entry on paying fees online).
  const switchAt = asksPart ? t.switchTopicAskingPart : t.switchTopic;
  if (best && best.label !== topic && best.p >= switchAt && best.p > followUp)
    return decideRoute(ranking, t, isEntry);
  if (notCovered >= t.notCoveredInContext && notCovered > followUp)
    return { kind: 'not_covered', p: notCovered };
  const unspecified = ranking.find((r) => r.label === UNSPECIFIED)?.p ?? 0;
  // "giấy tờ cần mang gì" after a question on an entry asks for its documents: only a message that asks
  // for no part leaves the topic this way.
  const help = !asksPart && unspecified >= Math.max(t.unspecified, t.switchTopic);
  if (help && unspecified > followUp && unspecified > (best?.p ?? 0))
    return { kind: 'which', p: unspecified };
  const onTopic = ranking.find((r) => r.label === topic)?.p ?? 0;
  return { kind: 'answer', entry: topic, p: onTopic, followUp: best?.label !== topic };
}
