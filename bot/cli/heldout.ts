/**
 * `npm run eval:heldout [-- --cv] [--json OUT] [--only FILE] [--only-triage FILE] [--only-fields FILE] [--seeds N]`:
 * how well triage, the router and the field model do on examples they never learned from.
 *
 * The held-out split (`isHeldOut`, a fixed seed over the folded text) is
 * left out of training here and never used to choose anything but the
 * decision thresholds, which this command prints with the figures behind
 * them. `--cv` also runs 5-fold cross-validation on the training split for
 * the classifier's few options (the way they were chosen).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isHeldOut, TextClassifier, type ClassifierOptions, type Ranking } from '../../knowledge/classifier';
import type { KnowledgeBase } from '../../knowledge/loader';
import {
  chatExpansion,
  defaultRouterOptions,
  FieldModel,
  FOLLOW_UP,
  Router,
  routerExamples,
} from '../../knowledge/router';
import { NON_ENTRY_LABELS, NOT_COVERED, UNSPECIFIED, type Example } from '../../knowledge/schema';
import { LanguageModel } from '../../knowledge/language';
import { looksEnglish } from '../../knowledge/normalize';
import { Assistant, defaultHotline, newMemory } from '../assistant';
import { loadConfiguredKnowledge } from '../kb';
import {
  decideMessage,
  decideTriage,
  defaultTriageThresholds,
  EMERGENCIES,
  Triage,
  triageExamples,
  wordCount,
} from '../triage';
import { decideRoute, defaultRouteThresholds, type RouteThresholds } from '../understand';

/** How many missed questions one wrong answer is worth when the thresholds are chosen. */
const WRONG_ANSWER_COST = 2;

const pct = (n: number, d: number): string => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);

interface ClassFigures {
  recall: string;
  precision: string;
  support: number;
}

/**
 * For each `alsoEmergency` share: how often the held-out emergency's own
 * number is among those named, and how many numbers a reply names on average.
 */
function alsoSweep(rankings: Array<{ e: Example; ranking: Ranking }>): unknown[] {
  const urgent = rankings.filter(({ e }) => (EMERGENCIES as readonly string[]).includes(e.label));
  return [1.01, 0.5, 0.4, 0.3, 0.2].map((share) => {
    const got = urgent.map(({ e, ranking }) => {
      const d = decideTriage(ranking, { ...defaultTriageThresholds, alsoEmergency: share });
      const named: string[] = (EMERGENCIES as readonly string[]).includes(d.label)
        ? [d.label, ...(d.also ?? [])]
        : [];
      return { right: named.includes(e.label), count: named.length };
    });
    return {
      alsoEmergency: share,
      rightNumberNamed: pct(got.filter((g) => g.right).length, got.length),
      numbersPerReply: (got.reduce((s, g) => s + g.count, 0) / Math.max(1, got.length)).toFixed(2),
    };
  });
}

/** A message's class as decided; `alsoSelfHarm`: an emergency's reply that adds the self-harm lines. */
type Decided = { e: Example; got: string; alsoSelfHarm?: boolean };
type DecideAt = (thresholds?: typeof defaultTriageThresholds) => Decided[];

const isEmergency = (l: string): boolean => (EMERGENCIES as readonly string[]).includes(l);
const isUrgent = (l: string): boolean => isEmergency(l) || l === 'self_harm';

/** Recall, precision and support of each class. */
function perClassFigures(results: Decided[]): Record<string, ClassFigures> {
  const perClass: Record<string, ClassFigures> = {};
  for (const label of [...new Set(results.map((r) => r.e.label))].sort()) {
    const truth = results.filter((r) => r.e.label === label);
    const predicted = results.filter((r) => r.got === label);
    perClass[label] = {
      recall: pct(truth.filter((r) => r.got === label).length, truth.length),
      precision: pct(predicted.filter((r) => r.e.label === label).length, predicted.length),
      support: truth.length,
    };
  }
  return perClass;
}

