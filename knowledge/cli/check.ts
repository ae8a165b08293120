/**
 * `npm run kb:check [-- SEEDS_DIR]`: validate every knowledge file and
 * print each problem as `file: field path: message`. Exits 1 on any problem.
 */
import { join, resolve } from 'node:path';
import { KnowledgeError, formatProblem, loadKnowledgeBase } from '../loader';

const dir = resolve(process.argv[2] ?? 'seeds');
try {
  const kb = loadKnowledgeBase(dir, {
    passagesDir: process.env.KB_PASSAGES_DIR ?? 'data/passages',
    documentsDir: process.env.KB_DOCUMENTS_DIR ?? join(dir, 'documents'),
  });
  const byKind = new Map<string, number>();
  for (const e of kb.entries) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
  const counts = [...byKind].map(([k, n]) => `${n} ${k}`).join(', ');
  if (kb.notHeld.length > 0) {
    console.error(
      `kb:check: note: examples name entries this knowledge base does not hold (left out of routing): ${kb.notHeld.join(', ')}`,
    );
  }
  console.log(
    `kb:check: OK: ${kb.entries.length} entries (${counts}), ${kb.passages.length} passages, ` +
      `${kb.examples.length} example questions, ${kb.triage.length} triage examples, ${kb.fields.length} field examples`,
  );
} catch (e) {
  if (!(e instanceof KnowledgeError)) throw e;
  for (const p of e.problems) console.error(formatProblem(p));
  console.error(`kb:check: ${e.problems.length} problem(s)`);
  process.exit(1);
}
