/** `npm run hotline:user`: accounts for hotline staff, passwords never on the command line. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Accounts } from '../../../hotline/domain/accounts';
import { openDatabase } from '../../../storage/database';
import { ROOT } from '../../helpers';

const dataDir = mkdtempSync(join(tmpdir(), 'hotline-user-'));
const run = (args: string[], input?: string, password?: string) =>
  spawnSync(process.execPath, [join(ROOT, 'dist/app/cli/hotlineUser.js'), ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: dataDir, HOTLINE_PASSWORD: password ?? '' },
  });

describe('npm run hotline:user', () => {
  it('adds agents and supervisors, lists them, and changes a password', async () => {
    expect(run(['add', 'lan', '--name', 'Nguyễn Thị Lan'], 'mat-khau-cua-lan\n').stdout).toMatch(
      /created agent lan/,
    );
    expect(run(['add', 'giamsat', '--supervisor'], undefined, 'mat-khau-giam-sat').stdout).toMatch(
      /supervisor/,
    );
    expect(run(['add', 'lan'], 'mat-khau-khac-1\n').stderr).toMatch(/already exists/);
    const short = run(['add', 'minh'], 'ngan\n');
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/at least 10 characters/);
    expect(run(['list']).stdout).toMatch(/lan\tagent\tNguyễn Thị Lan/);
    expect(run(['passwd', 'lan'], 'mat-khau-moi-cua-lan\n').status).toBe(0);
    expect(run(['remove', 'lan']).status).toBe(2);

    const db = await openDatabase({ sqliteFile: join(dataDir, 'assistant.db') });
    const accounts = new Accounts(db);
    expect(await accounts.login('lan', 'mat-khau-cua-lan')).toBeUndefined();
    expect((await accounts.login('lan', 'mat-khau-moi-cua-lan'))?.session.agent.name).toBe('Nguyễn Thị Lan');
    await db.destroy();
  });
});