/** Urgent recall against false alarms, for one threshold shared by emergencies and self-harm. */
function urgentSweep(at: DecideAt, isQuestion: (r: Decided) => boolean): unknown[] {
  return [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5].map((tau) => {
    const r = at({ ...defaultTriageThresholds, emergency: tau, selfHarm: tau });
    const ordinary = r.filter((x) => x.e.label === 'none');
    const questions = r.filter(isQuestion);
    const urgentTruth = r.filter((x) => isUrgent(x.e.label));
    return {
      threshold: tau,
      urgentRecall: pct(urgentTruth.filter((x) => isUrgent(x.got)).length, urgentTruth.length),
      falseUrgentOnOrdinary: pct(ordinary.filter((x) => isUrgent(x.got)).length, ordinary.length),
      falseUrgentOnKnowledgeQuestions: pct(questions.filter((x) => isUrgent(x.got)).length, questions.length),
    };
  });
}

/** The other classes' recall against false alarms, for pairs of (other, otherOnKnowledge) thresholds. */
function otherSweep(at: DecideAt, isQuestion: (r: Decided) => boolean): unknown[] {
  const pairs: Array<[number, number]> = [
    [0.35, 0.35],
    [0.3, 0.4],
    [0.25, 0.4],
    [0.25, 0.45],
    [0.25, 0.5],
    [0.2, 0.45],
  ];
  return pairs.map(([other, otherOnKnowledge]) => {
    const r = at({ ...defaultTriageThresholds, other, otherOnKnowledge });
    const specificTruth = r.filter((x) => x.e.label !== 'none' && !isUrgent(x.e.label));
    const ordinary = r.filter((x) => x.e.label === 'none');
    const questions = r.filter(isQuestion);
    return {
      other,
      otherOnKnowledge,
      otherClassesRecall: pct(specificTruth.filter((x) => x.got === x.e.label).length, specificTruth.length),
      falseOtherOnKnowledgeQuestions: pct(questions.filter((x) => x.got !== 'none').length, questions.length),
      falseOtherOnOrdinary: pct(ordinary.filter((x) => x.got !== 'none').length, ordinary.length),
    };
  });
}

/** A held-out message's triage inputs: the class model's ranking and what `decideMessage` weighs with it. */
interface TriageInputs {
  e: Example;
  ranking: Ranking;
  known: number;
  knowledge: number;
  urgency: number;
  words: number;
}

/** The held-out triage messages (those listed in `only`, when given). */
function heldOutTriage(kb: KnowledgeBase, only?: Set<string>): Example[] {
  return triageExamples(kb).filter((e) => isHeldOut(e.text) && (!only || only.has(e.text)));
}

/** What triage and the router make of each held-out message, once, for every threshold tried. */
function triageInputs(triage: Triage, router: Router, held: Example[]): TriageInputs[] {
  return held.map((e) => {
    const features = triage.model.features(e.text);
    const known = triage.model.known(features);
    const knowledge = router.knowledge(router.rank(router.features(e.text)));
    const urgency = triage.urgency(features);
    return { e, ranking: triage.model.rank(features), known, knowledge, urgency, words: wordCount(features) };
  });
}

/** The decisions at some thresholds, from inputs worked out once. */
function decider(inputs: TriageInputs[]): DecideAt {
  return (thresholds = defaultTriageThresholds) =>
    inputs.map(({ e, ranking, known, knowledge, urgency, words }) => {
      const d = decideMessage(ranking, known, knowledge, thresholds, urgency, words);
      return { e, got: d.label, ...(d.alsoSelfHarm ? { alsoSelfHarm: true } : {}) };
    });
}

