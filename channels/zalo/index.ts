/**
 * The Zalo Official Account channel: Zalo's webhook in (signed events,
 * processed once per citizen in order), the Zalo OA Open API out (with
 * retries and an outbox). Off until its five credentials are set.
 */
import { z } from 'zod';
import type { Channel } from '../contract';
import { ZALO_CHANNEL } from './adapter';
import { mountZalo, type ZaloChannel, type ZaloConfig } from './channel';
import { zaloActivity } from './render';

const env = z.object({
  ZALO_APP_ID: z.string().optional(),
  ZALO_APP_SECRET: z.string().optional(),
  ZALO_OA_SECRET_KEY: z.string().optional(),
  ZALO_ACCESS_TOKEN: z.string().optional(),
  ZALO_REFRESH_TOKEN: z.string().optional(),
  ZALO_API_BASE: z.url().default('https://openapi.zalo.me'),
  ZALO_OAUTH_BASE: z.url().default('https://oauth.zaloapp.com'),
  ZALO_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  ZALO_RETRY_DELAYS_MS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be comma-separated milliseconds')
    .default('500,2000,5000'),
  ZALO_OUTBOX_RETRY_MS: z.coerce.number().int().min(1000).default(60_000),
  ZALO_BUTTONS: z.enum(['true', 'false']).default('true'),
});

const REQUIRED = [
  'ZALO_APP_ID',
  'ZALO_APP_SECRET',
  'ZALO_OA_SECRET_KEY',
  'ZALO_ACCESS_TOKEN',
  'ZALO_REFRESH_TOKEN',
] as const;

/** The mounted Zalo channel, as the composition root hands it to tests and shutdown. */
export type { ZaloChannel };

export const zaloChannel: Channel<typeof env.shape, ZaloConfig> = {
  id: ZALO_CHANNEL,
  env,
  settings(e, shared) {
    const missing = REQUIRED.filter((k) => !e[k]);
    if (missing.length > 0) return { off: `Zalo channel off: ${missing.join(', ')} not set` };
    return {
      appId: e.ZALO_APP_ID as string,
      appSecret: e.ZALO_APP_SECRET as string,
      oaSecretKey: e.ZALO_OA_SECRET_KEY as string,
      accessToken: e.ZALO_ACCESS_TOKEN as string,
      refreshToken: e.ZALO_REFRESH_TOKEN as string,
      apiBase: e.ZALO_API_BASE.replace(/\/$/, ''),
      oauthBase: e.ZALO_OAUTH_BASE.replace(/\/$/, ''),
      timeoutMs: e.ZALO_TIMEOUT_MS,
      retryDelaysMs: e.ZALO_RETRY_DELAYS_MS.split(',').map(Number),
      outboxRetryMs: e.ZALO_OUTBOX_RETRY_MS,
      buttons: e.ZALO_BUTTONS === 'true',
      maxMessageChars: shared.maxMessageChars,
    };
  },
  async mount(app, deps, settings) {
    const zalo = mountZalo(app, deps, settings);
    deps.log.info('zalo channel on', { webhook: `${deps.baseUrl}/api/zalo/webhook` });
    return { ...zalo, render: (reply) => zaloActivity(reply, settings.buttons) };
  },
};
