/**
 * `npm run kb:coverage`: rewrite seeds/coverage.yaml (which entries answer
 * which topic of the coverage list) from the `topics` each entry declares,
 * so the map kept as data never drifts from the entries.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { listFiles } from '../loader';

const dir = resolve(process.argv[2] ?? 'seeds');
const topics = new Map<string, string[]>();
for (const file of listFiles(dir, ['.yaml', '.yml'])) {
  const data = parseDocument(readFileSync(file, 'utf8')).toJS() as { id?: unknown; topics?: unknown } | null;
  if (!data || typeof data.id !== 'string' || !Array.isArray(data.topics)) continue;
  for (const t of data.topics) if (typeof t === 'string') topics.set(t, [...(topics.get(t) ?? []), data.id]);
}
const order = (t: string): [number, number] => [
  t === 'D' ? 3 : 'ABC'.indexOf(t[0] as string),
  Number(t.slice(1)) || 0,
];
const keys = [...topics.keys()].sort((a, b) => {
  const [x, y] = [order(a), order(b)];
  return x[0] - y[0] || x[1] - y[1];
});
const lines = [
  '# Which entries answer which topic of knowledge-coverage.md (checked by tests).',
  '# Written by `npm run kb:coverage` from the `topics` of each entry.',
  'kind: coverage',
  'topics:',
  ...keys.map((k) => `  ${k}: [${(topics.get(k) ?? []).sort().join(', ')}]`),
];
writeFileSync(join(dir, 'coverage.yaml'), lines.join('\n') + '\n');
console.log(`kb:coverage: ${keys.length} topics mapped`);
