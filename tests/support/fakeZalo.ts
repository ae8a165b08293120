/**
 * A fake Zalo OA Open API on loopback that checks what real Zalo checks:
 * the `access_token` header, the customer-service payload shape and limits,
 * the token endpoint's `secret_key` header and single-use refresh token;
 * and answers with Zalo's error envelope (HTTP 200, non-zero `error`) for an
 * expired token, a citizen who unfollowed, or a flood. It can also fail
 * with 5xx or hang on demand.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { zaloMac } from '../../channels/zalo/webhook';

export const APP_ID = '1234567890123456789';
export const APP_SECRET = 'app-secret-xyz';
export const OA_SECRET = 'oa-secret-key-abc';
export const OA_ID = '4000111122223333444';

const button = z.strictObject({
  title: z.string().min(1).max(100),
  type: z.enum(['oa.open.url', 'oa.query.show', 'oa.query.hide', 'oa.open.phone', 'oa.open.sms']),
  payload: z.union([z.string().max(1000), z.object({ url: z.url() }), z.object({ phone_code: z.string() })]),
});
const csBody = z.strictObject({
  recipient: z.strictObject({ user_id: z.string().regex(/^\d+$/) }),
  message: z
    .strictObject({
      text: z
        .string()
        .min(1)
        .refine((t) => t.normalize('NFC').length <= 2000, 'text longer than 2000 characters')
        .optional(),
      quote_message_id: z.string().optional(),
      attachment: z
        .strictObject({
          type: z.literal('template'),
          payload: z.strictObject({ buttons: z.array(button).min(1).max(5) }),
        })
        .optional(),
    })
    .refine((m) => m.text || m.attachment, 'message needs text or an attachment'),
});

export interface Delivered {
  userId: string;
  text: string;
  buttons: Array<{ title: string; type: string; payload: unknown }>;
  at: number;
}

export class FakeZalo extends EventEmitter {
  url = '';
  accessToken = 'access-1';
  refreshToken = 'refresh-1';
  readonly messages: Delivered[] = [];
  constructor() {
    super();
    this.setMaxListeners(0);
  }
  readonly unfollowed = new Set<string>();
  readonly rejected: Array<{ code: number; reason: string }> = [];
  refreshCalls = 0;
  /** Answer the next N sends with HTTP 500. */
  fail5xx = 0;
  /** Answer sends with -32 (flood) while true. */
  flood = false;
  /** Never answer sends while true. */
  hang = false;
  /** Delay before answering a send, ms. */
  latencyMs = 0;
  /** Delay before answering a token refresh, ms. */
  refreshLatencyMs = 0;
  private server?: Server;
  private readonly hanging: ServerResponse[] = [];
  private n = 1;

  /** Sends received and not answered (while `hang`). */
  get held(): number {
    return this.hanging.length;
  }

  /** The assistant's Zalo configuration pointing at this fake. */
  env(): Record<string, string> {
    return {
      ZALO_APP_ID: APP_ID,
      ZALO_APP_SECRET: APP_SECRET,
      ZALO_OA_SECRET_KEY: OA_SECRET,
      ZALO_ACCESS_TOKEN: this.accessToken,
      ZALO_REFRESH_TOKEN: this.refreshToken,
      ZALO_API_BASE: this.url,
      ZALO_OAUTH_BASE: this.url,
    };
  }

  /** The next message delivered to `userId`. */
  next(userId: string): Promise<Delivered> {
    return new Promise((resolve) => {
      const on = (m: Delivered): void => {
        if (m.userId !== userId) return;
        this.off('message', on);
        resolve(m);
      };
      this.on('message', on);
    });
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }

  /** Make the current access token expire (Zalo then answers -216 to it). */
  expireAccessToken(): void {
    this.accessToken = `access-${++this.n}-unissued`;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await new Promise<string>((r) => {
      let s = '';
      req.on('data', (d) => (s += d));
      req.on('end', () => r(s));
    });
    const json = (status: number, data: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(data));
    };
    const zaloError = (code: number, message: string): void => {
      this.rejected.push({ code, reason: message });
      json(200, { error: code, message });
    };
    if (req.method === 'POST' && req.url === '/v4/oa/access_token') {
      this.refreshCalls++;
      if (this.refreshLatencyMs) await new Promise((r) => setTimeout(r, this.refreshLatencyMs));
      const form = new URLSearchParams(body);
      if (req.headers.secret_key !== APP_SECRET)
        return json(200, { error: -14001, error_name: 'Invalid secret key' });
      if (form.get('app_id') !== APP_ID || form.get('grant_type') !== 'refresh_token') {
        return json(200, { error: -14002, error_name: 'Invalid app or grant' });
      }
      if (form.get('refresh_token') !== this.refreshToken) {
        return json(200, {
          error: -14014,
          error_name: 'Invalid refresh token',
          error_description: 'refresh token was used or expired',
        });
      }
      this.n++;
      this.accessToken = `access-${this.n}`;
      this.refreshToken = `refresh-${this.n}`;
      return json(200, {
        access_token: this.accessToken,
        refresh_token: this.refreshToken,
        expires_in: '90000',
      });
    }
    if (req.method === 'POST' && req.url === '/v3.0/oa/message/cs') {
      if (this.hang) {
        this.hanging.push(res);
        return;
      }
      if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
      if (this.fail5xx > 0) {
        this.fail5xx--;
        res.writeHead(502);
        res.end('Bad Gateway');
        return;
      }
      const token = req.headers.access_token;
      if (typeof token !== 'string' || token !== this.accessToken)
        return zaloError(-216, 'Access token is invalid');
      let parsed: z.infer<typeof csBody>;
      try {
        const r = csBody.safeParse(JSON.parse(body));
        if (!r.success)
          return zaloError(
            -201,
            `${r.error.issues[0]?.path.join('.')} is invalid! ${r.error.issues[0]?.message}`,
          );
        parsed = r.data;
      } catch {
        return zaloError(-201, 'body is invalid!');
      }
      if (this.flood) return zaloError(-32, 'application reached limit call api');
      const userId = parsed.recipient.user_id;
      if (this.unfollowed.has(userId)) return zaloError(-213, 'User has not followed OA');
      const delivered: Delivered = {
        userId,
        text: parsed.message.text ?? '',
        buttons: parsed.message.attachment?.payload.buttons ?? [],
        at: Date.now(),
      };
      this.messages.push(delivered);
      this.emit('message', delivered);
      return json(200, {
        error: 0,
        message: 'Success',
        data: { message_id: `m${this.messages.length}`, user_id: userId },
      });
    }
    json(404, { error: -1, message: 'not found' });
  }
}

/**
 * A citizen's text as Zalo posts it to the webhook: the event body and the
 * headers with its MAC, signed with this fake's OA secret key.
 */
export function signedTextEvent(
  user: string,
  msgId: string,
  text: string,
): { raw: string; headers: Record<string, string> } {
  const timestamp = String(Date.now());
  const raw = JSON.stringify({
    app_id: APP_ID,
    event_name: 'user_send_text',
    timestamp,
    sender: { id: user },
    recipient: { id: OA_ID },
    message: { msg_id: msgId, text },
  });
  const mac = zaloMac(APP_ID, Buffer.from(raw), timestamp, OA_SECRET);
  return { raw, headers: { 'content-type': 'application/json', 'x-zevent-signature': `mac=${mac}` } };
}
