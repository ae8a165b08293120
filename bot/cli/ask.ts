/**
 * `npm run ask -- "câu hỏi"` prints the reply as a citizen would read it.
 * `npm run --silent ask -- --jsonl` reads {"id","question","conversation"?}
 * lines from stdin and writes one JSON line per question.
 */
import { createInterface } from 'node:readline';
import { KnowledgeError, formatProblem } from '../../knowledge/loader';
import { Assistant, newMemory, type ConversationMemory } from '../assistant';
import { loadConfiguredKnowledge } from '../kb';
import { toPlainText, type Reply } from '../reply';

export interface AskLine {
  id: string;
  text: string;
  entry: { id: string; title: string; codes: string[] } | null;
  candidates: Array<{ id: string; title: string; score: number }>;
  handoff: boolean;
  declined: boolean;
  confidence: number;
}

export function toAskLine(id: string, reply: Reply): AskLine {
  return {
    id,
    text: toPlainText(reply),
    entry: reply.entry,
    candidates: reply.candidates,
    handoff: reply.handoff,
    declined: reply.declined,
    confidence: reply.confidence,
  };
}

async function main(): Promise<void> {
  let assistant: Assistant;
  try {
    assistant = new Assistant(loadConfiguredKnowledge());
  } catch (e) {
    if (!(e instanceof KnowledgeError)) throw e;
    for (const p of e.problems) console.error(formatProblem(p));
    process.exit(1);
  }
  const args = process.argv.slice(2);
  if (!args.includes('--jsonl')) {
    const question = args.join(' ').trim();
    if (!question) {
      console.error(
        'usage: npm run ask -- "câu hỏi"   |   npm run --silent ask -- --jsonl < questions.jsonl',
      );
      process.exit(2);
    }
    console.log(toPlainText(assistant.respond(question, newMemory())));
    return;
  }
  const conversations = new Map<string, ConversationMemory>();
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    n++;
    if (!line.trim()) continue;
    let item: { id?: unknown; question?: unknown; conversation?: unknown };
    try {
      item = JSON.parse(line) as typeof item;
    } catch {
      console.error(`line ${n}: not valid JSON`);
      continue;
    }
    if (typeof item.question !== 'string') {
      console.error(`line ${n}: "question" must be a string`);
      continue;
    }
    const id = typeof item.id === 'string' || typeof item.id === 'number' ? String(item.id) : String(n);
    const key = typeof item.conversation === 'string' ? item.conversation : undefined;
    let memory = key ? conversations.get(key) : undefined;
    if (!memory) {
      memory = newMemory();
      if (key) conversations.set(key, memory);
    }
    process.stdout.write(JSON.stringify(toAskLine(id, assistant.respond(item.question, memory))) + '\n');
  }
}

void main();
