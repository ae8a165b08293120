/**
 * Loads the knowledge base from a seeds directory: every `*.yaml` file is
 * parsed and validated, and every problem is collected (not just the first)
 * so that an author fixes a whole file in one pass.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import { readCached, writeCached } from './cache';
import type { ZodError, ZodType } from 'zod';
import { ingestText } from './ingest';
import {
  coverageSchema,
  entrySchema,
  examplesSchema,
  fieldExamplesSchema,
  intentsSchema,
  NON_ENTRY_LABELS,
  NOT_COVERED,
  passageSchema,
  synonymsSchema,
  triageExamplesSchema,
  type Coverage,
  type Entry,
  type Example,
  type Intents,
  type Passage,
  type Synonyms,
} from './schema';

export interface KnowledgeBase {
  entries: Entry[];
  passages: Passage[];
  synonyms: Synonyms;
  intents: Intents;
  coverage: Coverage;
  /** Example questions labelled with the entry that answers them, or `not-covered`. */
  examples: Example[];
  /** Example messages labelled with their triage class. */
  triage: Example[];
  /** Example questions labelled with the part of an entry they ask for, or `none`. */
  fields: Example[];
  /** Entry ids that example files name but no entry has (the router leaves their questions out). */
  notHeld: string[];
}

/** One problem in one file, printed as `file: field path: message`. */
export interface Problem {
  file: string;
  path: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}: ${p.path || '(file)'}: ${p.message}`;
}

export class KnowledgeError extends Error {
  constructor(readonly problems: Problem[]) {
    super(
      `The knowledge base has ${problems.length} problem(s):\n` +
        problems.map((p) => '  ' + formatProblem(p)).join('\n'),
    );
    this.name = 'KnowledgeError';
  }
}

export interface LoadOptions {
  /** Directory of ingested passages (JSON files written by kb:ingest); skipped when absent. */
  passagesDir?: string;
  /**
   * Directory of plain-text documents (the province's plan) ingested into
   * passages as they load, so a fresh clone answers from them without a
   * separate `kb:ingest` step; skipped when absent. A document that
   * `passagesDir` also holds is taken from there.
   */
  documentsDir?: string;
  /** Paths are reported relative to this directory (default: the working directory). */
  relativeTo?: string;
}

/** Files under `dir` ending in one of `extensions`, sorted for stable output. */
export function listFiles(dir: string, extensions: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (extensions.some((ext) => name.endsWith(ext))) out.push(full);
    }
  };
  walk(dir);
  return out;
}

function zodProblems(file: string, error: ZodError): Problem[] {
  return error.issues.map((issue) => ({
    file,
    path: issue.path.map(String).join('.'),
    message: / received undefined$/.test(issue.message) ? 'is required' : issue.message,
  }));
}

/** Validate `data` with `schema`, pushing problems; returns the parsed value or undefined. */
function check<T>(schema: ZodType<T>, data: unknown, file: string, problems: Problem[]): T | undefined {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  problems.push(...zodProblems(file, result.error));
  return undefined;
}

/** What the seed files hold, gathered file by file before the whole is checked. */
interface Collected {
  problems: Problem[];
  entries: Entry[];
  synonyms: Synonyms[];
  intents: Intents[];
  coverage: Array<Coverage & { file: string }>;
  /** Entry ids seen, and the file that holds each. */
  seenIds: Map<string, string>;
  examples: Example[];
  triage: Example[];
  fields: Example[];
}

/** Parse one YAML text; a syntax error is a problem with its line, and the file is skipped. */
function parseYaml(source: string, file: string, problems: Problem[]): unknown {
  const doc = parseDocument(source, { prettyErrors: true });
  if (doc.errors.length === 0) return doc.toJS();
  for (const e of doc.errors) {
    const line = e.linePos?.[0];
    const message = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
    problems.push({ file, path: line ? `line ${line.line}` : '', message: `invalid YAML: ${message}` });
  }
  return undefined;
}

/** Bump when parsing changes (another YAML library or options), so older parsed files are not reused. */
const PARSE_VERSION = 1;

/**
 * Every seed file parsed, in order (undefined for a file with a syntax
 * error). Parsing some 2,000 YAML files took about two seconds of every
 * start; when no file changed since the last parse, the data is read from
 * one JSON file named by a hash of their texts (knowledge/cache.ts), which
 * takes a tenth of that. Validation runs on the data either way. Parsed
 * data is kept only when it all survives JSON unchanged and no file had a
 * syntax error, so a cached parse is the same as a fresh one.
 */
function parseSeeds(paths: string[], rel: (f: string) => string, problems: Problem[]): unknown[] {
  const sources = paths.map((path) => readFileSync(path, 'utf8'));
  const hash = createHash('sha256').update(`v${PARSE_VERSION}\u0000`);
  for (const source of sources) hash.update(`${source.length}\u0000${source}`);
  const name = `parsed-${hash.digest('hex').slice(0, 32)}.json`;
  const kept = readCached<unknown[]>(name, (data) => Array.isArray(data) && data.length === paths.length);
  if (kept) return kept.value;
  const before = problems.length;
  const parsed = sources.map((source, i) => parseYaml(source, rel(paths[i] as string), problems));
  if (problems.length === before) {
    try {
      const json = JSON.stringify(parsed);
      // The seeds of a few knowledge bases (the repository's, the tests' fixture).
      if (isDeepStrictEqual(JSON.parse(json), parsed)) writeCached([[name, json]], 'parsed-', 4);
    } catch {
      /* a read-only or full disk: parsed again next time */
    }
  }
  return parsed;
}

/** An entry file: valid, named after its id, and its id used once. */
function collectEntry(c: Collected, data: unknown, file: string, path: string): void {
  const entry = check(entrySchema, data, file, c.problems);
  if (!entry) {
    // Still known by its id, so that a coverage link to it is not reported twice.
    const id = (data as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && !c.seenIds.has(id)) c.seenIds.set(id, file);
    return;
  }
  const expected = basename(path).replace(/\.ya?ml$/, '');
  if (entry.id !== expected)
    c.problems.push({ file, path: 'id', message: `must equal the file name "${expected}"` });
  const other = c.seenIds.get(entry.id);
  if (other) c.problems.push({ file, path: 'id', message: `"${entry.id}" is already used by ${other}` });
  c.seenIds.set(entry.id, file);
  c.entries.push(entry);
}

/** File one parsed seed by its `kind`; anything without a known data kind is an entry. */
function collect(c: Collected, data: unknown, file: string, path: string): void {
  const kind = typeof data === 'object' && data !== null ? (data as { kind?: unknown }).kind : undefined;
  const { problems } = c;
  if (kind === 'synonyms') {
    const s = check(synonymsSchema, data, file, problems);
    if (s) c.synonyms.push(s);
  } else if (kind === 'intents') {
    const s = check(intentsSchema, data, file, problems);
    if (s) c.intents.push(s);
  } else if (kind === 'examples') {
    const s = check(examplesSchema, data, file, problems);
    for (const q of s?.questions ?? [])
      c.examples.push({ text: q.text, style: q.style, label: s!.entry, file });
    for (const q of s?.contrast ?? [])
      c.examples.push({ text: q.text, style: q.style, label: q.entry, file });
  } else if (kind === 'triage') {
    const s = check(triageExamplesSchema, data, file, problems);
    for (const e of s?.examples ?? []) c.triage.push({ text: e.text, style: e.style, label: s!.class, file });
  } else if (kind === 'field_examples') {
    const s = check(fieldExamplesSchema, data, file, problems);
    for (const e of s?.examples ?? []) c.fields.push({ text: e.text, style: e.style, label: s!.field, file });
  } else if (kind === 'coverage') {
    const s = check(coverageSchema, data, file, problems);
    if (s) c.coverage.push({ ...s, file });
  } else {
    collectEntry(c, data, file, path);
  }
}

/** Synonym tables may be split across files (one per subject area); they merge. */
function mergeSynonyms(list: Synonyms[]): Synonyms | undefined {
  if (list.length === 0) return undefined;
  return {
    kind: 'synonyms',
    rewrites: Object.assign({}, ...list.map((s) => s.rewrites)) as Record<string, string>,
    groups: list.flatMap((s) => s.groups),
    stopwords: list.flatMap((s) => s.stopwords),
    title_openers: list.flatMap((s) => s.title_openers),
  };
}

/** Exactly one file of a kind (intents, coverage); otherwise a problem. */
function single<T>(list: T[], what: string, dir: string, problems: Problem[]): T | undefined {
  if (list.length !== 1) {
    problems.push({
      file: dir,
      path: '',
      message: `expected exactly one file of kind "${what}", found ${list.length}`,
    });
  }
  return list[0];
}

/** Every id the coverage list names must be an entry. */
function checkCoverage(
  cov: Coverage & { file: string },
  seenIds: Map<string, string>,
  problems: Problem[],
): void {
  for (const [topic, ids] of Object.entries(cov.topics)) {
    for (const id of ids) {
      if (!seenIds.has(id))
        problems.push({ file: cov.file, path: `topics.${topic}`, message: `no entry has id "${id}"` });
    }
  }
}

/**
 * Load and validate the knowledge base. Throws a KnowledgeError listing
 * every problem when anything is invalid.
 */
export function loadKnowledgeBase(seedsDir: string, options: LoadOptions = {}): KnowledgeBase {
  const rel = (f: string): string => relative(options.relativeTo ?? process.cwd(), f) || f;
  if (!existsSync(seedsDir)) {
    throw new KnowledgeError([{ file: rel(seedsDir), path: '', message: 'directory not found' }]);
  }
  const c: Collected = {
    problems: [],
    entries: [],
    synonyms: [],
    intents: [],
    coverage: [],
    seenIds: new Map(),
    examples: [],
    triage: [],
    fields: [],
  };
  const paths = listFiles(seedsDir, ['.yaml', '.yml']);
  const parsed = parseSeeds(paths, rel, c.problems);
  paths.forEach((path, i) => {
    const data = parsed[i];
    if (data !== undefined) collect(c, data, rel(path), path);
  });
  const { problems } = c;
  const syn = mergeSynonyms(c.synonyms) ?? single(c.synonyms, 'synonyms', rel(seedsDir), problems);
  const int = single(c.intents, 'intents', rel(seedsDir), problems);
  const cov = single(c.coverage, 'coverage', rel(seedsDir), problems);
  if (cov) checkCoverage(cov, c.seenIds, problems);

  // Examples may name entries this knowledge base does not hold (a smaller one, such as the
  // tests' fixture, shares the project's examples): the router leaves them out, triage still
  // learns from them as ordinary questions, and kb:check lists them.
  const notHeld = new Set(
    c.examples.map((e) => e.label).filter((l) => !NON_ENTRY_LABELS.has(l) && !c.seenIds.has(l)),
  );
  const ingested = options.passagesDir ? loadPassages(options.passagesDir, rel, problems) : [];
  const passages = [
    ...ingestDocuments(options.documentsDir, new Set(ingested.map((p) => p.document))),
    ...ingested,
  ];
  if (problems.length > 0 || !syn || !int || !cov) throw new KnowledgeError(problems);
  return {
    entries: c.entries,
    passages,
    synonyms: syn,
    intents: int,
    coverage: { kind: 'coverage', topics: cov.topics },
    examples: c.examples,
    triage: c.triage,
    fields: c.fields,
    notHeld: [...notHeld].sort(),
  };
}

/** Passages of the `.txt` documents under `dir`, except the documents in `skip`. */
function ingestDocuments(dir: string | undefined, skip: Set<string>): Passage[] {
  if (!dir || !existsSync(dir)) return [];
  return listFiles(dir, ['.txt'])
    .map((path) => ingestText(path, readFileSync(path, 'utf8')))
    .filter((passages) => !skip.has(passages[0]?.document ?? ''))
    .flat();
}

function loadPassages(dir: string, rel: (f: string) => string, problems: Problem[]): Passage[] {
  if (!existsSync(dir)) return [];
  const out: Passage[] = [];
  for (const path of listFiles(dir, ['.json'])) {
    const file = rel(path);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      problems.push({ file, path: '', message: `invalid JSON: ${(e as Error).message}` });
      continue;
    }
    if (!Array.isArray(data)) {
      problems.push({ file, path: '', message: 'must be a JSON array of passages' });
      continue;
    }
    data.forEach((item, i) => {
      const p = check(passageSchema, item, file, problems);
      if (!p) {
        const last = problems[problems.length - 1];
        if (last) last.path = `${i}.${last.path}`;
      } else out.push(p);
    });
  }
  return out;
}

/** The `file` of the examples supervisors added from the inbox (`withExamples`). */
export const SUPERVISOR_FILE = 'supervisor';

/**
 * Whether an example is one of the seeds' (not added by a supervisor while
 * the server runs). Only the router learns from the supervisors' examples:
 * triage and the router's first pass learn from the seeds alone, so that a
 * reload retrains one model, not four (a reload that retrained triage took
 * over two minutes), and a question filed under an entry by mistake never
 * teaches triage that an emergency is an ordinary question.
 */
export const fromSeeds = (e: Example): boolean => e.file !== SUPERVISOR_FILE;

/**
 * The knowledge base with more example questions for the router: those
 * supervisors added from the inbox of unanswered questions, which the
 * composition root reads from the database. Examples naming an entry this
 * knowledge base does not hold are left out.
 */
export function withExamples(
  kb: KnowledgeBase,
  extra: Array<{ entryId: string; text: string }>,
): KnowledgeBase {
  const held = new Set(kb.entries.map((e) => e.id));
  const added: Example[] = extra
    .filter((e) => held.has(e.entryId) || e.entryId === NOT_COVERED)
    .map((e) => ({ text: e.text, label: e.entryId, file: SUPERVISOR_FILE }));
  return added.length === 0 ? kb : { ...kb, examples: [...kb.examples, ...added] };
}
