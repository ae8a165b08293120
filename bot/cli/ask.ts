/**
 * `npm run ask -- "câu hỏi"` prints the reply as a citizen would read it.
 * `npm run --silent ask -- --jsonl` reads {"id","question","conversation"?}
 * lines from stdin and writes one JSON line per question.
 */
import { createInterface } from 'node:readline';
import { KnowledgeError, formatProblem } from '../../knowledge/loader';
import { ConversationState, MemoryStorage, UserState, type Activity } from 'botbuilder';
import { Assistant, defaultHotline } from '../assistant';
import { loadConfiguredKnowledge } from '../kb';
import { LocalAdapter } from './localAdapter';
import { PublicServiceBot } from '../publicServiceBot';
import { activityText } from '../../core/activity';
import type { Reply } from '../../core/reply';

export interface AskLine {
  id: string;
  /** What the reply is: answer, clarify, no_answer, handoff, decline, emergency, smalltalk, lesson. */
  kind: string;
  text: string;
  entry: { id: string; title: string; codes: string[] } | null;
  candidates: Array<{ id: string; title: string; score: number }>;
  handoff: boolean;
  declined: boolean;
  confidence: number;
}

/** The ask line for what the bot sent in one turn. */
export function toAskLine(id: string, sent: Partial<Activity>[]): AskLine {
  const replies = sent
    .map((a) => (a.channelData as { reply?: Reply } | undefined)?.reply)
    .filter((r): r is Reply => !!r);
  const main = replies.find((r) => r.entry) ?? replies[0];
  return {
    id,
    kind: main?.kind ?? 'none',
    text: sent.map(activityText).join('\n\n'),
    entry: main?.entry ?? null,
    candidates: main?.candidates ?? [],
    handoff: replies.some((r) => r.handoff),
    declined: replies.some((r) => r.declined),
    confidence: main?.confidence ?? 0,
  };
}

async function main(): Promise<void> {
  let assistant: Assistant;
  try {
    // EVAL_HOLD_OUT=1: models trained without the held-out examples, to measure on them.
    const holdOut = process.env.EVAL_HOLD_OUT === '1';
    assistant = new Assistant(loadConfiguredKnowledge(), {}, defaultHotline, { holdOut });
  } catch (e) {
    if (!(e instanceof KnowledgeError)) throw e;
    for (const p of e.problems) console.error(formatProblem(p));
    process.exit(1);
  }
  const storage = new MemoryStorage();
  const bot = new PublicServiceBot({
    assistant,
    conversationState: new ConversationState(storage),
    userState: new UserState(storage),
  });
  const adapter = new LocalAdapter();
  const turn = (text: string, conversation: string) => adapter.send(text, conversation, (c) => bot.run(c));

  const args = process.argv.slice(2);
  if (!args.includes('--jsonl')) {
    const question = args.join(' ').trim();
    if (!question) {
      console.error(
        'usage: npm run ask -- "câu hỏi"   |   npm run --silent ask -- --jsonl < questions.jsonl',
      );
      process.exit(2);
    }
    console.log(toAskLine('1', await turn(question, 'cli')).text);
    return;
  }
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
    // Without a conversation id every question starts a conversation of its own.
    const conversation = typeof item.conversation === 'string' ? `c:${item.conversation}` : `q:${n}`;
    process.stdout.write(JSON.stringify(toAskLine(id, await turn(item.question, conversation))) + '\n');
  }
}

void main();
