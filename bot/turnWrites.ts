/**
 * Writes a turn makes that the rest of the turn does not wait for (its
 * transcript lines): started when made, in order, and awaited together at
 * the end of the turn, with the state's save.
 *
 * Why: a write awaited where it is made waits for its own commit (a group
 * commit on SQLite, `storage/groupCommit.ts`; a round trip on PostgreSQL),
 * and a turn made four to six in a row. Awaited at the end they share
 * commits, and the turn still ends only once every one of them is kept: the
 * channel answers the citizen's request (or the Bot Framework's) after
 * that, so nothing is acknowledged before it is on disk. Each write starts
 * after the one before it has finished, so a transcript keeps the order of
 * what was said on PostgreSQL too, where two writes can run at once.
 *
 * Outside a turn that awaits them (`awaitingWrites`), a write is awaited
 * where it is made, as before: a hotline agent's message sent with
 * `continueConversation` has no end of turn to wait for it.
 */
import type { TurnContext } from 'botbuilder';

const KEY = Symbol('turn writes');

interface Pending {
  chain: Promise<void>;
}

/** Let the writes of this turn run behind it; `writesDone` must be awaited before the turn ends. */
export function awaitingWrites(context: TurnContext): void {
  context.turnState.set(KEY, { chain: Promise.resolve() } satisfies Pending);
}

/**
 * Make `write` after this turn's earlier writes. In a turn that awaits its
 * writes at the end, returns at once; otherwise when the write is done.
 */
export async function turnWrite(context: TurnContext, write: () => Promise<void>): Promise<void> {
  const pending = context.turnState.get(KEY) as Pending | undefined;
  if (!pending) return write();
  pending.chain = pending.chain.then(write);
  // Seen as handled until `writesDone` gives the failure to the turn.
  pending.chain.catch(() => undefined);
}

/** When every write of this turn is done; rejects with the first failure (later writes are not made). */
export function writesDone(context: TurnContext): Promise<void> {
  return (context.turnState.get(KEY) as Pending | undefined)?.chain ?? Promise.resolve();
}
