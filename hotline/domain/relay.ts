/**
 * Delivers hotline messages to citizens on whatever channel they wrote from,
 * through that channel adapter's `continueConversation` and the ticket's
 * stored conversation reference. Web chat stores the message for a citizen
 * who is not connected; Zalo sends it through the OA API.
 */
import type { TurnContext } from 'botbuilder';
import type { Reply } from '../../core/reply';
import type { ChannelAdapter } from '../../core/channelAdapter';
import type { Ticket } from './desk';

export class Relay {
  private readonly adapters = new Map<string, ChannelAdapter>();

  constructor(private readonly send: (context: TurnContext, reply: Reply) => Promise<void>) {}

  register(channelId: string, adapter: ChannelAdapter): void {
    this.adapters.set(channelId, adapter);
  }

  /** Send `reply` into the ticket's conversation; false when its channel cannot take proactive messages here. */
  async deliver(ticket: Ticket, reply: Reply): Promise<boolean> {
    const adapter = this.adapters.get(ticket.channel);
    if (!adapter) return false;
    await adapter.continueConversation(ticket.reference, (context) => this.send(context, reply));
    return true;
  }
}
