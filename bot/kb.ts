/**
 * Where the knowledge base comes from at run time: the seeds directory and
 * the passages written by `kb:ingest`, both overridable by environment.
 */
import { resolve } from 'node:path';
import { loadKnowledgeBase, type KnowledgeBase } from '../knowledge/loader';

export interface KnowledgePaths {
  seedsDir: string;
  passagesDir: string;
}

export function knowledgePaths(env: NodeJS.ProcessEnv = process.env): KnowledgePaths {
  return {
    seedsDir: resolve(env.KB_SEEDS_DIR ?? 'seeds'),
    passagesDir: resolve(env.KB_PASSAGES_DIR ?? 'data/passages'),
  };
}

export function loadConfiguredKnowledge(paths: KnowledgePaths = knowledgePaths()): KnowledgeBase {
  return loadKnowledgeBase(paths.seedsDir, { passagesDir: paths.passagesDir });
}
