/**
 * A turn's writes behind it (bot/turnWrites.ts): made in order, one after
 * another, and the turn is not over until they are.
 */
import { TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { awaitingWrites, turnWrite, writesDone } from '../../../bot/turnWrites';

function context(): TurnContext {
  const activity: Partial<Activity> = {
    type: 'message',
    text: 'xin chào',
    channelId: 'test',
    conversation: { id: 'c1', isGroup: false, conversationType: 'personal', name: '' },
    from: { id: 'u1', name: '' },
    recipient: { id: 'bot', name: '' },
  };
  return new TurnContext(new TestAdapter(), activity);
}

/** A write that finishes when told to, recording when it started and ended. */
function slowWrite(log: string[], name: string): { write: () => Promise<void>; finish: () => void } {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    write: async () => {
      log.push(`${name} started`);
      await done;
      log.push(`${name} done`);
    },
    finish: () => finish(),
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('turn writes', () => {
  it('returns at once in a turn that awaits its writes, and runs them one after another in order', async () => {
    const c = context();
    awaitingWrites(c);
    const log: string[] = [];
    const first = slowWrite(log, 'user line');
    const second = slowWrite(log, 'bot line');
    await turnWrite(c, first.write);
    await turnWrite(c, second.write);
    await tick();
    expect(log).toEqual(['user line started']);
    let over = false;
    const end = writesDone(c).then(() => (over = true));
    first.finish();
    await tick();
    expect(log).toEqual(['user line started', 'user line done', 'bot line started']);
    expect(over).toBe(false);
    second.finish();
    await end;
    expect(log).toEqual(['user line started', 'user line done', 'bot line started', 'bot line done']);
  });

  it('gives the turn the first failure, and makes no write after it', async () => {
    const c = context();
    awaitingWrites(c);
    const made: string[] = [];
    await turnWrite(c, () => Promise.reject(new Error('disk full')));
    await turnWrite(c, async () => void made.push('later'));
    await expect(writesDone(c)).rejects.toThrow('disk full');
    expect(made).toEqual([]);
  });

  it('awaits a write where it is made outside such a turn (a proactive message)', async () => {
    const c = context();
    const log: string[] = [];
    const w = slowWrite(log, 'agent line');
    let returned = false;
    const made = turnWrite(c, w.write).then(() => (returned = true));
    await tick();
    expect(returned).toBe(false);
    w.finish();
    await made;
    expect(log).toEqual(['agent line started', 'agent line done']);
  });
});
