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
import type { TurnContext } from 'botbuilder';
import type { Request, Response, Server } from 'restify';
import { clientAddress } from '../../core/clientAddress';
import { isJsonRequest } from '../../core/contentType';
import type { ChannelDeps } from '../contract';
import { WebChatAdapter } from './adapter';
import { checkInbound } from './inbound';
import { mountPage } from './page';
import { RateLimiter } from './rateLimit';
import type { StoredActivity, WebchatStore } from './store';
import { mountStream } from './stream';
import { TokenIssuer, bearer, type TokenClaims } from './tokens';

export { webchatBundlePath } from './page';

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

export type WebchatDeps = Pick<ChannelDeps, 'run' | 'onTurnError' | 'log' | 'throttles' | 't'>;

/** How long after its token expired a browser may still resume its conversation. */
const RESUME_GRACE_SECONDS = 24 * 3600;

function error(res: Response, status: number, code: string, message: string): void {
  res.send(status, { error: { code, message } });
}

function nextWatermark(list: StoredActivity[], from: number): number {
  const last = list[list.length - 1];
  return last ? last.seq + 1 : from;
}

/** A new conversation and its first token. */
interface Session {
  conversationId: string;
  userId: string;
  token: string;
  expires_in: number;
}

/**
 * The Direct Line routes and what they share: the store, the tokens, the
 * adapter that runs the bot, and the limits (counted where the throttles
 * live: shared by replicas on PostgreSQL).
 */
class DirectLine {
  private readonly tokenLimiter: RateLimiter;
  private readonly messageLimiter: RateLimiter;
  /**
   * A refused message stores nothing, but its notice is stored like any reply: without a
   * limit on notices a client posting in a loop would grow the table by one row a request.
   */
  private readonly noticeLimiter: RateLimiter;

  constructor(
    private readonly store: WebchatStore,
    readonly tokens: TokenIssuer,
    private readonly adapter: WebChatAdapter,
    private readonly secret: string,
    private readonly options: WebchatOptions,
    private readonly deps: WebchatDeps,
  ) {
    const now = (): number => Date.now();
    const { throttles } = deps;
    this.tokenLimiter = new RateLimiter(options.tokensPerMinute, 60_000, now, throttles, 'wc-token');
    this.messageLimiter = new RateLimiter(options.messagesPerMinute, 60_000, now, throttles, 'wc-message');
    this.noticeLimiter = new RateLimiter(1, 60_000, now, throttles, 'wc-notice');
  }

  mount(server: Server): void {
    type Route = (req: Request, res: Response) => Promise<void>;
    // restify warns about a handler that resolves to a value: each route resolves to nothing.
    const route = (handler: Route) => async (req: Request, res: Response) => {
      await handler.call(this, req, res);
    };
    server.opts('/api/webchat/token', (req, res, next) => this.preflight(req, res, next));
    server.post('/api/webchat/token', route(this.pageToken));
    server.post('/v3/directline/tokens/generate', route(this.generate));
    server.post('/v3/directline/tokens/refresh', route(this.refresh));
    server.post('/v3/directline/conversations', route(this.start));
    server.get('/v3/directline/conversations/:id', route(this.reconnect));
    server.get('/v3/directline/conversations/:id/activities', route(this.history));
    server.post('/v3/directline/conversations/:id/activities', route(this.receive));
  }

  /** Tell the citizen why a message was refused, at most once per conversation per minute. */
  private async refusalNotice(conversationId: string, userId: string, text: string): Promise<void> {
    if (await this.noticeLimiter.take(conversationId))
      await this.adapter.sendNotice(conversationId, userId, text);
  }

  private base(req: Request): string {
    return (
      this.options.publicUrl ??
      `${(req.headers['x-forwarded-proto'] as string) ?? 'http'}://${req.headers.host ?? 'localhost'}`
    );
  }

  private streamUrl(req: Request, conversationId: string, token: string, watermark?: string): string {
    const ws = this.base(req).replace(/^http/, 'ws');
    const wm = watermark ? `&watermark=${encodeURIComponent(watermark)}` : '';
    return `${ws}/v3/directline/conversations/${encodeURIComponent(conversationId)}/stream?t=${encodeURIComponent(token)}${wm}`;
  }

  /** The claims of the request's token, answering 403 (expired or forged) or 401 (missing) itself. */
  private claimsOf(req: Request, res: Response, conversationId?: string): TokenClaims | undefined {
    const token = bearer(req.headers.authorization);
    if (!token) {
      error(res, 401, 'Unauthorized', 'A Bearer token is required');
      return undefined;
    }
    const claims = this.tokens.verify(token);
    if (!claims) {
      error(res, 403, 'TokenExpired', 'The token is invalid or has expired');
      return undefined;
    }
    if (conversationId !== undefined && claims.c !== conversationId) {
      error(res, 403, 'Forbidden', 'The token is not valid for this conversation');
      return undefined;
    }
    return claims;
  }

  private originAllowed(req: Request): boolean {
    const origin = req.headers.origin;
    if (!origin) return true;
    const allowed = this.options.allowedOrigins;
    if (allowed.includes('*') || allowed.includes(origin)) return true;
    return origin === this.base(req);
  }

  private async newSession(): Promise<Session> {
    const userId = `web_${randomBytes(9).toString('base64url')}`;
    const conversationId = await this.store.createConversation(userId);
    return { conversationId, userId, ...this.tokens.issue(conversationId, userId) };
  }

  private preflight(req: Request, res: Response, next: () => void): void {
    if (this.originAllowed(req) && req.headers.origin) {
      res.header('Access-Control-Allow-Origin', req.headers.origin);
      res.header('Access-Control-Allow-Methods', 'POST');
      res.header('Access-Control-Allow-Headers', 'content-type');
    }
    res.send(204);
    next();
  }

