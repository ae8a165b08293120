/**
 * Whether a request's body is declared JSON. Routes that change state take
 * JSON only: an HTML form on any other site can post form-encoded or text
 * bodies to them without the browser asking first, but not JSON.
 */
import type { IncomingMessage } from 'node:http';

export function isJsonRequest(req: IncomingMessage): boolean {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  return type === 'application/json';
}
