/**
 * The 1022 desk behind the bot's hand-off port (`core/handoff.ts`): the
 * only way the bot reaches the hotline. Another agent hub would implement
 * the same port (or run with `HOTLINE_HANDOFF=event` and none).
 */
import type { HandoffPort, HandoffRequest, HandoffStanding } from '../core/handoff';
import type { HotlineDesk, Ticket } from './domain/desk';

export class DeskHandoff implements HandoffPort<Ticket> {
  constructor(private readonly desk: HotlineDesk) {}

  isOpen(): boolean {
    return this.desk.hours.isOpen();
  }

  async open({ urgent, ...request }: HandoffRequest): Promise<{ ticket: Ticket; position: number }> {
    const opened = await this.desk.open(request);
    if (!urgent) return opened;
    const ticket = await this.desk.markUrgent(opened.ticket, urgent);
    return { ticket, position: await this.desk.position(ticket) };
  }

  standing(conversationId: string): Promise<HandoffStanding<Ticket>> {
    return this.desk.standing(conversationId);
  }

  async relay(ticket: Ticket, text: string): Promise<{ position: number }> {
    await this.desk.citizenMessage(ticket, text);
    return { position: await this.desk.position(ticket) };
  }

  cancel(ticket: Ticket): Promise<void> {
    return this.desk.cancel(ticket);
  }

  async lookup(code: string): Promise<{ ticket: Ticket; position: number } | undefined> {
    const ticket = await this.desk.find(code);
    return ticket && { ticket, position: await this.desk.position(ticket) };
  }

  rate(ticket: Ticket, rating: number | null): Promise<void> {
    return this.desk.rate(ticket, rating);
  }
}
