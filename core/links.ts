/**
 * Which links a reply may make clickable. Agents type free text and the
 * knowledge base quotes sources; a citizen should be able to follow a link
 * to an official portal, and never be led by a click (or by an image that
 * loads by itself) to an address nobody vetted. Official means a host
 * under `gov.vn` (the national and provincial portals, VNeID, the
 * ministries): anything else is shown as text.
 */

/** Host suffixes whose pages a reply may link to. */
export const OFFICIAL_HOSTS = ['gov.vn'];

/** An http(s) URL in running text; a trailing full stop, comma or bracket is the sentence's. */
const URL_IN_TEXT = /https?:\/\/[^\s<>"'`]+[^\s<>"'`.,;:!?)\]]/g;

export function isOfficialUrl(url: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return false;
    const host = u.hostname.toLowerCase();
    return OFFICIAL_HOSTS.some((h) => host === h || host.endsWith(`.${h}`));
  } catch {
    return false;
  }
}

/** The text cut into plain parts and URLs, in order. */
export function splitUrls(text: string): Array<{ url?: string; text: string }> {
  const parts: Array<{ url?: string; text: string }> = [];
  let at = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    if (m.index > at) parts.push({ text: text.slice(at, m.index) });
    parts.push({ url: m[0], text: m[0] });
    at = m.index + m[0].length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

/** The official URLs in a text, each once, in order. */
export function officialUrls(text: string): string[] {
  const urls = splitUrls(text).flatMap((p) => (p.url && isOfficialUrl(p.url) ? [p.url] : []));
  return [...new Set(urls)];
}
