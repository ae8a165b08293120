import { join } from 'node:path';
import { loadKnowledgeBase, type KnowledgeBase } from '../knowledge/loader';

export const ROOT = join(__dirname, '..');
export const FIXTURE_SEEDS = join(__dirname, 'fixtures', 'seeds');
/** The project's shared material (coverage list, evaluation set, documents): beside the clone. */
export const SHARED = process.env.SHARED_DIR ?? join(ROOT, '..', 'shared');

/** The small fixture knowledge base, without passages. */
export function fixtureKb(): KnowledgeBase {
  return loadKnowledgeBase(FIXTURE_SEEDS);
}

/** The project's real knowledge base (seeds/), without passages. */
export function realKb(): KnowledgeBase {
  return loadKnowledgeBase(join(ROOT, 'seeds'));
}
