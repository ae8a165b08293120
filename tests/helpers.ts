import { join } from 'node:path';
import { loadKnowledgeBase, type KnowledgeBase } from '../knowledge/loader';

export const ROOT = join(__dirname, '..');
export const FIXTURE_SEEDS = join(__dirname, 'fixtures', 'seeds');
export const SHARED = join(ROOT, '..', 'shared');

/** The small fixture knowledge base, without passages. */
export function fixtureKb(): KnowledgeBase {
  return loadKnowledgeBase(FIXTURE_SEEDS);
}

/** The project's real knowledge base (seeds/), without passages. */
export function realKb(): KnowledgeBase {
  return loadKnowledgeBase(join(ROOT, 'seeds'));
}
