import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER_NODE_FLAGS } from '../../../app/nodeFlags';

/** The benchmarks start servers with SERVER_NODE_FLAGS: `npm start` must run with the same. */
describe('the server V8 flags', () => {
  const scripts = (
    JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;

  it('are all on the command line of npm start, before the entry point', () => {
    const start = scripts.start ?? '';
    const node = start.slice(start.lastIndexOf('node '));
    for (const flag of SERVER_NODE_FLAGS) expect(node.split(' ')).toContain(flag);
    expect(node.trim().endsWith('dist/app/main.js')).toBe(true);
  });
});
