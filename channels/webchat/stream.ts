/**
 * The stream: Web Chat's WebSocket receives {activities, watermark} frames.
 * A stream sends the history from the client's watermark, then whatever the
 * store announces for the conversation (appended on this replica or
 * another), read from the database in order.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Server } from 'restify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../core/log';
import type { WebchatStore } from './store';
import { bearer, type TokenIssuer } from './tokens';

/**
 * Reads never overlap: an announcement during a read makes one more read
 * after it. A read that fails (the database is down) is retried by the next
 * announcement or by the ping timer.
 */
class ConversationStream {
  private sent: number;
  private reading = false;
  private again = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly id: string,
    from: number,
    private readonly store: WebchatStore,
    private readonly log: Logger,
  ) {
    this.sent = from - 1;
    const unwatch = store.watch(id, () => void this.pull());
    const timer = setInterval(() => {
      if (ws.readyState !== ws.OPEN) return;
      ws.ping();
      void this.pull();
    }, 30_000);
    ws.on('close', () => {
      clearInterval(timer);
      unwatch();
    });
    void this.pull();
  }

  private async pull(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.again = false;
        if (this.ws.readyState !== this.ws.OPEN) return;
        const fresh = await this.store.since(this.id, this.sent + 1);
        if (fresh.length === 0 || this.ws.readyState !== this.ws.OPEN) continue;
        this.sent = fresh[fresh.length - 1]!.seq;
        this.ws.send(
          JSON.stringify({ activities: fresh.map((a) => a.activity), watermark: String(this.sent + 1) }),
        );
      } while (this.again);
    } catch (e) {
      this.log.warn('web chat stream could not read the conversation', {
        conversation: this.id,
        error: (e as Error).message,
      });
    } finally {
      this.reading = false;
    }
  }
}

/** Accept stream upgrades with a token for their conversation; `close` ends every stream. */
export function mountStream(
  server: Server,
  tokens: TokenIssuer,
  store: WebchatStore,
  log: Logger,
): { close(): void } {
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
    const from = Number(url.searchParams.get('watermark')) || 0;
    wss.handleUpgrade(req, socket, head, (ws) => new ConversationStream(ws, id, from, store, log));
  };
  server.server.on('upgrade', onUpgrade);
  return {
    close: () => {
      server.server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
