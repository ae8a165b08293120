/**
 * The Direct Line 3.0 subset that Microsoft's Web Chat uses, served by this
 * process (no Azure, no CDN), plus the demo page, the embed script and the
 * Web Chat bundle from node_modules.
 *
 *   POST /api/webchat/token                    a token for the portal page (rate-limited, origin-checked)
 *   POST /v3/directline/tokens/generate        the same for a portal backend (Bearer WEBCHAT_SECRET)
 *   POST /v3/directline/tokens/refresh         a fresh token for the same conversation
 *   POST /v3/directline/conversations          start (or resume) the token's conversation
 *   GET  /v3/directline/conversations/:id      reconnect: a new stream URL
 *   POST /v3/directline/conversations/:id/activities
 *   GET  /v3/directline/conversations/:id/activities?watermark=N
 *   WS   /v3/directline/conversations/:id/stream?t=TOKEN&watermark=N
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { TurnContext } from 'botbuilder';
import type { Request, Response, Server } from 'restify';
import { WebSocketServer, type WebSocket } from 'ws';
import { clientAddress } from '../../core/clientAddress';
import { isJsonRequest } from '../../core/contentType';
import { projectRoot } from '../../core/paths';
import type { ChannelDeps } from '../contract';
import { RateLimiter } from './rateLimit';
import { assetResponse, loadAsset, type CompressedAsset } from './assets';
import { WebChatAdapter } from './adapter';
import { checkInbound } from './inbound';
import type { StoredActivity, WebchatStore } from './store';
import { TokenIssuer, bearer, type TokenClaims } from './tokens';

export interface WebchatOptions {
  /** Secret for server-to-server token generation and signing; generated and stored when empty. */
  secret?: string;
  tokenTtlSeconds: number;
  /** Origins allowed to ask for a token from a browser; empty = this server's own origin only. */
  allowedOrigins: string[];
  /** Tokens per minute per client address. */
  tokensPerMinute: number;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy). */
  trustProxy?: boolean;
  /** Messages per minute per conversation. */
  messagesPerMinute: number;
  /** Longest message text accepted, in characters. */
  maxMessageChars: number;
  /** Public base URL of this server for stream URLs; derived from the request when empty. */
  publicUrl?: string;
}

export interface WebchatChannel {
  adapter: WebChatAdapter;
  close(): void;
}

const PUBLIC_DIR = join(projectRoot(), 'channels', 'webchat', 'public');
/** How long after its token expired a browser may still resume its conversation. */
const RESUME_GRACE_SECONDS = 24 * 3600;

/** The Web Chat bundle shipped in the botframework-webchat package. */
export function webchatBundlePath(): string {
  const path = join(projectRoot(), 'node_modules', 'botframework-webchat', 'dist', 'webchat.js');
  if (!existsSync(path)) throw new Error('botframework-webchat is not installed: run npm install');
  return path;
}

function send(res: Response, status: number, body: unknown): void {
  res.send(status, body);
}

function error(res: Response, status: number, code: string, message: string): void {
  send(res, status, { error: { code, message } });
}

