/**
 * Loads the knowledge base from a seeds directory: every `*.yaml` file is
 * parsed and validated, and every problem is collected (not just the first)
 * so that an author fixes a whole file in one pass.
 */
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import type { ZodError, ZodType } from 'zod';
import { ingestText } from './ingest';
import {
  coverageSchema,
  entrySchema,
  examplesSchema,
  fieldExamplesSchema,
  intentsSchema,
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

/**
 * Load and validate the knowledge base. Throws a KnowledgeError listing
 * every problem when anything is invalid.
 */
export function loadKnowledgeBase(seedsDir: string, options: LoadOptions = {}): KnowledgeBase {
  const rel = (f: string): string => relative(options.relativeTo ?? process.cwd(), f) || f;
  const problems: Problem[] = [];
  const entries: Entry[] = [];
  const synonyms: Synonyms[] = [];
  const intents: Intents[] = [];
  const coverage: Array<Coverage & { file: string }> = [];
  const seenIds = new Map<string, string>();
  const examples: Example[] = [];
  const triage: Example[] = [];
  const fields: Example[] = [];

  if (!existsSync(seedsDir)) {
    throw new KnowledgeError([{ file: rel(seedsDir), path: '', message: 'directory not found' }]);
  }
  for (const path of listFiles(seedsDir, ['.yaml', '.yml'])) {
    const file = rel(path);
    const doc = parseDocument(readFileSync(path, 'utf8'), { prettyErrors: true });
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const line = e.linePos?.[0];
        const message = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
        problems.push({ file, path: line ? `line ${line.line}` : '', message: `invalid YAML: ${message}` });
      }
      continue;
    }
    const data: unknown = doc.toJS();
    const kind = typeof data === 'object' && data !== null ? (data as { kind?: unknown }).kind : undefined;
    if (kind === 'synonyms') {
      const s = check(synonymsSchema, data, file, problems);
      if (s) synonyms.push(s);
    } else if (kind === 'intents') {
      const s = check(intentsSchema, data, file, problems);
      if (s) intents.push(s);
    } else if (kind === 'examples') {
      const s = check(examplesSchema, data, file, problems);
      if (!s) continue;
      for (const q of s.questions) examples.push({ text: q.text, style: q.style, label: s.entry, file });
      for (const q of s.contrast) examples.push({ text: q.text, style: q.style, label: q.entry, file });
    } else if (kind === 'triage') {
      const s = check(triageExamplesSchema, data, file, problems);
      for (const e of s?.examples ?? []) triage.push({ text: e.text, style: e.style, label: s!.class, file });
    } else if (kind === 'field_examples') {
      const s = check(fieldExamplesSchema, data, file, problems);
      for (const e of s?.examples ?? []) fields.push({ text: e.text, style: e.style, label: s!.field, file });
    } else if (kind === 'coverage') {
      const s = check(coverageSchema, data, file, problems);
      if (s) coverage.push({ ...s, file });
    } else {
      const entry = check(entrySchema, data, file, problems);
      if (!entry) {
        // Still known by its id, so that a coverage link to it is not reported twice.
        const id = (data as { id?: unknown } | null)?.id;
        if (typeof id === 'string' && !seenIds.has(id)) seenIds.set(id, file);
        continue;
      }
      const expected = basename(path).replace(/\.ya?ml$/, '');
      if (entry.id !== expected) {
        problems.push({ file, path: 'id', message: `must equal the file name "${expected}"` });
      }
      const other = seenIds.get(entry.id);
      if (other) problems.push({ file, path: 'id', message: `"${entry.id}" is already used by ${other}` });
      seenIds.set(entry.id, file);
      entries.push(entry);
    }
  }

  const single = <T>(list: T[], what: string): T | undefined => {
    if (list.length !== 1) {
      problems.push({
        file: rel(seedsDir),
        path: '',
        message: `expected exactly one file of kind "${what}", found ${list.length}`,
      });
    }
    return list[0];
  };
  // Synonym tables may be split across files (one per subject area); they merge.
  const syn: Synonyms | undefined =
    synonyms.length === 0
      ? single(synonyms, 'synonyms')
      : {
          kind: 'synonyms',
          rewrites: Object.assign({}, ...synonyms.map((s) => s.rewrites)) as Record<string, string>,
          groups: synonyms.flatMap((s) => s.groups),
          stopwords: synonyms.flatMap((s) => s.stopwords),
          title_openers: synonyms.flatMap((s) => s.title_openers),
        };
  const int = single(intents, 'intents');
  const cov = single(coverage, 'coverage');
  if (cov) {
    for (const [topic, ids] of Object.entries(cov.topics)) {
      for (const id of ids) {
        if (!seenIds.has(id)) {
          problems.push({ file: cov.file, path: `topics.${topic}`, message: `no entry has id "${id}"` });
        }
      }
    }
  }

  // Examples may name entries this knowledge base does not hold (a smaller one, such as the
  // tests' fixture, shares the project's examples): the router leaves them out, triage still
  // learns from them as ordinary questions, and kb:check lists them.
  const notHeld = new Set(examples.map((e) => e.label).filter((l) => l !== NOT_COVERED && !seenIds.has(l)));
  const ingested = options.passagesDir ? loadPassages(options.passagesDir, rel, problems) : [];
  const passages = [
    ...ingestDocuments(options.documentsDir, new Set(ingested.map((p) => p.document))),
    ...ingested,
  ];
  if (problems.length > 0 || !syn || !int || !cov) throw new KnowledgeError(problems);
  return {
    entries,
    passages,
    synonyms: syn,
    intents: int,
    coverage: { kind: 'coverage', topics: cov.topics },
    examples,
    triage,
    fields,
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

/**
 * The knowledge base with more example questions for the router (and, as
 * ordinary questions, for triage): those supervisors added from the inbox of
 * unanswered questions, which the composition root reads from the database.
 * Examples naming an entry this knowledge base does not hold are left out.
 */
export function withExamples(
  kb: KnowledgeBase,
  extra: Array<{ entryId: string; text: string }>,
): KnowledgeBase {
  const held = new Set(kb.entries.map((e) => e.id));
  const added: Example[] = extra
    .filter((e) => held.has(e.entryId) || e.entryId === NOT_COVERED)
    .map((e) => ({ text: e.text, label: e.entryId, file: 'supervisor' }));
  return added.length === 0 ? kb : { ...kb, examples: [...kb.examples, ...added] };
}
