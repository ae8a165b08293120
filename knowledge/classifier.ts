/**
 * A small text classifier learned from example messages: multinomial
 * logistic regression over character n-grams and words of the folded text
 * (and words as typed, with their tone marks, to break ties).
 *
 * Why this and not cue lists: citizens write the same thing with and
 * without diacritics, with abbreviations, typos and regional spellings.
 * Character 3–5-grams of the folded text are shared by all of those ways
 * ("cccd", "can cuoc", "căn cuóc"), so a linear model over them learns
 * from a few dozen examples per class what a list of phrases never covers.
 *
 * Training is deterministic (a seeded shuffle, fixed epochs) and takes a
 * second or two on the whole knowledge base, so it runs as the assistant
 * starts; no weights are downloaded or stored.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, cacheDirs, modelsCached, prebuiltDir, touchCached, writeCached } from './cache';
import { fold, tokens } from './normalize';

/** One labelled example. */
export interface LabelledText {
  text: string;
  label: string;
}

export interface ClassifierOptions {
  /** Shortest and longest character n-gram of the folded text. */
  minGram: number;
  maxGram: number;
  /** Weight of a word (and of a pair of words) relative to the character n-grams. */
  wordWeight: number;
  /** Weight of a word as typed with its tone marks (0 = not used). */
  accentWeight: number;
  /** Passes over the training data. */
  epochs: number;
  /** Initial learning rate (AdaGrad scales it per feature). */
  learningRate: number;
  /** L2 penalty per update. */
  l2: number;
  /** Seed of the shuffle, so two trainings on the same data give the same model. */
  seed: number;
  /**
   * Weigh each class's examples so every class counts as much as the
   * others (1), or as many times as it has examples (0); in between, the
   * weight is (mean class size / class size) to this power.
   */
  balance: number;
  /** `balance` for particular classes (e.g. 1 for the classes whose recall matters most). */
  balanceByLabel: Record<string, number>;
  /**
   * A feature gets a row only when at least this many training examples
   * have it (unset: 1, every feature). A character n-gram or word pair seen
   * in one example only is mostly that example's own spelling: dropping
   * those kept triage's and the language model's 5-fold CV figures on the
   * training split (triage: the classes' recall 92.21 → 92.26%, false alarms
   * on ordinary messages 4.51 → 4.50%; English 99.50 → 99.52%) with some 40%
   * fewer rows. The router lost 0.3 point of top-1 (90.40 → 90.12%) and
   * keeps every feature.
   */
  minCount?: number;
}

/**
 * Chosen by 5-fold cross-validation on the training split only (never the
 * held-out one): the L2 penalty mattered most (router top-1 84.5% at 1e-5,
 * 89.4% at 3e-4; triage 83.1% → 86.7%); n-gram range, word weight and
 * epochs moved the figures by less than a point.
 */
export const defaultClassifierOptions: ClassifierOptions = {
  minGram: 3,
  maxGram: 5,
  wordWeight: 1,
  accentWeight: 0.3,
  epochs: 12,
  learningRate: 0.5,
  l2: 3e-4,
  seed: 7,
  balance: 0,
  balanceByLabel: {},
};

/** A message's features: names and values, L2-normalised. */
export interface FeatureVector {
  names: string[];
  values: number[];
}

/**
 * The features of a text. Computed once per message and shared by every
 * classifier that reads it (triage, routing), since they use the same options.
 */
