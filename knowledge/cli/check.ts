/**
 * `npm run kb:check [-- [--strict] SEEDS_DIR]`: validate every knowledge file
 * and print each problem as `file: field path: message` (exits 1 on any),
 * then report the evidence: per entry, the key facts (fees, processing_time,
 * where, documents, legal_basis) no evidence item names and the evidence
 * older than `KB_EVIDENCE_MAX_AGE_DAYS` (default 365), ending with the line
 * `sourced: N/M facts`. The report does not fail the check unless `--strict`
 * is given.
 */
import { join, resolve } from 'node:path';
import { evidenceReport, formatEvidenceReport, maxAgeFromEnv } from '../evidence';
import { KnowledgeError, formatProblem, loadKnowledgeBase } from '../loader';

const args = process.argv.slice(2);
const strict = args.includes('--strict');
const dir = resolve(args.find((a) => !a.startsWith('--')) ?? 'seeds');
let maxAgeDays: number;
try {
  maxAgeDays = maxAgeFromEnv(process.env.KB_EVIDENCE_MAX_AGE_DAYS);
} catch (e) {
  console.error(`kb:check: ${(e as Error).message}`);
  process.exit(1);
}
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
  const report = evidenceReport(kb.entries, { today: new Date(), maxAgeDays });
  for (const line of formatEvidenceReport(report, maxAgeDays)) console.log(line);
  if (strict && report.entries.length > 0) {
    console.error(`kb:check: --strict: ${report.entries.length} entr(y/ies) with unsourced or stale facts`);
    process.exit(1);
  }
} catch (e) {
  if (!(e instanceof KnowledgeError)) throw e;
  for (const p of e.problems) console.error(formatProblem(p));
  console.error(`kb:check: ${e.problems.length} problem(s)`);
  process.exit(1);
}
