/**
 * `npm run eval:conversations [-- FILE.jsonl] [--failures]`: multi-turn
 * conversations through `ask --jsonl`, graded turn by turn: the kind of
 * reply expected (answer, clarify, not_covered, handoff, emergency,
 * decline) and, for answers, the entry. A test set only (eval/README.md).
 */
import { join } from 'node:path';
import { projectRoot } from '../../core/paths';
import type { AskLine } from './ask';
import { readJsonl, runAsk, Tally } from './eval';

interface Turn {
  user: string;
  expect_kind: 'answer' | 'clarify' | 'not_covered' | 'handoff' | 'emergency' | 'decline';
  expect_entry?: string;
  expect_field?: string;
}

interface Conversation {
  id: string;
  style?: string;
  turns: Turn[];
}

/** Whether one reply is what the turn expects. */
export function turnPasses(turn: Turn, got: AskLine): boolean {
  switch (turn.expect_kind) {
    case 'answer':
      return got.kind === 'answer' && (!turn.expect_entry || got.entry?.id === turn.expect_entry);
    case 'clarify':
      return (
        got.kind === 'clarify' &&
        (!turn.expect_entry || got.candidates.some((c) => c.id === turn.expect_entry))
      );
    case 'not_covered':
      return got.kind === 'no_answer';
    case 'handoff':
      return got.handoff && got.kind !== 'emergency';
    case 'emergency':
      return got.kind === 'emergency' && /\b11[345]\b/.test(got.text);
    case 'decline':
      return got.declined;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--')) ?? join(projectRoot(), 'eval', 'conversations.jsonl');
  const conversations = readJsonl<Conversation>(file);
  const items = conversations.flatMap((c) =>
    c.turns.map((t, i) => ({ id: `${c.id}#${i + 1}`, question: t.user, conversation: c.id })),
  );
  const answers = new Map((await runAsk(items)).map((a) => [a.id, a]));
  const tally = new Tally();
  const count = (key: string, pass: boolean): void => tally.count(key, pass);
  let whole = 0;
  for (const c of conversations) {
    let all = true;
    c.turns.forEach((turn, i) => {
      const got = answers.get(`${c.id}#${i + 1}`);
      const pass = got ? turnPasses(turn, got) : false;
      all &&= pass;
      count('all turns', pass);
      count(i === 0 ? 'first turns' : 'follow-up turns', pass);
      count(`kind ${turn.expect_kind}`, pass);
      count(`style ${c.style ?? 'unknown'}`, pass);
      if (!pass && args.includes('--failures')) {
        console.log(
          `${c.id}#${i + 1} "${turn.user}": want ${turn.expect_kind} ${turn.expect_entry ?? ''}, got ${got?.kind} ${got?.entry?.id ?? ''}`,
        );
      }
    });
    if (all) whole += 1;
  }
  tally.print();
  console.log(`conversations right throughout: ${whole}/${conversations.length}`);
}

main().catch((e: Error) => {
  console.error(`eval:conversations: ${e.message}`);
  process.exit(1);
});