/** Triage on the held-out split: per class recall and precision, false alarms on ordinary questions. */
function triageReport(kb: KnowledgeBase, only?: Set<string>): Record<string, unknown> {
  const triage = new Triage(kb, { holdOut: true });
  const router = new Router(kb, { holdOut: true });
  const held = heldOutTriage(kb, only);
  const rankings = triageInputs(triage, router, held);
  const at = decider(rankings);
  /** Held-out procedure, service, lesson and not-covered questions: what citizens ask most. */
  const knowledgeTexts = new Set(kb.examples.map((x) => x.text));
  const isQuestion = (r: Decided): boolean => knowledgeTexts.has(r.e.text);
  const results = at();
  const ordinary = results.filter((r) => r.e.label === 'none');
  const questions = results.filter(isQuestion);
  const emergencies = results.filter((r) => isEmergency(r.e.label));
  return {
    heldOut: held.length,
    perClass: perClassFigures(results),
    otherSweep: otherSweep(at, isQuestion),
    emergencyRecall: pct(emergencies.filter((r) => isEmergency(r.got)).length, emergencies.length),
    emergencyRightNumber: pct(emergencies.filter((r) => r.got === r.e.label).length, emergencies.length),
    selfHarmLinesGiven: pct(
      results.filter((r) => r.e.label === 'self_harm' && givesSelfHarmLines(r)).length,
      results.filter((r) => r.e.label === 'self_harm').length,
    ),
    /** With the further numbers named when another emergency is close (`alsoEmergency`). */
    emergencyNumberNamed: alsoSweep(rankings),
    falseEmergencyOnOrdinary: pct(ordinary.filter((r) => isEmergency(r.got)).length, ordinary.length),
    falseAnyOnOrdinary: pct(ordinary.filter((r) => r.got !== 'none').length, ordinary.length),
    falseUrgentOnKnowledgeQuestions: `${pct(questions.filter((r) => isUrgent(r.got)).length, questions.length)} of ${questions.length}`,
    falseAnyOnKnowledgeQuestions: pct(questions.filter((r) => r.got !== 'none').length, questions.length),
    thresholdSweep: urgentSweep(at, isQuestion),
    errors: results
      .filter((r) => r.got !== r.e.label)
      .slice(0, 40)
      .map((r) => `${r.e.label} → ${r.got}: ${r.e.text}`),
  };
}

/** A figure's spread over trainings: mean, standard deviation, least and most. */
function spread(values: number[]): Record<string, number> {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1);
  const round = (x: number): number => Math.round(100 * x) / 100;
  return {
    mean: round(mean),
    sd: round(Math.sqrt(variance)),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
  };
}

/** The share (in %) of `of` that `hit` holds. */
const share = (of: Decided[], hit: (r: Decided) => boolean): number =>
  of.length === 0 ? 0 : (100 * of.filter(hit).length) / of.length;

/**
 * Whether the reply carries the self-harm lines (the caring words, the crisis line, an urgent person):
 * the self-harm reply, or an emergency's that adds them because self-harm is close behind
 * (`alsoSelfHarm`, e.g. "bạn tôi vừa uống cả lọ thuốc ngủ": 115 first, then those lines).
 */
const givesSelfHarmLines = (r: Decided): boolean => r.got === 'self_harm' || r.alsoSelfHarm === true;

/** Triage's headline figures on the held-out messages, as numbers (%), for one training. */
function headline(results: Decided[], isQuestion: (r: Decided) => boolean): Record<string, number> {
  const truth = (label: string): Decided[] => results.filter((r) => r.e.label === label);
  const urgent = results.filter((r) => isUrgent(r.e.label));
  const emergencies = results.filter((r) => isEmergency(r.e.label));
  const ordinary = truth('none');
  const figures: Record<string, number> = {
    urgentRecall: share(urgent, (r) => isUrgent(r.got)),
    emergencyRecall: share(emergencies, (r) => isEmergency(r.got)),
    emergencyRightNumber: share(emergencies, (r) => r.got === r.e.label),
    selfHarmLinesGiven: share(truth('self_harm'), givesSelfHarmLines),
    falseEmergencyOnOrdinary: share(ordinary, (r) => isEmergency(r.got)),
    falseUrgentOnKnowledgeQuestions: share(results.filter(isQuestion), (r) => isUrgent(r.got)),
    falseAnyOnOrdinary: share(ordinary, (r) => r.got !== 'none'),
  };
  for (const label of [...new Set(results.map((r) => r.e.label))].sort()) {
    if (!isEmergency(label) && label !== 'none') figures[label] = share(truth(label), (r) => r.got === label);
  }
  return figures;
}

/**
 * Every model trained with `count` seeds (the shipped one, 7, and the next
 * ones): each headline figure's mean and spread, for triage on the held-out
 * messages (`only`: those listed) and end to end on the held-out questions
 * (`onlyQuestions`). Any change to the examples moves a figure about as much
 * as another shuffle of the same examples does, so a round is judged on the
 * mean over seeds, not one training's draw.
 */
