/**
 * An in-process channel: runs a bot turn for a message and hands back what
 * the bot sent. The command line (`ask`, `eval`) uses it, so that a question
 * typed there takes the same path as one from Zalo or the web chat.
 */
import { ActivityTypes, TurnContext, type Activity, type ResourceResponse } from 'botbuilder';
import { ChannelAdapter } from '../../core/channelAdapter';

export class LocalAdapter extends ChannelAdapter {
  private readonly outbox = new Map<string, Partial<Activity>[]>();
  private seq = 0;

  constructor(private readonly channelId = 'cli') {
    super('command-line');
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const key = context.activity.conversation.id;
    const list = this.outbox.get(key) ?? [];
    list.push(...activities);
    this.outbox.set(key, list);
    return activities.map(() => ({ id: String(++this.seq) }));
  }

  /** Run one message through `logic` and return the activities the bot sent. */
  async send(
    text: string,
    conversationId: string,
    logic: (context: TurnContext) => Promise<void>,
    userId = 'cli-user',
  ): Promise<Partial<Activity>[]> {
    const activity = {
      type: ActivityTypes.Message,
      id: String(++this.seq),
      text,
      channelId: this.channelId,
      serviceUrl: 'local://',
      timestamp: new Date(),
      conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
      from: { id: userId, name: userId, role: 'user' },
      recipient: { id: 'bot', name: 'bot', role: 'bot' },
    } as Activity;
    this.outbox.set(conversationId, []);
    await this.runMiddleware(new TurnContext(this, activity), logic);
    const sent = this.outbox.get(conversationId) ?? [];
    this.outbox.delete(conversationId);
    return sent;
  }
}
