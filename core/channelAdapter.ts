/**
 * What every channel adapter of this project shares: proactive messages
 * through `continueConversation` (a hotline reply, a ticket update), and
 * no editing or deleting of sent messages (none of our channels supports it).
 */
import { ActivityTypes, BotAdapter, TurnContext, type ConversationReference } from 'botbuilder';

export abstract class ChannelAdapter extends BotAdapter {
  constructor(private readonly channelName: string) {
    super();
  }

  async updateActivity(): Promise<void> {
    throw new Error(`The ${this.channelName} channel cannot edit a sent message`);
  }

  async deleteActivity(): Promise<void> {
    throw new Error(`The ${this.channelName} channel cannot delete a sent message`);
  }

  /** Run `logic` in the conversation `reference` points to, as if the bot had just been spoken to. */
  async continueConversation(
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    const activity = TurnContext.applyConversationReference(
      { type: ActivityTypes.Event, name: 'continueConversation' },
      reference,
      true,
    );
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}