function seedsReport(
  kb: KnowledgeBase,
  count: number,
  only?: Set<string>,
  onlyQuestions?: Set<string>,
): Record<string, unknown> {
  const held = heldOutTriage(kb, only);
  const knowledgeTexts = new Set(kb.examples.map((x) => x.text));
  const isQuestion = (r: Decided): boolean => knowledgeTexts.has(r.e.text);
  const seeds = Array.from({ length: count }, (_, i) => 7 + i);
  const perSeed = seeds.map((seed) => {
    const assistant = new Assistant(kb, {}, defaultHotline, { holdOut: true, seed });
    const triage = headline(decider(triageInputs(assistant.triage, assistant.router, held))(), isQuestion);
    const { right, wrong } = endToEndShares(assistant, kb, onlyQuestions);
    return {
      seed,
      ...triage,
      endToEndRight: right,
      endToEndWrong: wrong,
      endToEndScore: right - WRONG_ANSWER_COST * wrong,
    };
  });
  const names = Object.keys(perSeed[0] ?? {}).filter((k) => k !== 'seed');
  const summary = Object.fromEntries(
    names.map((k) => [k, spread(perSeed.map((s) => (s as Record<string, number>)[k] ?? 0))]),
  );
  return { triageMessages: held.length, seeds, summary, perSeed };
}

/**
 * The held-out ways of asking for a part (`seeds/fields/`): whether the field
 * model names the part asked (none for `none`), whether triage leaves them
 * alone (a short "hết bao nhiêu tiền" after an answer is a question, not an
 * outside or harmful ask), and how often the router reads them as a follow-up.
 */
function fieldsReport(kb: KnowledgeBase, only?: Set<string>): Record<string, unknown> {
  const fieldModel = new FieldModel(kb, { holdOut: true });
  const router = new Router(kb, { holdOut: true });
  const triage = new Triage(kb, { holdOut: true });
  const held = kb.fields.filter((e) => isHeldOut(e.text) && (!only || only.has(e.text)));
  const results = held.map((e) => {
    const features = router.features(e.text);
    const asked = fieldModel.fields(features);
    const ranking = router.rank(features);
    const triaged = triage.classify(features, router.knowledge(ranking)).label;
    const right = e.label === 'none' ? asked.length === 0 : asked[0] === e.label;
    return { e, right, triaged, followUp: ranking[0]?.label === FOLLOW_UP };
  });
  const styles = [...new Set(held.map((e) => e.style ?? 'unknown'))].sort();
  return {
    heldOut: held.length,
    partRight: pct(results.filter((r) => r.right).length, results.length),
    triagedAsAClass: pct(results.filter((r) => r.triaged !== 'none').length, results.length),
    routerReadsFollowUp: pct(results.filter((r) => r.followUp).length, results.length),
    byStyle: Object.fromEntries(
      styles.map((st) => {
        const s = results.filter((r) => (r.e.style ?? 'unknown') === st);
        return [st, `${pct(s.filter((r) => r.right).length, s.length)} of ${s.length}`];
      }),
    ),
    errors: results
      .filter((r) => !r.right || r.triaged !== 'none')
      .slice(0, 40)
      .map((r) => `${r.e.label} (triage ${r.triaged}): ${r.e.text}`),
  };
}

/**
 * The reply's language on the held-out messages (questions, ways of asking
 * for a part, triage messages) that carry a style: English for `english`,
 * Vietnamese for every other style. A message the model leaves undecided
 * counts as Vietnamese, the language of a conversation with none yet. The
 * marker words alone (`looksEnglish`, the rule before 2026-12-06) beside it.
 */
function languageReport(kb: KnowledgeBase): Record<string, unknown> {
  const model = new LanguageModel(kb, { holdOut: true });
  const router = new Router(kb, { holdOut: true });
  const held = [...kb.examples, ...kb.fields, ...kb.triage].filter((e) => e.style && isHeldOut(e.text));
  const results = held.map((e) => {
    const truth = e.style === 'english' ? 'en' : 'vi';
    const decided = model.of(e.text, router.features(e.text));
    return {
      e,
      truth,
      right: (decided ?? 'vi') === truth,
      undecided: !decided,
      marker: looksEnglish(e.text),
    };
  });
  const rate = (truth: string, right: (r: (typeof results)[number]) => boolean): string => {
    const s = results.filter((r) => r.truth === truth);
    return `${pct(s.filter(right).length, s.length)} of ${s.length}`;
  };
  return {
    heldOut: held.length,
    englishRecognised: rate('en', (r) => r.right),
    vietnameseKept: rate('vi', (r) => r.right),
    undecided: pct(results.filter((r) => r.undecided).length, results.length),
    markerWordsBefore: {
      englishRecognised: rate('en', (r) => r.marker),
      vietnameseKept: rate('vi', (r) => !r.marker),
    },
    errors: results
      .filter((r) => !r.right)
      .slice(0, 40)
      .map((r) => `${r.truth}${r.undecided ? ' (undecided)' : ''}: ${r.e.text}`),
  };
}

