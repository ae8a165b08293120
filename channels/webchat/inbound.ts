/**
 * What a web-chat client may post to a conversation. The body is the
 * caller's to invent: a `text` that is not a string crashed the turn, a
 * client-sent `conversationUpdate` re-ran the welcome, and any other type
 * was stored and replayed. Only what Web Chat sends is taken: a message
 * (text, attachments, a button's value) or a typing indicator; fields the
 * server sets itself (conversation, recipient, ids) are overwritten by the
 * adapter whatever they say.
 */
import type { Activity } from 'botbuilder';
import { z } from 'zod';

const inboundActivity = z.looseObject({
  type: z.enum(['message', 'typing']),
  text: z.string().optional(),
  locale: z.string().max(32).optional(),
  from: z
    .looseObject({ id: z.string().max(128).optional(), name: z.string().max(128).optional() })
    .optional(),
  attachments: z.array(z.looseObject({ contentType: z.string() })).optional(),
  channelData: z.record(z.string(), z.unknown()).optional(),
});

export type InboundCheck =
  | { ok: true; activity: Partial<Activity> & { type: 'message' | 'typing' } }
  /** `tooLong`: the text's length, when that is the only fault (the citizen is told). */
  | { ok: false; error: string; tooLong?: number };

export function checkInbound(body: unknown, maxChars: number): InboundCheck {
  const parsed = inboundActivity.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      error: `The body must be a message or typing activity: ${z.prettifyError(parsed.error)}`,
    };
  }
  const length = parsed.data.text?.length ?? 0;
  if (length > maxChars)
    return { ok: false, error: `The text is longer than ${maxChars} characters`, tooLong: length };
  return { ok: true, activity: parsed.data as Partial<Activity> & { type: 'message' | 'typing' } };
}