export function featurize(
  text: string,
  options: Pick<
    ClassifierOptions,
    'minGram' | 'maxGram' | 'wordWeight' | 'accentWeight'
  > = defaultClassifierOptions,
): FeatureVector {
  // Each feature's count and its kind's weight, kept apart: the value is weight × (1 + ln count), so a
  // feature of weight 0.3 seen once is worth 0.3 (taking the log of 0.3 would make it negative).
  const counts = new Map<string, { count: number; weight: number }>();
  const add = (name: string, weight: number): void => {
    const known = counts.get(name);
    if (known) known.count += 1;
    else counts.set(name, { count: 1, weight });
  };
  const typed = tokens(text);
  const words = typed.map((t) => t.folded);
  const padded = ` ${words.join(' ')} `;
  for (let n = options.minGram; n <= options.maxGram; n++) {
    for (let i = 0; i + n <= padded.length; i++) add(`c${padded.slice(i, i + n)}`, 1);
  }
  for (let i = 0; i < words.length; i++) {
    add(`w${words[i]}`, options.wordWeight);
    if (i + 1 < words.length) add(`b${words[i]} ${words[i + 1]}`, options.wordWeight);
    const accented = typed[i]?.accented;
    if (options.accentWeight > 0 && accented && accented !== words[i])
      add(`a${accented}`, options.accentWeight);
  }
  const names: string[] = [];
  const values: number[] = [];
  let norm = 0;
  for (const [name, { count, weight }] of counts) {
    const v = weight * (1 + Math.log(count));
    names.push(name);
    values.push(v);
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) / norm;
  return { names, values };
}

/**
 * How a text is prepared before its features are taken (e.g. chat
 * abbreviations spelt out: "cccd" → "căn cước công dân"); the same for
 * training and for every message, so both are seen alike.
 */
export type Prepare = ((text: string) => string) & {
  /**
   * What, besides the code, decides the prepared texts (`chatExpansion`: a
   * hash of the synonyms and intents). With it, the build's pretraining
   * records each model's key by its raw examples (`prebuiltKeys`).
   */
  fingerprint?: string;
};

/** Classes with their probabilities, most likely first. */
export type Ranking = Array<{ label: string; p: number }>;

/**
 * The options for a training with another seed (`eval:heldout -- --seeds N`), or none: a seed left
 * undefined must not override the default one when the options are spread over the defaults.
 */
export function withSeed(seed: number | undefined): Partial<ClassifierOptions> {
  return seed === undefined ? {} : { seed };
}

/** A small deterministic pseudo-random generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffle in place with a seeded generator. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Multinomial logistic regression over sparse features. */
export class TextClassifier {
  readonly labels: string[];
  /**
   * The feature names in row order. A trained or loaded model keeps them as
   * an array, not a Map by name: a turn finds rows through `rows`, and a
   * Map of some 330,000 names per model took a second of the start-up and
   * tens of megabytes of heap. Only training builds a Map (`fit`).
   */
  private names: string[] = [];
  /** Row-major weights: feature × class, the last row the bias; quantised (`Quantised`). */
  private weights: Quantised = { scales: new Float32Array(0), values: new Int8Array(0) };
  /** This model's row of each numbered feature (`featureNumbers`), -1 where it has none. */
  private rows: Int32Array = new Int32Array(0);

  private constructor(
    labels: string[],
    readonly options: ClassifierOptions,
    readonly prepare: Prepare,
  ) {
    this.labels = labels;
  }

  /**
   * Learn from `examples`; labels are taken in first-seen order. Training
   * is deterministic, so a model trained once on the same prepared texts,
   * labels and options is reused: from memory in this process, or from the
   * cache directory (MODEL_CACHE_DIR, default the system's temporary
   * directory), so a restart, `npm run ask` or a test server does not pay
   * for the training again. A cache that cannot be read or written is
   * skipped.
   */
  static train(
    examples: LabelledText[],
    options: Partial<ClassifierOptions> = {},
    prepare: Prepare = (text) => text,
  ): TextClassifier {
    const opts = { ...defaultClassifierOptions, ...options };
    const labels = [...new Set(examples.map((e) => e.label))];
    const model = new TextClassifier(labels, opts, prepare);
    let texts: string[] | undefined;
    const key = modelKey(examples, opts, prepare, () => (texts = preparedTexts(examples, prepare)));
    const known = trained.get(key);
    if (known) {
      keepRecent(trained, key, known, MODELS_KEPT);
      model.adopt(known);
      return model;
    }
    if (!model.load(key)) {
      model.fit(examples, texts ?? preparedTexts(examples, prepare));
      model.save(key);
      model.rows = rowsOf(model.names);
    }
    keepRecent(trained, key, { names: model.names, weights: model.weights, rows: model.rows }, MODELS_KEPT);
    return model;
  }

