/**
 * The Web Chat bundle is served compressed (brotli or gzip, as the browser
 * accepts), with an ETag (304 when the browser's copy is current) and, at
 * the hashed URL the demo page links, a year-long immutable Cache-Control.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { negotiate } from '../../../channels/webchat/assets';
import { webchatBundlePath } from '../../../channels/webchat/channel';
import { loadConfig } from '../../../app/config';
import { createLogger } from '../../../core/log';
import { startServer, type RunningServer } from '../../../app/server';
import { FIXTURE_SEEDS } from '../../helpers';

/** A raw GET (fetch would decompress and hide the encoding). */
function get(
  server: RunningServer,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(`${server.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    })
      .on('error', reject)
      .end();
  });
}

describe('web chat assets', () => {
  let server: RunningServer;
  const original = readFileSync(webchatBundlePath());

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assets-'));
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, KB_SEEDS_DIR: FIXTURE_SEEDS });
    server = await startServer(config, createLogger('error'));
  });

  afterAll(async () => {
    await server.close();
  });

  it('links the bundle by its content hash from the demo page', async () => {
    const page = (await get(server, '/webchat')).body.toString('utf8');
    expect(page).toMatch(/<script src="\/webchat\/webchat\.[0-9a-f]{16}\.js"><\/script>/);
  });

  it('serves brotli, gzip or the plain bundle as accepted, with an ETag, and 304 when current', async () => {
    const page = (await get(server, '/webchat')).body.toString('utf8');
    const hashed = /src="(\/webchat\/webchat\.[0-9a-f]{16}\.js)"/.exec(page)?.[1] as string;

    const br = await get(server, hashed, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.body.length).toBeLessThan(original.length / 3);
    expect(brotliDecompressSync(br.body).equals(original)).toBe(true);

    const gz = await get(server, hashed, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(original)).toBe(true);
    expect(gz.headers.etag).not.toBe(br.headers.etag);

    const plain = await get(server, hashed);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(original)).toBe(true);

    const again = await get(server, hashed, {
      'accept-encoding': 'gzip, br',
      'if-none-match': br.headers.etag as string,
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);

    // The unhashed URL works too, revalidated by its ETag.
    const old = await get(server, '/webchat/webchat.js', { 'accept-encoding': 'gzip' });
    expect(old.status).toBe(200);
    expect(old.headers['cache-control']).toBe('public, max-age=3600');
    expect(gunzipSync(old.body).equals(original)).toBe(true);
    expect((await get(server, '/webchat/webchat.0000000000000000.js')).status).toBe(404);
  });

  it('negotiates encodings by their q values', () => {
    const all = ['br', 'gzip', 'identity'] as const;
    expect(negotiate(undefined, [...all])).toBe('identity');
    expect(negotiate('gzip, br', [...all])).toBe('br');
    expect(negotiate('br;q=0, gzip', [...all])).toBe('gzip');
    expect(negotiate('*', ['gzip', 'identity'])).toBe('gzip');
    expect(negotiate('deflate', [...all])).toBe('identity');
  });
});
