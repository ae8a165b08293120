/**
 * A channel written only to show what adding one takes: this folder and one
 * line in the channel list. It stands for an SMS gateway that posts
 * `{from, text}` and takes the replies in the response (a shape several
 * Vietnamese SMS gateways use). Its own variable (SMS_GATEWAY_TOKEN) turns
 * it on, its own table (`sms_messages`) keeps what came in, and its own
 * rendering sends plain text only. Nothing outside this folder changes.
 */
import { ActivityTypes, TurnContext, type Activity, type ResourceResponse } from 'botbuilder';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Channel } from '../../../channels/contract';
import { ChannelAdapter } from '../../../core/channelAdapter';
import { toPlainText } from '../../../core/reply';

export const SMS_CHANNEL = 'sms';

const env = z.object({ SMS_GATEWAY_TOKEN: z.string().min(8).optional() });

/** Collects what the bot says in a turn, per conversation, for the gateway's response. */
export class SmsAdapter extends ChannelAdapter {
  readonly sent = new Map<string, string[]>();
  /** Messages outside a turn (a hotline agent's reply): what would go to the gateway's send API. */
  readonly outbox: Array<{ to: string; text: string }> = [];

  constructor() {
    super('sms');
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const id = context.activity.conversation.id;
    const inTurn = this.sent.get(id);
    for (const a of activities) {
      if (a.type !== ActivityTypes.Message || !a.text) continue;
      if (inTurn) inTurn.push(a.text);
      else this.outbox.push({ to: id.replace(/^sms:/, ''), text: a.text });
    }
    return activities.map(() => ({ id: '' }));
  }

  /** Run one text through the bot; the texts it sent back. */
  async turn(from: string, text: string, run: (context: TurnContext) => Promise<void>): Promise<string[]> {
    const activity = {
      type: ActivityTypes.Message,
      id: `${Date.now()}`,
      channelId: SMS_CHANNEL,
      serviceUrl: 'sms://gateway',
      conversation: { id: `sms:${from}`, isGroup: false, conversationType: 'personal', name: '' },
      from: { id: from, name: '', role: 'user' },
      recipient: { id: 'bot', name: 'bot', role: 'bot' },
      text,
    } as Activity;
    this.sent.set(activity.conversation.id, []);
    await this.runMiddleware(new TurnContext(this, activity), run);
    const replies = this.sent.get(activity.conversation.id) ?? [];
    this.sent.delete(activity.conversation.id);
    return replies;
  }
}

export const smsChannel: Channel<typeof env.shape, { token: string }> = {
  id: SMS_CHANNEL,
  env,
  settings: (e) => (e.SMS_GATEWAY_TOKEN ? { token: e.SMS_GATEWAY_TOKEN } : { off: 'SMS channel off' }),
  migrations: {
    '900_sms_messages': {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable('sms_messages')
          .addColumn('sender', 'varchar(32)', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .execute();
      },
    },
  },
  async mount(app, deps, settings) {
    const adapter = new SmsAdapter();
    adapter.onTurnError = (context, error) => deps.onTurnError(context, error);
    app.post('/api/sms', async (req, res) => {
      if (req.headers.authorization !== `Bearer ${settings.token}`) {
        res.send(401, { error: 'token' });
        return;
      }
      const body = req.body as { from?: unknown; text?: unknown };
      if (typeof body?.from !== 'string' || typeof body.text !== 'string') {
        res.send(400, { error: 'from and text are required' });
        return;
      }
      await sql`insert into sms_messages (sender, text) values (${body.from}, ${body.text})`.execute(deps.db);
      res.send(200, { replies: await adapter.turn(body.from, body.text, deps.run) });
    });
    return {
      adapter,
      render: (reply) => ({ type: ActivityTypes.Message, text: toPlainText({ ...reply, buttons: [] }) }),
      close: () => undefined,
    };
  },
};
