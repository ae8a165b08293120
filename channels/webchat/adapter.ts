/**
 * WebChatAdapter: the web chat as a Bot Framework channel. A citizen's
 * activity is stored (it is the echo Web Chat waits for), turned into a bot
 * turn, and every activity the bot sends is stored with its watermark; the
 * store announces it to the conversation's open streams on every replica. Proactive messages (a hotline
 * agent's reply) go through `continueConversation` the same way, so they
 * wait in the store for a citizen who is not connected.
 */
import { ActivityTypes, TurnContext, type Activity, type ResourceResponse } from 'botbuilder';
import { ChannelAdapter } from '../../core/channelAdapter';
import type { StoredActivity, WebchatStore } from './store';

export const WEBCHAT_CHANNEL = 'directline';
export const BOT_ACCOUNT = { id: 'tro-ly-ao', name: 'Trợ lý ảo', role: 'bot' };

export class WebChatAdapter extends ChannelAdapter {
  constructor(
    readonly store: WebchatStore,
    private readonly serviceUrl: string,
  ) {
    super('web chat');
  }

  private publish(conversationId: string, activity: Partial<Activity>): Promise<StoredActivity> {
    return this.store.append(conversationId, activity);
  }

  /** Store a citizen's activity and run the bot on it. Returns the stored id. */
  async receive(
    conversationId: string,
    userId: string,
    incoming: Partial<Activity>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<string> {
    const activity: Partial<Activity> = {
      ...incoming,
      channelId: WEBCHAT_CHANNEL,
      serviceUrl: this.serviceUrl,
      conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
      from: { id: userId, name: incoming.from?.name ?? '', role: 'user' },
      recipient: BOT_ACCOUNT,
      timestamp: new Date(),
    };
    const stored = await this.publish(conversationId, activity);
    await this.runMiddleware(new TurnContext(this, stored.activity), logic);
    return stored.activity.id ?? '';
  }

  /** A message from the channel itself (a limit was hit), stored and pushed like the bot's. */
  async sendNotice(conversationId: string, userId: string, text: string): Promise<void> {
    await this.publish(conversationId, {
      type: ActivityTypes.Message,
      text,
      channelId: WEBCHAT_CHANNEL,
      conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
      from: BOT_ACCOUNT,
      recipient: { id: userId, name: '' },
      timestamp: new Date(),
    });
  }

  /** Start a conversation: the bot sees the citizen and itself join (and sends its welcome). */
  async start(
    conversationId: string,
    userId: string,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    const activity: Partial<Activity> = {
      type: ActivityTypes.ConversationUpdate,
      id: `${conversationId}|start`,
      channelId: WEBCHAT_CHANNEL,
      serviceUrl: this.serviceUrl,
      conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
      from: { id: userId, name: '', role: 'user' },
      recipient: BOT_ACCOUNT,
      membersAdded: [
        { id: BOT_ACCOUNT.id, name: BOT_ACCOUNT.name },
        { id: userId, name: '' },
      ],
      timestamp: new Date(),
    };
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const conversationId = context.activity.conversation.id;
    const out: ResourceResponse[] = [];
    for (const a of activities) {
      if (a.type === 'delay') {
        await new Promise((r) => setTimeout(r, typeof a.value === 'number' ? a.value : 1000));
        out.push({ id: '' });
        continue;
      }
      const stored = await this.publish(conversationId, {
        ...a,
        channelId: WEBCHAT_CHANNEL,
        conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
        from: a.from ?? BOT_ACCOUNT,
        recipient: a.recipient ?? context.activity.from,
        replyToId: a.replyToId ?? context.activity.id,
        timestamp: new Date(),
      });
      out.push({ id: stored.activity.id ?? '' });
    }
    return out;
  }
}