/** Router on the held-out split: top-1, abstention, reliability, by style; thresholds swept. */
function routerReport(kb: KnowledgeBase): Record<string, unknown> {
  const router = new Router(kb, { holdOut: true });
  const held = kb.examples.filter((e) => isHeldOut(e.text));
  const ranked = held.map((e) => ({ e, ranking: router.rank(router.features(e.text)) }));
  const inCoverage = ranked.filter((r) => !NON_ENTRY_LABELS.has(r.e.label));
  const top1 = inCoverage.filter((r) => r.ranking[0]?.label === r.e.label).length;

  const decide = (thresholds: RouteThresholds) =>
    ranked.map(({ e, ranking }) => ({ e, d: decideRoute(ranking, thresholds, (l) => router.isEntry(l)) }));
  /** A decision is right when it answers the right entry, clarifies with it among the choices, or abstains on not-covered. */
  const right = (e: Example, d: ReturnType<typeof decideRoute>): boolean =>
    e.label === NOT_COVERED
      ? d.kind === 'not_covered'
      : e.label === UNSPECIFIED
        ? d.kind === 'which'
        : (d.kind === 'answer' && d.entry === e.label) ||
          (d.kind === 'clarify' && d.choices.slice(0, 3).includes(e.label));
  const figures = (thresholds: RouteThresholds) => {
    const ds = decide(thresholds);
    const nc = ds.filter((x) => x.e.label === NOT_COVERED);
    const abstained = ds.filter((x) => x.d.kind === 'not_covered');
    return {
      right: pct(ds.filter((x) => right(x.e, x.d)).length, ds.length),
      answeredWrong: pct(
        ds.filter((x) => x.d.kind === 'answer' && x.d.entry !== x.e.label).length,
        ds.length,
      ),
      clarified: pct(ds.filter((x) => x.d.kind === 'clarify').length, ds.length),
      abstentionRecall: pct(nc.filter((x) => x.d.kind === 'not_covered').length, nc.length),
      abstentionPrecision: pct(abstained.filter((x) => x.e.label === NOT_COVERED).length, abstained.length),
      // A wrong answer sends a citizen on a wasted trip; a clarification or "not covered" with 1022
      // costs a question more. The thresholds are chosen on right − 2 × answered wrong.
      rightScore:
        (ds.filter((x) => right(x.e, x.d)).length -
          WRONG_ANSWER_COST * ds.filter((x) => x.d.kind === 'answer' && x.d.entry !== x.e.label).length) /
        Math.max(1, ds.length),
      byStyle: Object.fromEntries(
        [...new Set(ds.map((x) => x.e.style ?? 'unknown'))].sort().map((style) => {
          const s = ds.filter((x) => (x.e.style ?? 'unknown') === style);
          return [style, pct(s.filter((x) => right(x.e, x.d)).length, s.length)];
        }),
      ),
    };
  };
  const sweep = [];
  for (const answer of [0.2, 0.25, 0.3, 0.35, 0.4, 0.5]) {
    for (const notCovered of [0.3, 0.4, 0.5, 0.6]) {
      const t = { ...defaultRouteThresholds, answer, notCovered };
      const f = figures(t);
      sweep.push({ answer, notCovered, right: f.right, answeredWrong: f.answeredWrong, score: f.rightScore });
    }
  }
  // Scores within a tenth of a point are a question or two apart: then the higher threshold (fewer answers) wins.
  const tenth = (x: number): number => Math.round(x * 1000);
  sweep.sort((a, b) => tenth(b.score) - tenth(a.score) || b.answer - a.answer || a.notCovered - b.notCovered);
  const bins = [0, 0.2, 0.4, 0.6, 0.8, 1.0001];
  const reliability = bins.slice(0, -1).map((lo, i) => {
    const hi = bins[i + 1] as number;
    const inBin = inCoverage.filter((r) => (r.ranking[0]?.p ?? 0) >= lo && (r.ranking[0]?.p ?? 0) < hi);
    return {
      confidence: `${lo.toFixed(1)}–${Math.min(1, hi).toFixed(1)}`,
      questions: inBin.length,
      top1Right: pct(inBin.filter((r) => r.ranking[0]?.label === r.e.label).length, inBin.length),
    };
  });
  const current = figures(defaultRouteThresholds);
  return {
    heldOut: held.length,
    top1InCoverage: pct(top1, inCoverage.length),
    atDefaultThresholds: { thresholds: defaultRouteThresholds, ...current, rightScore: undefined },
    reliability,
    thresholdSweep: sweep,
    errors: ranked
      .filter((r) => r.ranking[0]?.label !== r.e.label)
      .slice(0, 40)
      .map(
        (r) => `${r.e.label} → ${r.ranking[0]?.label} (${(r.ranking[0]?.p ?? 0).toFixed(2)}): ${r.e.text}`,
      ),
  };
}