  /**
   * The key of the model `train` would make from the same arguments, without
   * making it: for results worked out with a model and kept
   * (`rememberedJson`), so that the model is made only when they are not.
   */
  static key(
    examples: LabelledText[],
    options: Partial<ClassifierOptions> = {},
    prepare: Prepare = (text) => text,
  ): string {
    const opts = { ...defaultClassifierOptions, ...options };
    return modelKey(examples, opts, prepare, () => preparedTexts(examples, prepare));
  }

  /** Share a model already trained in this process (its index and weights are never changed after). */
  private adopt(state: TrainedState): void {
    this.names = state.names;
    this.weights = state.weights;
    this.rows = state.rows;
  }

  /**
   * Read a cached model: the feature names (JSON) and the weights
   * (`quantisedBytes`), from the cache directory or else from the models the build
   * trained (`dist/models`, written by `npm run build`).
   */
  private load(key: string): boolean {
    return cacheDirs().some((dir) => this.loadFrom(dir, key));
  }

  private loadFrom(dir: string, key: string): boolean {
    try {
      const { names, rows } = namesOf(readFileSync(cacheFile(key, 'json', dir), 'utf8'));
      const weights = readQuantised(cacheFile(key, 'bin', dir), names.length + 1, this.labels.length);
      if (!weights) return false;
      this.names = names;
      this.rows = rows;
      this.weights = weights;
      if (dir === cacheDir()) touchCached([cacheName(key, 'bin'), cacheName(key, 'json')]);
      return true;
    } catch {
      return false;
    }
  }

  private save(key: string): void {
    try {
      // Weights first: a model is found by its names file.
      const files: Array<[string, string | Uint8Array]> = [
        [cacheName(key, 'bin'), quantisedBytes(this.weights)],
        [cacheName(key, 'json'), JSON.stringify(this.names)],
      ];
      // The most recently used models: a knowledge base edited often leaves many.
      writeCached(files, 'classifier-', 2 * modelsCached());
    } catch {
      /* a read-only or full disk: the model still works from memory */
    }
  }

  /** A message's features as this model sees them (prepared, then featurised). */
  features(text: string): FeatureVector {
    return featurize(this.prepare(text), this.options);
  }

