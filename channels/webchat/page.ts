/**
 * The demo page, the embed script and the Web Chat bundle from
 * node_modules. The bundle is compressed at build time
 * (scripts/precompress-webchat.js) and read on first use; the page links it
 * by its content hash, so browsers cache it for a year.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Request, Response, Server } from 'restify';
import { projectRoot } from '../../core/paths';
import { assetResponse, loadAsset, type CompressedAsset } from './assets';

export const PUBLIC_DIR = join(projectRoot(), 'channels', 'webchat', 'public');

/** The Web Chat bundle shipped in the botframework-webchat package. */
export function webchatBundlePath(): string {
  const path = join(projectRoot(), 'node_modules', 'botframework-webchat', 'dist', 'webchat.js');
  if (!existsSync(path)) throw new Error('botframework-webchat is not installed: run npm install');
  return path;
}

function servePublic(res: Response, file: string, type: string, next: () => void): void {
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-cache');
  res.writeHead(200);
  res.end(readFileSync(join(PUBLIC_DIR, file)));
  next();
}

/** The bundle, compressed, and the demo page that links it by hash; both read once, on first use. */
class Bundle {
  private asset?: CompressedAsset;
  private page?: Buffer;
  private readonly path = webchatBundlePath();

  get compressed(): CompressedAsset {
    return (this.asset ??= loadAsset(this.path, join(projectRoot(), 'dist', 'webchat')));
  }

  get demoPage(): Buffer {
    return (this.page ??= Buffer.from(
      readFileSync(join(PUBLIC_DIR, 'index.html'), 'utf8').replace(
        '/webchat/webchat.js',
        `/webchat/webchat.${this.compressed.hash}.js`,
      ),
    ));
  }

  send(req: Request, res: Response, cacheControl: string): void {
    const out = assetResponse(
      this.compressed,
      {
        acceptEncoding: req.headers['accept-encoding'] as string | undefined,
        ifNoneMatch: req.headers['if-none-match'],
      },
      cacheControl,
    );
    res.writeHead(out.status, out.headers);
    res.end(out.body);
  }
}

export function mountPage(server: Server): void {
  const bundle = new Bundle();
  server.get('/favicon.ico', (_req, res, next) => {
    res.send(204);
    next();
  });
  server.get('/webchat', (_req, res, next) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.writeHead(200);
    res.end(bundle.demoPage);
    next();
  });
  server.get('/webchat/embed.js', (_req, res, next) =>
    servePublic(res, 'embed.js', 'application/javascript; charset=utf-8', next),
  );
  // The unhashed URL (older pages, other embeds): revalidated hourly by its ETag.
  server.get('/webchat/webchat.js', (req, res, next) => {
    bundle.send(req, res, 'public, max-age=3600');
    next();
  });
  // The hashed URL never changes content: cached for a year without revalidation.
  server.get('/webchat/:file', (req, res, next) => {
    if (req.params.file !== `webchat.${bundle.compressed.hash}.js`) {
      res.send(404, { error: { code: 'NotFound', message: 'No such file' } });
      return next();
    }
    bundle.send(req, res, 'public, max-age=31536000, immutable');
    next();
  });
}
