/**
 * A new entry drafted from the inbox of unanswered questions: the questions
 * citizens asked, written as an `examples` file of the seeds format
 * (`seeds/examples/<id>.yaml`), which `kb:check` validates. Whoever writes
 * the entry itself (`seeds/procedures/<id>.yaml` or another folder, with its
 * sources and check date) puts the file beside the others; until then
 * `kb:check` notes that the examples name an entry not yet held.
 */
import { stringify } from 'yaml';
import { examplesSchema } from './schema';
import { fold } from './normalize';

/** An entry id from words: "Cấp đổi giấy phép lái xe" → "cap-doi-giay-phep-lai-xe". */
export function draftId(words: string): string {
  const id = fold(words)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return id || 'muc-moi';
}

/** The draft as YAML, checked against the schema kb:check uses. */
export function draftExamplesYaml(entryId: string, title: string, questions: string[]): string {
  const file = examplesSchema.parse({
    kind: 'examples',
    entry: entryId,
    questions: [...new Set(questions.map((q) => q.trim()).filter(Boolean))].map((text) => ({ text })),
  });
  const header = [
    `# Draft from the supervisor's inbox: ${title.replace(/\s+/g, ' ').trim()}`,
    `# Questions citizens asked that no entry answered. Save as seeds/examples/${entryId}.yaml and write`,
    `# the entry itself (seeds/<kind>s/${entryId}.yaml, with sources and a check date), then npm run kb:check.`,
  ];
  return `${header.join('\n')}\n${stringify({ kind: file.kind, entry: file.entry, questions: file.questions })}`;
}
