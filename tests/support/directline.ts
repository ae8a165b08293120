/**
 * A small Direct Line client for tests against running servers: a web-chat
 * session (token, start, say, poll) and the WebSocket stream.
 */
import WebSocket from 'ws';
import { waitFor } from './wait';

export interface Session {
  conversationId: string;
  userId: string;
  token: string;
}

export interface DlActivity {
  id: string;
  type: string;
  text?: string;
  from: { id: string; role?: string };
  replyToId?: string;
  attachments?: Array<{ content?: { title?: string } }>;
  channelData?: { reply?: { entry?: { id: string } } };
}

export async function call(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, json };
}

/** A token for a new conversation, from the page's token endpoint of `base`. */
export async function newSession(base: string): Promise<Session> {
  const r = await call(base, 'POST', '/api/webchat/token');
  if (r.status !== 200) throw new Error(`token: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json as Session;
}

export async function startConversation(
  base: string,
  s: Session,
): Promise<{ status: number; streamUrl: string }> {
  const r = await call(base, 'POST', '/v3/directline/conversations', s.token, {});
  return { status: r.status, streamUrl: (r.json as { streamUrl: string }).streamUrl };
}

export function say(base: string, s: Session, text: string) {
  return call(base, 'POST', `/v3/directline/conversations/${s.conversationId}/activities`, s.token, {
    type: 'message',
    text,
    from: { id: s.userId },
    channelData: { clientActivityID: `c-${Date.now()}` },
  });
}

export async function poll(
  base: string,
  s: Session,
  watermark = '',
): Promise<{ activities: DlActivity[]; watermark: string }> {
  const r = await call(
    base,
    'GET',
    `/v3/directline/conversations/${s.conversationId}/activities?watermark=${watermark}`,
    s.token,
  );
  if (r.status !== 200) throw new Error(`poll: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json as { activities: DlActivity[]; watermark: string };
}

/** The stream URL the server at `base` gives for reconnecting from `watermark`. */
export async function reconnectUrl(base: string, s: Session, watermark: string): Promise<string> {
  const r = await call(
    base,
    'GET',
    `/v3/directline/conversations/${s.conversationId}?watermark=${watermark}`,
    s.token,
  );
  if (r.status !== 200) throw new Error(`reconnect: ${r.status}`);
  return (r.json as { streamUrl: string }).streamUrl;
}

/** A WebSocket on a stream URL that records every activity it is sent. */
export class Stream {
  readonly activities: DlActivity[] = [];
  watermark = '';
  closed = false;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const text = String(d);
      if (!text) return;
      const frame = JSON.parse(text) as { activities: DlActivity[]; watermark: string };
      this.activities.push(...frame.activities);
      this.watermark = frame.watermark;
    });
    ws.on('close', () => (this.closed = true));
    ws.on('error', () => (this.closed = true));
  }

  static async open(url: string): Promise<Stream> {
    const ws = new WebSocket(url);
    const stream = new Stream(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return stream;
  }

  /** Wait until an activity matching `match` has arrived. */
  until(match: (a: DlActivity) => boolean, what: string, timeoutMs = 15_000): Promise<DlActivity> {
    return waitFor(() => this.activities.find(match), what, timeoutMs);
  }

  close(): void {
    this.ws.close();
  }
}