/** Each held-out question (those listed in `only`, when given) put through the assistant. */
function endToEndResults(
  assistant: Assistant,
  kb: KnowledgeBase,
  only?: Set<string>,
): Array<{ e: Example; ok: boolean; wrong: boolean }> {
  const held = kb.examples.filter((e) => isHeldOut(e.text) && (!only || only.has(e.text)));
  return held.map((e) => {
    const r = assistant.respond(e.text, newMemory());
    const answered = r.entry !== null && !r.entry.id.includes('#');
    const ok =
      e.label === NOT_COVERED
        ? !answered
        : e.label === UNSPECIFIED
          ? r.kind === 'clarify' && !answered
          : r.entry?.id === e.label;
    return { e, ok, wrong: answered && r.entry?.id !== e.label };
  });
}

/** The shares (%) of held-out questions answered right and answered with a wrong entry. */
function endToEndShares(
  assistant: Assistant,
  kb: KnowledgeBase,
  only?: Set<string>,
): { right: number; wrong: number } {
  const results = endToEndResults(assistant, kb, only);
  const n = Math.max(1, results.length);
  return {
    right: (100 * results.filter((x) => x.ok).length) / n,
    wrong: (100 * results.filter((x) => x.wrong).length) / n,
  };
}

/**
 * The held-out questions through the whole assistant (triage, router, lexical search, decision),
 * its models trained without them: the answered entry must be the labelled one, and a question
 * the knowledge base does not cover must get no entry.
 */
function endToEnd(kb: KnowledgeBase, only?: Set<string>): Record<string, unknown> {
  const assistant = new Assistant(kb, {}, defaultHotline, { holdOut: true });
  const results = endToEndResults(assistant, kb, only);
  const held = results.map((x) => x.e);
  const inCoverage = results.filter((x) => !NON_ENTRY_LABELS.has(x.e.label));
  const notCovered = results.filter((x) => x.e.label === NOT_COVERED);
  const styles = [...new Set(held.map((e) => e.style ?? 'unknown'))].sort();
  return {
    questions: held.length,
    right: pct(results.filter((x) => x.ok).length, results.length),
    /** Answered with another entry than the labelled one (or any entry for a question not covered). */
    answeredWrong: pct(results.filter((x) => x.wrong).length, results.length),
    inCoverageRoutedRight: pct(inCoverage.filter((x) => x.ok).length, inCoverage.length),
    notCoveredGivenNoEntry: pct(notCovered.filter((x) => x.ok).length, notCovered.length),
    byStyle: Object.fromEntries(
      styles.map((st) => {
        const s = results.filter((x) => (x.e.style ?? 'unknown') === st);
        return [st, pct(s.filter((x) => x.ok).length, s.length)];
      }),
    ),
    // Each folder of seeds/examples came in its own batch (more/: the weakest styles; situations/:
    // situations and English); the first folder stays comparable with earlier runs.
    byFolder: Object.fromEntries(
      [...new Set(results.map((x) => exampleFolder(x.e.file)))].sort().map((folder) => {
        const s = results.filter((x) => exampleFolder(x.e.file) === folder);
        return [folder, `${pct(s.filter((x) => x.ok).length, s.length)} of ${s.length}`];
      }),
    ),
  };
}

/** The folder of seeds/examples an example came from: "examples", "examples/more"… */
function exampleFolder(file: string): string {
  const m = /examples\/([^/]+)\/[^/]+$/.exec(file);
  return m ? `examples/${m[1]}` : 'examples';
}