  /** `texts`: the examples' texts prepared, in order. */
  private fit(examples: LabelledText[], texts: string[]): void {
    const C = this.labels.length;
    const labelOf = new Map(this.labels.map((l, i) => [l, i]));
    // Every feature of the examples (seen often enough: `minCount`) gets a row, in the order first seen.
    const index = new Map<string, number>();
    const vectors = examples.map((_, i) => featurize(texts[i] as string, this.options));
    const kept = commonFeatures(vectors, this.options.minCount ?? 1);
    const data = examples.map((e, i) => {
      const vector = vectors[i] as FeatureVector;
      const ids: number[] = [];
      const values: number[] = [];
      vector.names.forEach((name, j) => {
        if (!kept(name)) return;
        let id = index.get(name);
        if (id === undefined) index.set(name, (id = index.size));
        ids.push(id);
        values.push(vector.values[j] as number);
      });
      return { ids, values, y: labelOf.get(e.label) as number };
    });
    this.names = [...index.keys()];
    const sizes = new Array<number>(C).fill(0);
    for (const x of data) sizes[x.y] = (sizes[x.y] as number) + 1;
    const mean = data.length / C;
    const { balance, balanceByLabel } = this.options;
    const weightOf = sizes.map((n, c) =>
      Math.pow(mean / Math.max(1, n), balanceByLabel[this.labels[c] as string] ?? balance),
    );
    const F = this.names.length + 1;
    const bias = F - 1;
    const w = new Float32Array(F * C);
    const g2 = new Float32Array(F * C).fill(1e-8);
    const random = seededRandom(this.options.seed);
    const order = data.map((_, i) => i);
    const scores = new Float64Array(C);
    const active = new Int32Array(C);
    const grads = new Float64Array(C);
    const { learningRate, l2 } = this.options;
    for (let epoch = 0; epoch < this.options.epochs; epoch++) {
      shuffle(order, random);
      for (const k of order) {
        const x = data[k] as (typeof data)[number];
        this.scoresInto(w, x.ids, x.values, bias, scores);
        softmaxInPlace(scores);
        const weight = weightOf[x.y] as number;
        // Only classes whose gradient matters are updated: after the first passes most are near 0.
        let n = 0;
        for (let c = 0; c < C; c++) {
          const g = weight * ((scores[c] as number) - (c === x.y ? 1 : 0));
          if (Math.abs(g) < 1e-3) continue;
          active[n] = c;
          grads[n] = g;
          n++;
        }
        for (let j = 0; j <= x.ids.length; j++) {
          const base = (j < x.ids.length ? (x.ids[j] as number) : bias) * C;
          const v = j < x.ids.length ? (x.values[j] as number) : 1;
          for (let k = 0; k < n; k++) {
            const at = base + (active[k] as number);
            const g = (grads[k] as number) * v + l2 * (w[at] as number);
            g2[at] = (g2[at] as number) + g * g;
            w[at] = (w[at] as number) - (learningRate * g) / Math.sqrt(g2[at] as number);
          }
        }
      }
    }
    this.weights = quantise(w, C);
  }

  private scoresInto(
    w: Float32Array,
    ids: number[],
    values: number[],
    bias: number,
    out: Float64Array,
  ): void {
    const C = this.labels.length;
    for (let c = 0; c < C; c++) out[c] = w[bias * C + c] as number;
    for (let j = 0; j < ids.length; j++) {
      const base = (ids[j] as number) * C;
      const v = values[j] as number;
      for (let c = 0; c < C; c++) out[c] = (out[c] as number) + v * (w[base + c] as number);
    }
  }

  /**
   * A message's features as this model's ids, with the share it has seen
   * (`known`), worked out once per vector: a turn asks the same model about
   * the same message more than once.
   */
  private readonly lookedUp = new WeakMap<
    FeatureVector,
    { ids: number[]; values: number[]; known: number }
  >();

  private lookUp(vector: FeatureVector): { ids: number[]; values: number[]; known: number } {
    let found = this.lookedUp.get(vector);
    if (!found) {
      // The features' numbers, shared by every model, give both this model's row and whether it
      // has seen the feature, without hashing the names again for each model.
      const numbers = numbersOf(vector);
      const rows = this.rows;
      const ids: number[] = [];
      const values: number[] = [];
      let seen = 0;
      let all = 0;
      for (let i = 0; i < numbers.length; i++) {
        const value = vector.values[i] as number;
        const v = value ** 2;
        all += v;
        const n = numbers[i] as number;
        const id = n >= 0 && n < rows.length ? (rows[n] as number) : -1;
        if (id < 0) continue;
        seen += v;
        ids.push(id);
        values.push(value);
      }
      found = { ids, values, known: all === 0 ? 0 : seen / all };
      this.lookedUp.set(vector, found);
    }
    return found;
  }

  /** Probabilities of every class for a message's features, most likely first. */
  rank(vector: FeatureVector): Ranking {
    const { ids, values } = this.lookUp(vector);
    const scores = new Float64Array(this.labels.length);
    scoresOfQuantised(this.weights, ids, values, this.names.length, scores);
    softmaxInPlace(scores);
    return this.labels.map((label, i) => ({ label, p: scores[i] as number })).sort((a, b) => b.p - a.p);
  }

