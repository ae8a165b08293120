/** The text classifier: learns from examples, generalises over spellings, is deterministic. */
import { mkdtempSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { featurize, isHeldOut, MODELS_KEPT, modelsKept, TextClassifier } from '../../../knowledge/classifier';

const examples = [
  { text: 'làm thẻ căn cước ở đâu', label: 'can-cuoc' },
  { text: 'cấp lại căn cước bị mất', label: 'can-cuoc' },
  { text: 'căn cước cho trẻ dưới 14 tuổi', label: 'can-cuoc' },
  { text: 'đăng ký kết hôn cần giấy tờ gì', label: 'ket-hon' },
  { text: 'kết hôn với người nước ngoài', label: 'ket-hon' },
  { text: 'lệ phí đăng ký kết hôn', label: 'ket-hon' },
];

describe('TextClassifier', () => {
  const model = TextClassifier.train(examples);

  it('ranks an unseen question without tone marks by the spellings it shares', () => {
    expect(model.rankText('lam can cuoc mat bao lau')[0]?.label).toBe('can-cuoc');
    expect(model.rankText('dang ky ket hon o dau')[0]?.label).toBe('ket-hon');
  });

  it('gives probabilities that sum to one, most likely first', () => {
    const ranking = model.rankText('kết hôn');
    expect(ranking.reduce((s, r) => s + r.p, 0)).toBeCloseTo(1, 6);
    expect(ranking[0]!.p).toBeGreaterThanOrEqual(ranking[1]!.p);
  });

  it('weighs a word as typed with tone marks below its folded form, never against it', () => {
    const f = featurize('căn cước');
    const value = (name: string): number => f.values[f.names.indexOf(name)] ?? Number.NaN;
    expect(value('acăn')).toBeGreaterThan(0);
    expect(value('acăn')).toBeCloseTo(0.3 * value('wcan'), 6);
  });

  it('is deterministic: training twice gives the same probabilities', () => {
    const again = TextClassifier.train(examples, { seed: 7 });
    expect(again.rankText('căn cước gắn chip')).toEqual(model.rankText('căn cước gắn chip'));
  });

  it('learns a little differently from another seed, the same examples shuffled otherwise', () => {
    // What `eval:heldout -- --seeds N` relies on to tell a round's effect from one training's draw.
    const other = TextClassifier.train(examples, { seed: 8 });
    const p = (m: TextClassifier): number => m.rankText('căn cước gắn chip')[0]!.p;
    expect(other.rankText('căn cước gắn chip')[0]?.label).toBe('can-cuoc');
    expect(p(other)).not.toBeCloseTo(p(model), 6);
  });

  it('knows how much of a message it has seen: nothing of keyboard noise', () => {
    expect(model.known(featurize('qwerty zxcv'))).toBeLessThan(0.2);
    expect(model.known(featurize('làm thẻ căn cước'))).toBeGreaterThan(0.8);
  });

  it('weighs small classes up with balance, so they are not drowned by a large one', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ text: `hỏi thủ tục số ${i} ở xã`, label: 'none' }));
    const few = [{ text: 'cứu với cháy nhà', label: 'fire' }];
    const plain = TextClassifier.train([...many, ...few]);
    const balanced = TextClassifier.train([...many, ...few], { balance: 1 });
    const p = (m: TextClassifier): number => m.rankText('cháy nhà').find((r) => r.label === 'fire')!.p;
    expect(p(balanced)).toBeGreaterThan(p(plain));
  });
});

describe('features seen in too few examples (minCount)', () => {
  const all = TextClassifier.train(examples);
  const common = TextClassifier.train(examples, { minCount: 2 });

  it('get no row: a word of one example only is unknown, one of several is kept', () => {
    expect(common.size).toBeLessThan(all.size);
    // "chip" is in no example; "nước ngoài" in one; "kết hôn" in three.
    expect(all.known(all.features('nước ngoài'))).toBe(1);
    expect(common.known(common.features('nước ngoài'))).toBeLessThan(0.5);
    expect(common.known(common.features('kết hôn'))).toBe(1);
  });

  it('still ranks by what the examples share', () => {
    expect(common.rankText('dang ky ket hon o dau')[0]?.label).toBe('ket-hon');
    expect(common.rankText('lam can cuoc mat bao lau')[0]?.label).toBe('can-cuoc');
  });
});

describe('a model saved in the cache directory', () => {
  /** A fresh copy of the classifier module: nothing kept in memory, so a model comes from the files. */
  type Classifier = typeof import('../../../knowledge/classifier');
  const freshModule = (): Classifier => {
    let fresh: Classifier | undefined;
    jest.isolateModules(() => {
      fresh = jest.requireActual<Classifier>('../../../knowledge/classifier');
    });
    return fresh!;
  };
  const withCacheDir = <T>(dir: string, run: () => T): T => {
    const saved = process.env.MODEL_CACHE_DIR;
    process.env.MODEL_CACHE_DIR = dir;
    try {
      return run();
    } finally {
      if (saved === undefined) delete process.env.MODEL_CACHE_DIR;
      else process.env.MODEL_CACHE_DIR = saved;
    }
  };
  const question = 'cap lai can cuoc het bao nhieu tien';

  it('is read back ranking exactly as the model trained, its weights one byte each', () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-saved-'));
    const trained = withCacheDir(dir, () => freshModule().TextClassifier.train(examples, { seed: 31 }));
    const loaded = withCacheDir(dir, () => freshModule().TextClassifier.train(examples, { seed: 31 }));
    expect(loaded.rankText(question)).toEqual(trained.rankText(question));
    // Each feature's row: a float32 scale and one signed byte per class (not four).
    const bin = readdirSync(dir).find((f) => f.endsWith('.bin'))!;
    expect(statSync(join(dir, bin)).size).toBe((trained.size + 1) * (4 + 2));
  });

  it('is trained again when its weights file does not fit its names (a file cut short)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-cut-'));
    const trained = withCacheDir(dir, () => freshModule().TextClassifier.train(examples, { seed: 32 }));
    const bin = join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.bin'))!,
    );
    truncateSync(bin, 10);
    const again = withCacheDir(dir, () => freshModule().TextClassifier.train(examples, { seed: 32 }));
    expect(again.rankText(question)).toEqual(trained.rankText(question));
    expect(statSync(bin).size).toBe((trained.size + 1) * (4 + 2));
  });
});

describe('models kept in the process', () => {
  it('are the most recent few: a server that reloads its knowledge base does not keep every model', () => {
    // Its own cache directory: these models must not push the test servers' models out of the shared one.
    const saved = process.env.MODEL_CACHE_DIR;
    process.env.MODEL_CACHE_DIR = mkdtempSync(join(tmpdir(), 'models-kept-'));
    try {
      for (let seed = 100; seed < 100 + MODELS_KEPT + 5; seed++)
        TextClassifier.train(examples, { seed, epochs: 1 });
    } finally {
      if (saved === undefined) delete process.env.MODEL_CACHE_DIR;
      else process.env.MODEL_CACHE_DIR = saved;
    }
    expect(modelsKept()).toBe(MODELS_KEPT);
  });
});

describe('the held-out split', () => {
  it('keeps about a fifth of the examples, always the same ones, whatever the tone marks', () => {
    const texts = Array.from({ length: 2000 }, (_, i) => `câu hỏi số ${i} về thủ tục`);
    const share = texts.filter((t) => isHeldOut(t)).length / texts.length;
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.25);
    expect(isHeldOut('Làm căn cước ở đâu?')).toBe(isHeldOut('lam can cuoc o dau'));
  });
});