/** 5-fold cross-validation of the router's options on the training split only. */
function crossValidate(kb: KnowledgeBase): Array<{ options: Partial<ClassifierOptions>; top1: string }> {
  const train = routerExamples(kb, (e) => !isHeldOut(e.text));
  const grid: Array<Partial<ClassifierOptions>> = [
    {},
    { epochs: 6 },
    { epochs: 20 },
    { wordWeight: 0.5 },
    { wordWeight: 2 },
    { accentWeight: 0 },
    { maxGram: 4 },
  ];
  return grid.map((options) => {
    let right = 0;
    let total = 0;
    for (let fold = 0; fold < 5; fold++) {
      const inFold = (_: Example, i: number): boolean => i % 5 === fold;
      const model = TextClassifier.train(
        train.filter((e, i) => !inFold(e, i)),
        { ...defaultRouterOptions.classifier, ...options },
        chatExpansion(kb),
      );
      for (const e of train.filter(inFold)) {
        if (!kb.examples.includes(e)) continue; // score on example questions, not on titles
        total += 1;
        if (model.rankText(e.text)[0]?.label === e.label) right += 1;
      }
    }
    return { options, top1: pct(right, total) };
  });
}

/** The texts listed in the JSON file after `flag` (a JSON array of strings), when the flag is given. */
function listed(args: string[], flag: string): { file: string; texts: Set<string> } | undefined {
  const at = args.indexOf(flag);
  const file = at >= 0 ? args[at + 1] : undefined;
  if (!file) return undefined;
  return { file, texts: new Set(JSON.parse(readFileSync(file, 'utf8')) as string[]) };
}

function main(): void {
  const args = process.argv.slice(2);
  const jsonAt = args.indexOf('--json');
  const kb = loadConfiguredKnowledge();
  const report: Record<string, unknown> = {
    examples: { router: kb.examples.length, triage: kb.triage.length, fields: kb.fields.length },
    triage: triageReport(kb),
    router: routerReport(kb),
    endToEnd: endToEnd(kb),
  };
  if (args.includes('--cv')) report.crossValidation = crossValidate(kb);
  // `--only FILE`: end to end on the held-out questions listed in FILE (a JSON array of texts), e.g. the
  // split as it was before a batch (`eval/heldout-2026-12-05.json`), to compare the same questions.
  const only = listed(args, '--only');
  if (only) report.endToEndOnly = { file: only.file, ...endToEnd(kb, only.texts) };
  // `--only-triage FILE`: triage on the held-out messages listed in FILE, e.g. the split before a batch
  // (`eval/heldout-triage-2026-12-06.json`), so that per-class figures compare the same messages.
  const onlyTriage = listed(args, '--only-triage');
  if (onlyTriage) report.triageOnly = { file: onlyTriage.file, ...triageReport(kb, onlyTriage.texts) };
  // `--seeds N`: every model trained N times with other shuffles; triage on the messages of `--only-triage`
  // and end to end on the questions of `--only`, when given.
  const seedsAt = args.indexOf('--seeds');
  const seeds = seedsAt >= 0 ? Number(args[seedsAt + 1]) : 0;
  if (seedsAt >= 0 && !(Number.isInteger(seeds) && seeds >= 2))
    throw new Error('--seeds takes a whole number of trainings, 2 or more');
  if (seeds) {
    const files = { triageFile: onlyTriage?.file, questionsFile: only?.file };
    report.seeds = { ...files, ...seedsReport(kb, seeds, onlyTriage?.texts, only?.texts) };
  }
  report.fields = fieldsReport(kb);
  report.language = languageReport(kb);
  // `--only-fields FILE`: the field model on the held-out ways of asking for a part listed in FILE, e.g.
  // the split before a batch of them (`eval/heldout-fields-2026-12-06.json`).
  const onlyFields = listed(args, '--only-fields');
  if (onlyFields) report.fieldsOnly = { file: onlyFields.file, ...fieldsReport(kb, onlyFields.texts) };
  if (jsonAt >= 0 && args[jsonAt + 1])
    writeFileSync(args[jsonAt + 1] as string, JSON.stringify(report, null, 2));
  const quiet = args.includes('--quiet');
  const show = quiet
    ? JSON.parse(JSON.stringify(report, (k, v: unknown) => (k === 'errors' ? undefined : v)))
    : report;
  console.log(JSON.stringify(show, null, 2));
}

main();
