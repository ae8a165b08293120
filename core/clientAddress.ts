/**
 * The address a request came from, for rate limits and logs. Behind a
 * reverse proxy (nginx) every request comes from the proxy, so with
 * `TRUST_PROXY=true` the address is the last entry of `X-Forwarded-For`:
 * the one the proxy itself saw (earlier entries are the client's to invent).
 */
import type { IncomingMessage } from 'node:http';

export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const list = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
    const last = list[list.length - 1]?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
