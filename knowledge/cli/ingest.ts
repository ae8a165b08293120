/**
 * `npm run kb:ingest -- [FILE...] [--out DIR]`: turn plain-text documents
 * into passages, written as one JSON file per document under DIR (default
 * `data/passages`, the directory the assistant loads passages from). With
 * no FILE it reads the province's documents in `seeds/documents` (or
 * KB_DOCUMENTS_DIR), which the assistant also ingests by itself as it loads.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { listFiles } from '../loader';
import { join, resolve } from 'node:path';
import { ingestText } from '../ingest';

/** The `.txt` documents under `dir`; none when it does not exist. */
const documentFiles = (dir: string): string[] => (existsSync(dir) ? listFiles(dir, ['.txt']) : []);

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = resolve(outAt >= 0 ? (args[outAt + 1] ?? '') : (process.env.KB_PASSAGES_DIR ?? 'data/passages'));
const named = outAt < 0 ? args : args.filter((_, i) => i !== outAt && i !== outAt + 1);
const files =
  named.length > 0 ? named : documentFiles(resolve(process.env.KB_DOCUMENTS_DIR ?? 'seeds/documents'));
if (files.length === 0) {
  console.error('usage: npm run kb:ingest -- [FILE...] [--out DIR] (no documents in seeds/documents)');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
let total = 0;
for (const file of files) {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (e) {
    console.error(`${file}: cannot read: ${(e as Error).message}`);
    process.exit(1);
  }
  const passages = ingestText(file, content);
  const doc = passages[0]?.document ?? 'empty';
  writeFileSync(join(out, `${doc}.json`), JSON.stringify(passages, null, 1) + '\n');
  total += passages.length;
  const about = passages[0]?.about ? `, about ${passages[0].about}` : '';
  console.log(`${file}: ${passages.length} passages${about} ("${passages[0]?.document_title ?? ''}")`);
}
console.log(`kb:ingest: ${total} passages written to ${out}`);
