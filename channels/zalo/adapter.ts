/**
 * ZaloAdapter: the Zalo OA as a Bot Framework channel. A citizen's event
 * becomes an Activity and a bot turn; what the bot sends is rendered for
 * Zalo and delivered in order through the sender (retries, outbox);
 * `continueConversation` lets a hotline agent's reply reach the citizen.
 */
import { ActivityTypes, TurnContext, type Activity, type ResourceResponse } from 'botbuilder';
import { ChannelAdapter } from '../../core/channelAdapter';
import type { CsMessage } from './client';
import { toZaloMessages } from './render';
import type { ZaloSender } from './sender';

export const ZALO_CHANNEL = 'zalo';

export class ZaloAdapter extends ChannelAdapter {
  constructor(
    private readonly sender: ZaloSender,
    private readonly oaId: string,
    private readonly withButtons = true,
  ) {
    super('Zalo');
  }

  private base(userId: string): Partial<Activity> {
    return {
      channelId: ZALO_CHANNEL,
      serviceUrl: 'zalo://oa',
      conversation: { id: userId, isGroup: false, conversationType: 'personal', name: '' },
      from: { id: userId, name: '', role: 'user' },
      recipient: { id: this.oaId, name: 'OA', role: 'bot' },
      timestamp: new Date(),
    };
  }

  /** A citizen's text message as a bot turn. */
  async message(
    userId: string,
    msgId: string,
    text: string,
    logic: (c: TurnContext) => Promise<void>,
  ): Promise<void> {
    const activity = {
      ...this.base(userId),
      type: ActivityTypes.Message,
      id: msgId,
      text,
      locale: 'vi-VN',
    } as Activity;
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  /** A new follower: the bot sees them join and welcomes them. */
  async follow(userId: string, logic: (c: TurnContext) => Promise<void>): Promise<void> {
    const activity = {
      ...this.base(userId),
      type: ActivityTypes.ConversationUpdate,
      id: `follow:${userId}`,
      membersAdded: [{ id: userId, name: '' }],
    } as Activity;
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const userId = context.activity.conversation.id;
    const out: ResourceResponse[] = [];
    for (const a of activities) {
      if (a.type !== ActivityTypes.Message) {
        out.push({ id: '' });
        continue;
      }
      // Rendered for Zalo by the bot (zaloActivity), or any other activity sent as its text.
      const bodies = (a.channelData as { zalo?: CsMessage['message'][] } | undefined)?.zalo;
      const messages = bodies
        ? bodies.map((message) => ({ recipient: { user_id: userId }, message }))
        : toZaloMessages(userId, undefined, a.text ?? a.summary ?? '', this.withButtons);
      for (const message of messages) await this.sender.send(message);
      out.push({ id: '' });
    }
    return out;
  }
}
