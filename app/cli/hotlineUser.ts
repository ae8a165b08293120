/**
 * `npm run hotline:user -- add NAME [--supervisor] [--name "Full name"]`
 * `npm run hotline:user -- passwd NAME`
 * `npm run hotline:user -- list`
 *
 * The password is read from HOTLINE_PASSWORD or, when that is empty, from
 * the first line of standard input (so it never appears in the shell
 * history or the process list).
 */
import { createInterface } from 'node:readline';
import { loadConfig } from '../config';
import { openDatabase } from '../../storage/database';
import { AccountError, Accounts } from '../../hotline/domain/accounts';

async function readPassword(): Promise<string> {
  if (process.env.HOTLINE_PASSWORD) return process.env.HOTLINE_PASSWORD;
  if (process.stdin.isTTY) process.stderr.write('Password (at least 10 characters): ');
  const rl = createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    rl.close();
    return line.trim();
  }
  return '';
}

const USAGE = 'usage: hotline:user -- add NAME [--supervisor] [--name "Full name"] | passwd NAME | list';

async function main(): Promise<number> {
  const [command, username, ...rest] = process.argv.slice(2);
  const config = loadConfig();
  const db = await openDatabase(config.database, config.migrations);
  const accounts = new Accounts(db);
  try {
    if (command === 'list') {
      for (const a of await accounts.list()) console.log(`${a.username}\t${a.role}\t${a.name}`);
      return 0;
    }
    if (!username || (command !== 'add' && command !== 'passwd')) {
      console.error(USAGE);
      return 2;
    }
    const password = await readPassword();
    if (command === 'passwd') {
      await accounts.setPassword(username, password);
      console.log(`password of ${username} changed`);
      return 0;
    }
    const nameAt = rest.indexOf('--name');
    const name = nameAt >= 0 ? (rest[nameAt + 1] ?? username) : username;
    const agent = await accounts.add(
      username,
      password,
      rest.includes('--supervisor') ? 'supervisor' : 'agent',
      name,
    );
    console.log(`created ${agent.role} ${agent.username} (${agent.name})`);
    return 0;
  } catch (e) {
    if (e instanceof AccountError) {
      console.error(`hotline:user: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    await db.destroy();
  }
}

main().then((code) => process.exit(code));