  /**
   * The share (0..1) of a message's feature weight that the model has seen
   * in training: near 0 for "xyzzy plugh", where any ranking is a guess.
   */
  known(vector: FeatureVector): number {
    return this.lookUp(vector).known;
  }

  /** Probabilities for a text (prepared and featurised as this model's training was). */
  rankText(text: string): Ranking {
    return this.rank(this.features(text));
  }

  /** How many distinct features the model knows (a measure of its size). */
  get size(): number {
    return this.names.length;
  }
}

interface TrainedState {
  names: string[];
  weights: Quantised;
  rows: Int32Array;
}

/**
 * A model's weights as bytes: each feature's row (its weight for every
 * class) as signed 8-bit steps of that row's own scale (its largest weight
 * / 127). A quarter of float32's size: the router's 154 classes × 145,000
 * features are 22 MB, not 88, which is quicker to read at every start and
 * lighter on the processor's caches at every turn (a message's few hundred
 * rows, scattered over the whole matrix). The rounding is at most half a
 * step per weight; the model in use is always the quantised one (trained,
 * saved or loaded alike), and `eval:heldout` measures it.
 */
interface Quantised {
  scales: Float32Array;
  values: Int8Array;
}

/** Whether a feature is in at least `minCount` of the vectors (always, for 1 or less). */
function commonFeatures(vectors: FeatureVector[], minCount: number): (name: string) => boolean {
  if (minCount <= 1) return () => true;
  const counts = new Map<string, number>();
  for (const v of vectors) for (const name of v.names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return (name) => (counts.get(name) ?? 0) >= minCount;
}

/** Quantise row-major float weights of `classes` columns, row by row. */
function quantise(weights: Float32Array, classes: number): Quantised {
  const rows = weights.length / classes;
  const scales = new Float32Array(rows);
  const values = new Int8Array(weights.length);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < classes; c++) max = Math.max(max, Math.abs(weights[r * classes + c] as number));
    const scale = max / 127;
    scales[r] = scale;
    if (scale === 0) continue;
    for (let c = 0; c < classes; c++)
      values[r * classes + c] = Math.round((weights[r * classes + c] as number) / scale);
  }
  return { scales, values };
}

/** Class scores of a message (its rows `ids` with `values`), starting from the bias row. */
function scoresOfQuantised(
  w: Quantised,
  ids: number[],
  values: number[],
  bias: number,
  out: Float64Array,
): void {
  const C = out.length;
  const q = w.values;
  const biasScale = w.scales[bias] as number;
  for (let c = 0; c < C; c++) out[c] = biasScale * (q[bias * C + c] as number);
  for (let j = 0; j < ids.length; j++) {
    const row = ids[j] as number;
    const v = (values[j] as number) * (w.scales[row] as number);
    if (v === 0) continue;
    const base = row * C;
    for (let c = 0; c < C; c++) out[c] = (out[c] as number) + v * (q[base + c] as number);
  }
}

/** The file of a model's weights: the rows' scales (float32), then the steps (int8). */
function quantisedBytes(w: Quantised): Uint8Array {
  const bytes = new Uint8Array(w.scales.byteLength + w.values.byteLength);
  bytes.set(new Uint8Array(w.scales.buffer, w.scales.byteOffset, w.scales.byteLength), 0);
  bytes.set(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength), w.scales.byteLength);
  return bytes;
}

/**
 * Every feature name that a model in this process knows, numbered. A turn
 * asks four models (router, triage, the urgent pool, the field model) about
 * the same features: each name is looked up here once per message, and each
 * model finds its row by number, an array read, instead of hashing every
 * name again. It grows only when a model is trained or loaded, with that
 * model's names, never with what citizens type.
 */
const featureNumbers = new Map<string, number>();

