/**
 * `npm start`: load and check the knowledge base (refusing to start on an
 * invalid one, with every problem listed), then answer questions typed on
 * the terminal, one conversation per process.
 */
import { createInterface } from 'node:readline';
import { KnowledgeError, formatProblem } from '../knowledge/loader';
import { Assistant, newMemory } from './assistant';
import { loadConfiguredKnowledge } from './kb';
import { toPlainText } from './reply';

function main(): void {
  let assistant: Assistant;
  try {
    assistant = new Assistant(loadConfiguredKnowledge());
  } catch (e) {
    if (!(e instanceof KnowledgeError)) throw e;
    console.error('The knowledge base is invalid; not starting.');
    for (const p of e.problems) console.error(`  ${formatProblem(p)}`);
    process.exit(1);
  }
  const memory = newMemory();
  console.log(toPlainText(assistant.welcome()));
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: '\n> ' });
  rl.prompt();
  rl.on('line', (line) => {
    if (line.trim()) console.log(toPlainText(assistant.respond(line, memory)));
    rl.prompt();
  });
}

main();
