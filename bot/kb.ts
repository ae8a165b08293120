/**
 * Where the knowledge base comes from at run time: the seeds directory, the
 * plan documents it answers from and the passages written by `kb:ingest`,
 * each overridable by environment.
 */
import { join, resolve } from 'node:path';
import { loadKnowledgeBase, type KnowledgeBase } from '../knowledge/loader';

export interface KnowledgePaths {
  seedsDir: string;
  passagesDir: string;
  documentsDir: string;
}

export function knowledgePaths(env: NodeJS.ProcessEnv = process.env): KnowledgePaths {
  const seedsDir = resolve(env.KB_SEEDS_DIR ?? 'seeds');
  return {
    seedsDir,
    passagesDir: resolve(env.KB_PASSAGES_DIR ?? 'data/passages'),
    documentsDir: resolve(env.KB_DOCUMENTS_DIR ?? join(seedsDir, 'documents')),
  };
}

export function loadConfiguredKnowledge(paths: KnowledgePaths = knowledgePaths()): KnowledgeBase {
  return loadKnowledgeBase(paths.seedsDir, {
    passagesDir: paths.passagesDir,
    documentsDir: paths.documentsDir,
  });
}