/** Number a model's feature names (in row order) and give its row for each number (-1: not this model's). */
function rowsOf(names: string[]): Int32Array {
  const numbers = names.map((name) => {
    let n = featureNumbers.get(name);
    if (n === undefined) featureNumbers.set(name, (n = featureNumbers.size));
    return n;
  });
  const rows = new Int32Array(featureNumbers.size).fill(-1);
  numbers.forEach((n, row) => (rows[n] = row));
  return rows;
}

/**
 * A model's feature names read from its names file, numbered, by a hash of
 * the file: models trained on the same examples under other labels (triage's
 * classes and its pooled urgent model) have the same names, some 330,000,
 * which are then parsed and numbered once and kept once.
 */
const loadedNames = new Map<string, { names: string[]; rows: Int32Array }>();

function namesOf(json: string): { names: string[]; rows: Int32Array } {
  const hash = createHash('sha256').update(json).digest('hex');
  let found = loadedNames.get(hash);
  if (!found) {
    const names = JSON.parse(json) as string[];
    found = { names, rows: rowsOf(names) };
    keepRecent(loadedNames, hash, found, MODELS_KEPT);
  }
  return found;
}

/**
 * A weights file (`quantisedBytes`) of `rows` × `classes`, viewed in place
 * when it is aligned (a file read whole has a buffer of its own), or
 * undefined when its size does not fit.
 */
function readQuantised(path: string, rows: number, classes: number): Quantised | undefined {
  let raw = readFileSync(path);
  if (raw.byteLength !== rows * 4 + rows * classes) return undefined;
  if (raw.byteOffset % 4 !== 0) raw = Buffer.from(raw);
  return {
    scales: new Float32Array(raw.buffer, raw.byteOffset, rows),
    values: new Int8Array(raw.buffer, raw.byteOffset + rows * 4, rows * classes),
  };
}

/** A message's feature numbers (-1: no model knows it), kept while no model adds names. */
const numbered = new WeakMap<FeatureVector, { count: number; numbers: Int32Array }>();

function numbersOf(vector: FeatureVector): Int32Array {
  let known = numbered.get(vector);
  if (!known || known.count !== featureNumbers.size) {
    const numbers = new Int32Array(vector.names.length);
    vector.names.forEach((name, i) => (numbers[i] = featureNumbers.get(name) ?? -1));
    known = { count: featureNumbers.size, numbers };
    numbered.set(vector, known);
  }
  return known.numbers;
}

/** Models trained in this process, by training key. */
const trained = new Map<string, TrainedState>();

/**
 * How many models (and names files) this process keeps for reuse: about
 * three assistants' worth (four or five models each). A server that reloads its knowledge
 * base makes a new assistant each time, and keeping every model it ever made
 * grew its memory by a hundred megabytes or more per reload; the models in
 * use are held by their assistant anyway.
 */
export const MODELS_KEPT = 15;

/** How many models this process keeps for reuse now (at most MODELS_KEPT). */
export function modelsKept(): number {
  return trained.size;
}

/** Set `key` as the newest of `map`, dropping the oldest beyond `limit`. */
function keepRecent<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > limit) map.delete(map.keys().next().value as K);
}

/** Bump when the training algorithm or the weights file changes, so older cached models are not reused. */
const ALGORITHM_VERSION = 2;

const cacheName = (key: string, ext: string): string => `classifier-${key}.${ext}`;
const cacheFile = (key: string, ext: string, dir: string): string => join(dir, cacheName(key, ext));

/**
 * A model's training key: the build's (`prebuiltKeys`) when it made this
 * model from the same raw examples, else worked out from the prepared
 * texts (`texts`). Either way it is recorded for `prebuiltKeysFile.write`.
 */
function modelKey(
  examples: LabelledText[],
  options: ClassifierOptions,
  prepare: Prepare,
  texts: () => string[],
): string {
  const raw = rawKey(examples, options, prepare);
  const key = (raw && prebuiltKeys().get(raw)) ?? trainingKey(examples, texts(), options);
  if (raw) keysMade.set(raw, key);
  return key;
}

