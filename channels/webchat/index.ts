/**
 * The web portal's chat: the official Bot Framework Web Chat on a
 * self-hosted Direct Line (tokens, conversations, activities, the
 * WebSocket stream) at `/v3/directline`, with the demo page at `/webchat`.
 */
import { z } from 'zod';
import type { Channel } from '../contract';
import { WEBCHAT_CHANNEL } from './adapter';
import { mountWebchat, type WebchatOptions } from './channel';
import { WebchatStore } from './store';

const env = z.object({
  WEBCHAT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  WEBCHAT_TOKEN_TTL: z.coerce.number().int().min(60).default(1800),
  WEBCHAT_ALLOWED_ORIGINS: z.string().default(''),
  WEBCHAT_TOKENS_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  WEBCHAT_MESSAGES_PER_MINUTE: z.coerce.number().int().min(1).default(30),
});

export const webchatChannel: Channel<typeof env.shape, WebchatOptions> = {
  id: WEBCHAT_CHANNEL,
  env,
  settings: (e, shared) => ({
    secret: e.WEBCHAT_SECRET,
    tokenTtlSeconds: e.WEBCHAT_TOKEN_TTL,
    allowedOrigins: e.WEBCHAT_ALLOWED_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    tokensPerMinute: e.WEBCHAT_TOKENS_PER_MINUTE,
    messagesPerMinute: e.WEBCHAT_MESSAGES_PER_MINUTE,
    maxMessageChars: shared.maxMessageChars,
    trustProxy: shared.trustProxy,
    publicUrl: shared.publicUrl,
  }),
  mount: (app, deps, settings) =>
    mountWebchat(
      app,
      new WebchatStore(deps.db, deps.bus, deps.log),
      deps,
      settings,
      `${deps.baseUrl}/v3/directline`,
    ),
};
