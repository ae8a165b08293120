/**
 * The one turn-error handler every channel's adapter uses: the error goes
 * to the log with the conversation, and the citizen gets an apology that
 * points to the hotline (words from the locale files), never a stack.
 */
import type { TurnContext } from 'botbuilder';
import type { Logger } from './log';

export function turnErrorHandler(
  log: Logger,
  apology: () => string,
): (context: TurnContext, error: Error) => Promise<void> {
  return async (context, error) => {
    log.error('turn failed', {
      channel: context.activity.channelId,
      conversation: context.activity.conversation?.id,
      error: error.message,
    });
    await context.sendActivity(apology());
  };
}
