/**
 * The Web Chat bundle (about 3.9 MB) served compressed and cacheable: at
 * build time `scripts/precompress-webchat.js` writes gzip and brotli copies
 * under `dist/webchat/` with a manifest naming the bundle's content hash; at
 * run time the server sends the copy the browser accepts
 * (`Accept-Encoding`), with an `ETag`, answers 304 to a matching
 * `If-None-Match`, and serves the hashed URL (`/webchat/webchat.<hash>.js`,
 * the one the demo page links) with a year-long, immutable `Cache-Control`.
 * Without the build's copies (a test run from TypeScript) the bundle is
 * hashed and gzipped once, on the first request.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface CompressedAsset {
  /** First 16 hex digits of the bundle's sha256. */
  hash: string;
  identity: Buffer;
  gzip: Buffer;
  br?: Buffer;
}

/** What `scripts/precompress-webchat.js` writes beside the copies. */
interface Manifest {
  version: 1;
  size: number;
  mtimeMs: number;
  hash: string;
  identity: string;
  gzip: string;
  br: string;
}

export const MANIFEST_FILE = 'manifest.json';

/**
 * The bundle with its compressed copies: the build's when they match the
 * installed bundle (same size and modification time), otherwise made here.
 */
export function loadAsset(source: string, precompressedDir: string): CompressedAsset {
  const stat = statSync(source);
  try {
    const manifestPath = join(precompressedDir, MANIFEST_FILE);
    if (existsSync(manifestPath)) {
      const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
      if (m.version === 1 && m.size === stat.size && m.mtimeMs === stat.mtimeMs) {
        return {
          hash: m.hash,
          identity: readFileSync(join(precompressedDir, m.identity)),
          gzip: readFileSync(join(precompressedDir, m.gzip)),
          br: readFileSync(join(precompressedDir, m.br)),
        };
      }
    }
  } catch {
    /* an unreadable or partial copy: compress below instead */
  }
  const identity = readFileSync(source);
  return { hash: contentHash(identity), identity, gzip: gzipSync(identity, { level: 6 }) };
}

export function contentHash(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 16);
}

export type Encoding = 'br' | 'gzip' | 'identity';

/** The best encoding the client accepts among those available (a `q=0` refuses one). */
export function negotiate(acceptEncoding: string | undefined, available: Encoding[]): Encoding {
  if (!acceptEncoding) return 'identity';
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qp ? Number(qp.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const accepts = (e: Encoding): boolean => (q.get(e) ?? q.get('*') ?? 0) > 0;
  for (const e of ['br', 'gzip'] as const) if (available.includes(e) && accepts(e)) return e;
  return 'identity';
}

export interface AssetResponse {
  status: 200 | 304;
  headers: Record<string, string>;
  body?: Buffer;
}

/** The answer to a GET of the asset: the negotiated copy, or 304 when the client's copy is current. */
export function assetResponse(
  asset: CompressedAsset,
  request: { acceptEncoding?: string; ifNoneMatch?: string },
  cacheControl: string,
): AssetResponse {
  const available: Encoding[] = asset.br ? ['br', 'gzip', 'identity'] : ['gzip', 'identity'];
  const encoding = negotiate(request.acceptEncoding, available);
  const etag = `"${asset.hash}${encoding === 'identity' ? '' : `-${encoding}`}"`;
  const headers: Record<string, string> = {
    'Content-Type': 'application/javascript; charset=utf-8',
    'Cache-Control': cacheControl,
    Vary: 'Accept-Encoding',
    ETag: etag,
  };
  const tags = (request.ifNoneMatch ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (tags.includes(etag) || tags.includes('*')) return { status: 304, headers };
  const body = encoding === 'br' ? asset.br : encoding === 'gzip' ? asset.gzip : asset.identity;
  if (encoding !== 'identity') headers['Content-Encoding'] = encoding;
  headers['Content-Length'] = String(body?.length ?? 0);
  return { status: 200, headers, body };
}