/**
 * A hash of a model's raw examples, options and `prepare.fingerprint`, or
 * undefined without a fingerprint. It stands for the training key only with
 * the code that worked that key out, so it is looked up only in the build's
 * own record (dist/models/keys.json, written by the pretraining that every
 * build runs after compiling): preparing every example to work the key out
 * took most of a second of each start.
 */
function rawKey(examples: LabelledText[], options: ClassifierOptions, prepare: Prepare): string | undefined {
  if (prepare.fingerprint === undefined) return undefined;
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ v: ALGORITHM_VERSION, options, prepared: prepare.fingerprint }));
  for (const e of examples) hash.update(`${e.label}\u0000${e.text}\u0001`);
  return hash.digest('hex').slice(0, 32);
}

/** Training keys by raw key, worked out or found in this process. */
const keysMade = new Map<string, string>();

const PREBUILT_KEYS = 'keys.json';
let prebuilt: Map<string, string> | undefined;

/** The build's record of training keys by raw key (empty when there is none). */
function prebuiltKeys(): Map<string, string> {
  if (!prebuilt) {
    try {
      const record = JSON.parse(readFileSync(join(prebuiltDir(), PREBUILT_KEYS), 'utf8')) as object;
      prebuilt = new Map(
        Object.entries(record).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
    } catch {
      prebuilt = new Map();
    }
  }
  return prebuilt;
}

/**
 * For the build's pretraining (bot/cli/pretrain.ts): forget the previous
 * build's record before training, then write this process's keys as the
 * new one, beside the models in `dir`.
 */
export const prebuiltKeysFile = {
  forget(dir: string): void {
    rmSync(join(dir, PREBUILT_KEYS), { force: true });
    prebuilt = new Map();
  },
  write(dir: string): void {
    writeFileSync(join(dir, PREBUILT_KEYS), JSON.stringify(Object.fromEntries(keysMade)));
  },
};

/** A hash of everything training depends on: the prepared texts, their labels and the options. */
function trainingKey(examples: LabelledText[], texts: string[], options: ClassifierOptions): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ v: ALGORITHM_VERSION, options }));
  examples.forEach((e, i) => hash.update(`${e.label}\u0000${texts[i] as string}\u0001`));
  return hash.digest('hex').slice(0, 32);
}

/**
 * Example texts already prepared, per preparing function, while models are
 * being made: the router (twice), triage (twice) and the field model share
 * most of their examples and one `prepare` (`chatExpansion`), and preparing
 * every example for every model's key was a second and more of each start.
 * Kept until the event loop turns (the models are made in one go), so that
 * what citizens type is never kept here.
 */
const prepared = new Map<Prepare, Map<string, string>>();

function preparedTexts(examples: LabelledText[], prepare: Prepare): string[] {
  let texts = prepared.get(prepare);
  if (!texts) {
    prepared.set(prepare, (texts = new Map()));
    setImmediate(() => prepared.delete(prepare));
  }
  const known = texts;
  return examples.map((e) => {
    let text = known.get(e.text);
    if (text === undefined) known.set(e.text, (text = prepare(e.text)));
    return text;
  });
}

function softmaxInPlace(scores: Float64Array): void {
  let max = -Infinity;
  for (const s of scores) max = Math.max(max, s);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const e = Math.exp((scores[i] as number) - max);
    scores[i] = e;
    sum += e;
  }
  for (let i = 0; i < scores.length; i++) scores[i] = (scores[i] as number) / sum;
}

/**
 * The held-out split: a fixed share of examples, chosen by a hash of the
 * folded text and a seed, so the same example is always on the same side
 * whatever else is added, and near-identical spellings stay together.
 */
export function isHeldOut(text: string, share = 0.2, seed = 20261204): boolean {
  let h = 2166136261 ^ seed;
  const key = fold(text)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) / 4294967296 < share;
}
