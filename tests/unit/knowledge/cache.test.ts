/**
 * What the knowledge layer keeps between starts: the parsed seed files,
 * results worked out with a model, and each model's training key by its raw
 * examples. Each test has its own MODEL_CACHE_DIR.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rememberedJson } from '../../../knowledge/cache';
import { prebuiltKeysFile, TextClassifier, type Prepare } from '../../../knowledge/classifier';
import { loadKnowledgeBase } from '../../../knowledge/loader';
import { FIXTURE_SEEDS } from '../../helpers';

const temp = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));
const cached = (prefix: string): string[] =>
  readdirSync(process.env.MODEL_CACHE_DIR as string).filter((f) => f.startsWith(prefix));

let saved: string | undefined;
beforeEach(() => {
  saved = process.env.MODEL_CACHE_DIR;
  process.env.MODEL_CACHE_DIR = temp('cache-');
});
afterEach(() => {
  if (saved === undefined) delete process.env.MODEL_CACHE_DIR;
  else process.env.MODEL_CACHE_DIR = saved;
});

describe('the parsed seed files', () => {
  it('are kept once parsed, and a later load reads them instead of the files', () => {
    const first = loadKnowledgeBase(FIXTURE_SEEDS);
    expect(cached('parsed-')).toHaveLength(1);
    expect(loadKnowledgeBase(FIXTURE_SEEDS)).toEqual(first);
    // Read back, not parsed again: a change made to the kept data shows in the next load.
    const path = join(process.env.MODEL_CACHE_DIR!, cached('parsed-')[0]!);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"Đăng ký kết hôn"', '"Kết hôn (đã giữ)"'));
    const again = loadKnowledgeBase(FIXTURE_SEEDS);
    expect(again.entries.find((e) => e.id === 'dang-ky-ket-hon')?.title).toBe('Kết hôn (đã giữ)');
  });

  it('are parsed again when a file changes, and its change is seen', () => {
    const seeds = temp('seeds-');
    cpSync(FIXTURE_SEEDS, seeds, { recursive: true });
    loadKnowledgeBase(seeds);
    const path = join(seeds, 'procedures', 'dang-ky-ket-hon.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^title: .*$/m, 'title: Đăng ký kết hôn (sửa)'));
    const kb = loadKnowledgeBase(seeds);
    expect(kb.entries.find((e) => e.id === 'dang-ky-ket-hon')?.title).toBe('Đăng ký kết hôn (sửa)');
    expect(cached('parsed-')).toHaveLength(2);
  });

  it('are not kept when a file has a syntax error, which is reported every time', () => {
    const seeds = temp('seeds-');
    cpSync(FIXTURE_SEEDS, seeds, { recursive: true });
    writeFileSync(join(seeds, 'procedures', 'broken.yaml'), 'id: [unclosed\n');
    for (let i = 0; i < 2; i++) expect(() => loadKnowledgeBase(seeds)).toThrow(/invalid YAML/);
    expect(cached('parsed-')).toEqual([]);
  });
});

describe('rememberedJson', () => {
  it('works a value out once for the same inputs, and again for others', () => {
    let runs = 0;
    const compute = (): number[] => {
      runs++;
      return [1, 2, 3];
    };
    expect(rememberedJson(['a', 'b'], compute)).toEqual([1, 2, 3]);
    expect(rememberedJson(['a', 'b'], compute)).toEqual([1, 2, 3]);
    expect(runs).toBe(1);
    // Inputs are told apart by their lengths too: ['ab'] is not ['a', 'b'].
    rememberedJson(['ab'], compute);
    expect(runs).toBe(2);
  });
});

describe("the build's record of training keys", () => {
  const examples = [
    { text: 'làm thẻ căn cước ở đâu', label: 'can-cuoc' },
    { text: 'đăng ký kết hôn cần giấy tờ gì', label: 'ket-hon' },
  ];

  it('holds the key of every model made with a fingerprinted prepare, as training works it out', () => {
    const prepare: Prepare = (text) => text.toLowerCase();
    prepare.fingerprint = 'lowercase';
    const dir = temp('models-');
    prebuiltKeysFile.forget(dir);
    const key = TextClassifier.key(examples, { epochs: 2 }, prepare);
    TextClassifier.train(examples, { epochs: 2 }, prepare);
    prebuiltKeysFile.write(dir);
    const record = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')) as Record<string, string>;
    expect(Object.values(record)).toContain(key);
    // Another fingerprint (other synonyms) is another raw key, with its own training key.
    const other: Prepare = (text) => text.toUpperCase();
    other.fingerprint = 'uppercase';
    expect(TextClassifier.key(examples, { epochs: 2 }, other)).not.toBe(key);
  });
});

describe('the models kept in the cache directory', () => {
  const examples = [
    { text: 'làm thẻ căn cước ở đâu', label: 'can-cuoc' },
    { text: 'đăng ký kết hôn cần gì', label: 'ket-hon' },
  ];
  const withModels = (value: string | undefined, run: () => void): void => {
    const before = process.env.MODEL_CACHE_MODELS;
    if (value === undefined) delete process.env.MODEL_CACHE_MODELS;
    else process.env.MODEL_CACHE_MODELS = value;
    try {
      run();
    } finally {
      if (before === undefined) delete process.env.MODEL_CACHE_MODELS;
      else process.env.MODEL_CACHE_MODELS = before;
    }
  };
  // Seeds no other test uses, so each model is made here and written (not found in this process).
  const train = (seed: number): TextClassifier =>
    TextClassifier.train(examples, { seed: 900 + seed, epochs: 1 });

  it('are the MODEL_CACHE_MODELS most recent, two files each', () => {
    withModels('2', () => [1, 2, 3].forEach(train));
    expect(cached('classifier-')).toHaveLength(4);
  });

  it('are 12 when MODEL_CACHE_MODELS is not a positive whole number', () => {
    withModels('lots', () => [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17].forEach(train));
    expect(cached('classifier-')).toHaveLength(24);
  });
});