export async function mountWebchat(
  server: Server,
  store: WebchatStore,
  deps: Pick<ChannelDeps, 'run' | 'onTurnError' | 'log' | 'throttles' | 't'>,
  options: WebchatOptions,
  serviceUrl: string,
): Promise<WebchatChannel> {
  const { log, throttles, t } = deps;
  const logic = (context: TurnContext): Promise<void> => deps.run(context);
  const secret = await store.secret(options.secret);
  await store.ready();
  const tokens = new TokenIssuer(secret, options.tokenTtlSeconds);
  const adapter = new WebChatAdapter(store, serviceUrl);
  adapter.onTurnError = (context, error) => deps.onTurnError(context, error);
  const now = (): number => Date.now();
  const tokenLimiter = new RateLimiter(options.tokensPerMinute, 60_000, now, throttles, 'wc-token');
  const messageLimiter = new RateLimiter(options.messagesPerMinute, 60_000, now, throttles, 'wc-message');
  // A refused message stores nothing, but its notice is stored like any reply: without a
  // limit on notices a client posting in a loop would grow the table by one row a request.
  const noticeLimiter = new RateLimiter(1, 60_000, now, throttles, 'wc-notice');
  /** Tell the citizen why a message was refused, at most once per conversation per minute. */
  const refusalNotice = async (conversationId: string, userId: string, text: string): Promise<void> => {
    if (await noticeLimiter.take(conversationId)) await adapter.sendNotice(conversationId, userId, text);
  };

  const base = (req: Request): string =>
    options.publicUrl ??
    `${(req.headers['x-forwarded-proto'] as string) ?? 'http'}://${req.headers.host ?? 'localhost'}`;
  const streamUrl = (req: Request, conversationId: string, token: string, watermark?: string): string => {
    const ws = base(req).replace(/^http/, 'ws');
    const wm = watermark ? `&watermark=${encodeURIComponent(watermark)}` : '';
    return `${ws}/v3/directline/conversations/${encodeURIComponent(conversationId)}/stream?t=${encodeURIComponent(token)}${wm}`;
  };

  /** The claims of the request's token, answering 403 (expired or forged) or 401 (missing) itself. */
  const claimsOf = (req: Request, res: Response, conversationId?: string): TokenClaims | undefined => {
    const token = bearer(req.headers.authorization);
    if (!token) {
      error(res, 401, 'Unauthorized', 'A Bearer token is required');
      return undefined;
    }
    const claims = tokens.verify(token);
    if (!claims) {
      error(res, 403, 'TokenExpired', 'The token is invalid or has expired');
      return undefined;
    }
    if (conversationId !== undefined && claims.c !== conversationId) {
      error(res, 403, 'Forbidden', 'The token is not valid for this conversation');
      return undefined;
    }
    return claims;
  };

  const originAllowed = (req: Request): boolean => {
    const origin = req.headers.origin;
    if (!origin) return true;
    if (options.allowedOrigins.includes('*') || options.allowedOrigins.includes(origin)) return true;
    return origin === base(req);
  };

  const newSession = async (): Promise<{
    conversationId: string;
    userId: string;
    token: string;
    expires_in: number;
  }> => {
    const userId = `web_${randomBytes(9).toString('base64url')}`;
    const conversationId = await store.createConversation(userId);
    return { conversationId, userId, ...tokens.issue(conversationId, userId) };
  };

  server.opts('/api/webchat/token', (req, res, next) => {
    if (originAllowed(req) && req.headers.origin) {
      res.header('Access-Control-Allow-Origin', req.headers.origin);
      res.header('Access-Control-Allow-Methods', 'POST');
      res.header('Access-Control-Allow-Headers', 'content-type');
    }
    res.send(204);
    next();
  });

  /**
   * A browser that comes back with the token of its conversation (expired
   * less than a day ago) resumes that conversation with a fresh token, and
   * is limited per conversation: an office of citizens behind one address
   * is not refused because of each other. Only a browser without a token
   * (a first visit) is limited per address, and only it gets a new
   * conversation, so a token cannot be used to mint conversations without
   * limit.
   */
  server.post('/api/webchat/token', async (req, res) => {
    if (!originAllowed(req)) return error(res, 403, 'Forbidden', 'This origin may not embed the web chat');
    const returning = tokens.verify(bearer(req.headers.authorization), RESUME_GRACE_SECONDS);
    const conversation = returning && (await store.conversation(returning.c));
    const key = conversation
      ? `conversation:${conversation.id}`
      : `address:${clientAddress(req, options.trustProxy ?? false)}`;
    if (!(await tokenLimiter.take(key))) {
      res.header('Retry-After', '60');
      return error(res, 429, 'TooManyRequests', 'Too many tokens requested; try again in a minute');
    }
    if (req.headers.origin) res.header('Access-Control-Allow-Origin', req.headers.origin);
    send(
      res,
      200,
      conversation
        ? {
            conversationId: conversation.id,
            userId: conversation.userId,
            ...tokens.issue(conversation.id, conversation.userId),
          }
        : await newSession(),
    );
  });

  server.post('/v3/directline/tokens/generate', async (req, res) => {
    if (bearer(req.headers.authorization) !== secret) return error(res, 403, 'Forbidden', 'Invalid secret');
    send(res, 200, await newSession());
  });

  server.post('/v3/directline/tokens/refresh', async (req, res) => {
    const claims = claimsOf(req, res);
    if (!claims) return;
    send(res, 200, { conversationId: claims.c, ...tokens.issue(claims.c, claims.u) });
  });

  server.post('/v3/directline/conversations', async (req, res) => {
    const claims = claimsOf(req, res);
    if (!claims) return;
    const conversation = await store.conversation(claims.c);
    if (!conversation) return error(res, 404, 'NotFound', 'Unknown conversation');
    const token = bearer(req.headers.authorization) as string;
    const started = await store.start(claims.c);
    if (started) await adapter.start(claims.c, claims.u, logic);
    send(res, started ? 201 : 200, {
      conversationId: claims.c,
      token,
      expires_in: options.tokenTtlSeconds,
      streamUrl: streamUrl(req, claims.c, token),
    });
  });

  server.get('/v3/directline/conversations/:id', async (req, res) => {
    const id = req.params.id as string;
    const claims = claimsOf(req, res, id);
    if (!claims) return;
    if (!(await store.conversation(id))) return error(res, 404, 'NotFound', 'Unknown conversation');
    const token = bearer(req.headers.authorization) as string;
    const watermark = typeof req.query?.watermark === 'string' ? req.query.watermark : undefined;
    send(res, 200, {
      conversationId: id,
      token,
      expires_in: options.tokenTtlSeconds,
      streamUrl: streamUrl(req, id, token, watermark),
    });
  });

  server.get('/v3/directline/conversations/:id/activities', async (req, res) => {
    const id = req.params.id as string;
    if (!claimsOf(req, res, id)) return;
    const watermark = Number(req.query?.watermark) || 0;
    const list = await store.since(id, watermark);
    send(res, 200, {
      activities: list.map((a) => a.activity),
      watermark: String(nextWatermark(list, watermark)),
    });
  });

  server.post('/v3/directline/conversations/:id/activities', async (req, res) => {
    const id = req.params.id as string;
    const claims = claimsOf(req, res, id);
    if (!claims) return;
    if (!isJsonRequest(req))
      return error(res, 400, 'BadArgument', 'The body must be JSON (application/json)');
    const inbound = checkInbound(req.body, options.maxMessageChars);
    if (!inbound.ok) {
      if (inbound.tooLong !== undefined) {
        await refusalNotice(
          id,
          claims.u,
          t('vi')('channel.tooLong', { length: inbound.tooLong, max: options.maxMessageChars }),
        );
      }
      return error(res, 400, 'BadArgument', inbound.error);
    }
    if (!(await messageLimiter.take(id))) {
      await refusalNotice(id, claims.u, t('vi')('channel.slowDown'));
      res.header('Retry-After', '10');
      return error(res, 429, 'TooManyRequests', 'Too many messages in this conversation; slow down');
    }
    // A typing indicator is acknowledged, not stored: the bot has nothing to say to it.
    if (inbound.activity.type === 'typing') return send(res, 200, { id: '' });
    const activityId = await adapter.receive(id, claims.u, inbound.activity, logic);
    send(res, 200, { id: activityId });
  });

  server.get('/favicon.ico', (_req, res, next) => {
    res.send(204);
    next();
  });
  // The bundle is compressed at build time (scripts/precompress-webchat.js) and read on first use.
  const bundle = webchatBundlePath();
  let asset: CompressedAsset | undefined;
  const bundleAsset = (): CompressedAsset =>
    (asset ??= loadAsset(bundle, join(projectRoot(), 'dist', 'webchat')));
  let page: Buffer | undefined;
  /** The demo page, linking the bundle by its content hash (cached for a year by browsers). */
  const demoPage = (): Buffer =>
    (page ??= Buffer.from(
      readFileSync(join(PUBLIC_DIR, 'index.html'), 'utf8').replace(
        '/webchat/webchat.js',
        `/webchat/webchat.${bundleAsset().hash}.js`,
      ),
    ));
  server.get('/webchat', (_req, res, next) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.writeHead(200);
    res.end(demoPage());
    next();
  });
  server.get('/webchat/embed.js', (_req, res, next) =>
    servePublic(res, 'embed.js', 'application/javascript; charset=utf-8', next),
  );
  const sendAsset = (req: Request, res: Response, cacheControl: string): void => {
    const out = assetResponse(
      bundleAsset(),
      {
        acceptEncoding: req.headers['accept-encoding'] as string | undefined,
        ifNoneMatch: req.headers['if-none-match'],
      },
      cacheControl,
    );
    res.writeHead(out.status, out.headers);
    res.end(out.body);
  };
  // The unhashed URL (older pages, other embeds): revalidated hourly by its ETag.
  server.get('/webchat/webchat.js', (req, res, next) => {
    sendAsset(req, res, 'public, max-age=3600');
    next();
  });
  // The hashed URL never changes content: cached for a year without revalidation.
  server.get('/webchat/:file', (req, res, next) => {
    if (req.params.file !== `webchat.${bundleAsset().hash}.js`) {
      error(res, 404, 'NotFound', 'No such file');
      return next();
    }
    sendAsset(req, res, 'public, max-age=31536000, immutable');
    next();
  });

  // The stream: Web Chat's WebSocket receives {activities, watermark} frames.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '', 'http://localhost');
    const m = /^\/v3\/directline\/conversations\/([^/]+)\/stream$/.exec(url.pathname);
    if (!m) return;
    const id = decodeURIComponent(m[1] as string);
    const claims = tokens.verify(url.searchParams.get('t') ?? bearer(req.headers.authorization));
    if (!claims || claims.c !== id) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) =>
      openStream(ws, id, Number(url.searchParams.get('watermark')) || 0),
    );
  };
  server.server.on('upgrade', onUpgrade);

  /**
   * A stream sends the history from the client's watermark, then whatever
   * the store announces for the conversation (appended on this replica or
   * another), read from the database in order. Reads never overlap: an
   * announcement during a read makes one more read after it. A read that
   * fails (the database is down) is retried by the next announcement or by
   * the ping timer.
   */
  const openStream = (ws: WebSocket, id: string, from: number): void => {
    let sent = from - 1;
    let reading = false;
    let again = false;
    const pull = async (): Promise<void> => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          if (ws.readyState !== ws.OPEN) return;
          const fresh = await store.since(id, sent + 1);
          if (fresh.length === 0 || ws.readyState !== ws.OPEN) continue;
          sent = fresh[fresh.length - 1]!.seq;
          ws.send(JSON.stringify({ activities: fresh.map((a) => a.activity), watermark: String(sent + 1) }));
        } while (again);
      } catch (e) {
        log.warn('web chat stream could not read the conversation', {
          conversation: id,
          error: (e as Error).message,
        });
      } finally {
        reading = false;
      }
    };
    const unwatch = store.watch(id, () => void pull());
    const timer = setInterval(() => {
      if (ws.readyState !== ws.OPEN) return;
      ws.ping();
      void pull();
    }, 30_000);
    ws.on('close', () => {
      clearInterval(timer);
      unwatch();
    });
    void pull();
  };

  return {
    adapter,
    close: () => {
      store.close();
      server.server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

function nextWatermark(list: StoredActivity[], from: number): number {
  const last = list[list.length - 1];
  return last ? last.seq + 1 : from;
}

function servePublic(res: Response, file: string, type: string, next: () => void): void {
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-cache');
  res.writeHead(200);
  res.end(readFileSync(join(PUBLIC_DIR, file)));
  next();
}