  /**
   * A browser that comes back with the token of its conversation (expired
   * less than a day ago) resumes that conversation with a fresh token, and
   * is limited per conversation: an office of citizens behind one address
   * is not refused because of each other. Only a browser without a token
   * (a first visit) is limited per address, and only it gets a new
   * conversation, so a token cannot be used to mint conversations without
   * limit.
   */
  private async pageToken(req: Request, res: Response): Promise<void> {
    if (!this.originAllowed(req))
      return error(res, 403, 'Forbidden', 'This origin may not embed the web chat');
    const returning = this.tokens.verify(bearer(req.headers.authorization), RESUME_GRACE_SECONDS);
    const conversation = returning && (await this.store.conversation(returning.c));
    const key = conversation
      ? `conversation:${conversation.id}`
      : `address:${clientAddress(req, this.options.trustProxy ?? false)}`;
    if (!(await this.tokenLimiter.take(key))) {
      res.header('Retry-After', '60');
      return error(res, 429, 'TooManyRequests', 'Too many tokens requested; try again in a minute');
    }
    if (req.headers.origin) res.header('Access-Control-Allow-Origin', req.headers.origin);
    res.send(
      200,
      conversation
        ? {
            conversationId: conversation.id,
            userId: conversation.userId,
            ...this.tokens.issue(conversation.id, conversation.userId),
          }
        : await this.newSession(),
    );
  }

  private async generate(req: Request, res: Response): Promise<void> {
    if (bearer(req.headers.authorization) !== this.secret)
      return error(res, 403, 'Forbidden', 'Invalid secret');
    res.send(200, await this.newSession());
  }

  private async refresh(req: Request, res: Response): Promise<void> {
    const claims = this.claimsOf(req, res);
    if (!claims) return;
    res.send(200, { conversationId: claims.c, ...this.tokens.issue(claims.c, claims.u) });
  }

  private async start(req: Request, res: Response): Promise<void> {
    const claims = this.claimsOf(req, res);
    if (!claims) return;
    const conversation = await this.store.conversation(claims.c);
    if (!conversation) return error(res, 404, 'NotFound', 'Unknown conversation');
    const token = bearer(req.headers.authorization) as string;
    const started = await this.store.start(claims.c);
    if (started) await this.adapter.start(claims.c, claims.u, this.run);
    res.send(started ? 201 : 200, {
      conversationId: claims.c,
      token,
      expires_in: this.options.tokenTtlSeconds,
      streamUrl: this.streamUrl(req, claims.c, token),
    });
  }

  private async reconnect(req: Request, res: Response): Promise<void> {
    const id = req.params.id as string;
    const claims = this.claimsOf(req, res, id);
    if (!claims) return;
    if (!(await this.store.conversation(id))) return error(res, 404, 'NotFound', 'Unknown conversation');
    const token = bearer(req.headers.authorization) as string;
    const watermark = typeof req.query?.watermark === 'string' ? req.query.watermark : undefined;
    res.send(200, {
      conversationId: id,
      token,
      expires_in: this.options.tokenTtlSeconds,
      streamUrl: this.streamUrl(req, id, token, watermark),
    });
  }

  private async history(req: Request, res: Response): Promise<void> {
    const id = req.params.id as string;
    if (!this.claimsOf(req, res, id)) return;
    const watermark = Number(req.query?.watermark) || 0;
    const list = await this.store.since(id, watermark);
    res.send(200, {
      activities: list.map((a) => a.activity),
      watermark: String(nextWatermark(list, watermark)),
    });
  }

  private async receive(req: Request, res: Response): Promise<void> {
    const id = req.params.id as string;
    const claims = this.claimsOf(req, res, id);
    if (!claims) return;
    if (!isJsonRequest(req))
      return error(res, 400, 'BadArgument', 'The body must be JSON (application/json)');
    const t = this.deps.t('vi');
    const max = this.options.maxMessageChars;
    const inbound = checkInbound(req.body, max);
    if (!inbound.ok) {
      if (inbound.tooLong !== undefined)
        await this.refusalNotice(id, claims.u, t('channel.tooLong', { length: inbound.tooLong, max }));
      return error(res, 400, 'BadArgument', inbound.error);
    }
    if (!(await this.messageLimiter.take(id))) {
      await this.refusalNotice(id, claims.u, t('channel.slowDown'));
      res.header('Retry-After', '10');
      return error(res, 429, 'TooManyRequests', 'Too many messages in this conversation; slow down');
    }
    // A typing indicator is acknowledged, not stored: the bot has nothing to say to it.
    if (inbound.activity.type === 'typing') return res.send(200, { id: '' });
    const activityId = await this.adapter.receive(id, claims.u, inbound.activity, this.run);
    res.send(200, { id: activityId });
  }

  private readonly run = (context: TurnContext): Promise<void> => this.deps.run(context);
}

export async function mountWebchat(
  server: Server,
  store: WebchatStore,
  deps: WebchatDeps,
  options: WebchatOptions,
  serviceUrl: string,
): Promise<WebchatChannel> {
  const secret = await store.secret(options.secret);
  await store.ready();
  const tokens = new TokenIssuer(secret, options.tokenTtlSeconds);
  const adapter = new WebChatAdapter(store, serviceUrl);
  adapter.onTurnError = (context, error) => deps.onTurnError(context, error);
  new DirectLine(store, tokens, adapter, secret, options, deps).mount(server);
  mountPage(server);
  const stream = mountStream(server, tokens, store, deps.log);
  return {
    adapter,
    close: () => {
      store.close();
      stream.close();
    },
  };
}
