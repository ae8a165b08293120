/**
 * What Zalo posts to the webhook: the MAC that proves it came from Zalo,
 * and the event shapes (loose: Zalo adds fields without notice).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Zalo's webhook MAC: lowercase hex SHA-256 of app id + raw body + the body's
 * timestamp + the OA secret key (plain SHA-256, not HMAC), sent as
 * `X-ZEvent-Signature: mac=<hex>` (the prefix is optional).
 */
export function zaloMac(appId: string, rawBody: Buffer, timestamp: string, oaSecretKey: string): string {
  return createHash('sha256')
    .update(appId)
    .update(rawBody)
    .update(timestamp)
    .update(oaSecretKey)
    .digest('hex');
}

export function verifyMac(
  rawBody: Buffer,
  header: string | undefined,
  appId: string,
  oaSecretKey: string,
): boolean {
  if (!header) return false;
  let timestamp: string;
  try {
    timestamp = String((JSON.parse(rawBody.toString('utf8')) as { timestamp?: unknown }).timestamp ?? '');
  } catch {
    return false;
  }
  const got = Buffer.from(header.trim().replace(/^mac=/i, '').toLowerCase());
  const want = Buffer.from(zaloMac(appId, rawBody, timestamp, oaSecretKey));
  return got.length === want.length && timingSafeEqual(got, want);
}

const id = z.union([z.string(), z.number()]).transform(String);

const attachment = z.looseObject({ type: z.string(), payload: z.unknown().optional() });

export const userMessageEvent = z.looseObject({
  app_id: id.optional(),
  event_name: z.string().regex(/^user_send_/),
  timestamp: id,
  sender: z.looseObject({ id }),
  recipient: z.looseObject({ id }),
  message: z.looseObject({
    msg_id: id,
    text: z.string().optional(),
    attachments: z.array(attachment).optional(),
  }),
});

export const followEvent = z.looseObject({
  app_id: id.optional(),
  event_name: z.enum(['follow', 'unfollow']),
  timestamp: id,
  oa_id: id.optional(),
  follower: z.looseObject({ id }),
});

export const anyEvent = z.looseObject({ event_name: z.string(), timestamp: id });

export type UserMessageEvent = z.infer<typeof userMessageEvent>;
export type FollowEvent = z.infer<typeof followEvent>;

export type ZaloEvent =
  | { kind: 'message'; event: UserMessageEvent; userId: string; key: string }
  | { kind: 'follow' | 'unfollow'; event: FollowEvent; userId: string; key: string }
  | { kind: 'other'; name: string; key: string };

/** Validate an event; a readable error for a malformed one. */
export function parseEvent(body: unknown): { ok: true; value: ZaloEvent } | { ok: false; error: string } {
  const base = anyEvent.safeParse(body);
  if (!base.success) return { ok: false, error: z.prettifyError(base.error) };
  const name = base.data.event_name;
  if (name.startsWith('user_send_')) {
    const m = userMessageEvent.safeParse(body);
    if (!m.success) return { ok: false, error: z.prettifyError(m.error) };
    const userId = String(m.data.sender.id);
    const msgId = String((m.data.message as { msg_id: string }).msg_id);
    return { ok: true, value: { kind: 'message', event: m.data, userId, key: `msg:${msgId}` } };
  }
  if (name === 'follow' || name === 'unfollow') {
    const f = followEvent.safeParse(body);
    if (!f.success) return { ok: false, error: z.prettifyError(f.error) };
    const userId = String(f.data.follower.id);
    return {
      ok: true,
      value: { kind: name, event: f.data, userId, key: `${name}:${userId}:${f.data.timestamp}` },
    };
  }
  const msgId = (body as { message?: { msg_id?: unknown } }).message?.msg_id;
  const key = msgId
    ? `msg:${String(msgId)}`
    : `${name}:${base.data.timestamp}:${JSON.stringify(body).length}`;
  return { ok: true, value: { kind: 'other', name, key } };
}
