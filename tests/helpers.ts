import { join } from 'node:path';
import { loadKnowledgeBase, type KnowledgeBase } from '../knowledge/loader';

export const ROOT = join(__dirname, '..');
export const FIXTURE_SEEDS = join(__dirname, 'fixtures', 'seeds');
/** The province's plan documents that the assistant answers from (ingested by default). */
export const DOCUMENTS = join(ROOT, 'seeds', 'documents');
/** The topics the knowledge base must cover. */
export const COVERAGE_LIST = join(ROOT, 'docs', 'knowledge-coverage.md');
/** The development question set: for measuring only (eval/README.md). */
export const DEV_SET = join(ROOT, 'eval', 'dev.jsonl');

/** The small fixture knowledge base, without passages. */
export function fixtureKb(): KnowledgeBase {
  return loadKnowledgeBase(FIXTURE_SEEDS);
}

/** The project's real knowledge base (seeds/), without passages. */
export function realKb(): KnowledgeBase {
  return loadKnowledgeBase(join(ROOT, 'seeds'));
}
