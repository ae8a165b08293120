/**
 * The running server: a real Activity posted to /api/messages is answered
 * at the caller's serviceUrl (a channel stub on loopback), as the Bot
 * Framework Emulator would see it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../../app/config';
import { createLogger } from '../../../core/log';
import { startServer, type RunningServer } from '../../../app/server';
import { isLoopbackAddress, isLoopbackUrl } from '../../../channels/botframework';
import { FIXTURE_SEEDS } from '../../helpers';

interface Received {
  url: string;
  body: {
    text?: string;
    summary?: string;
    replyToId?: string;
    channelData?: { reply?: { entry?: { id: string } } };
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (d) => (s += d));
    req.on('end', () => resolve(s));
  });
}

describe('the server', () => {
  let server: RunningServer;
  let channel: Server;
  let channelUrl: string;
  const received: Received[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    channel = createServer(async (req, res) => {
      received.push({ url: req.url ?? '', body: JSON.parse(await readBody(req)) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `r${received.length}` }));
    });
    await new Promise<void>((r) => channel.listen(0, '127.0.0.1', r));
    channelUrl = `http://127.0.0.1:${(channel.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'server-'));
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, KB_SEEDS_DIR: FIXTURE_SEEDS });
    server = await startServer(
      config,
      createLogger('info', (l) => logs.push(l)),
    );
  });

  afterAll(async () => {
    await server.close();
    await new Promise((r) => channel.close(r));
  });

  const post = (body: unknown) =>
    fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers health and readiness probes', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('replies to a posted activity at its serviceUrl', async () => {
    const res = await post({
      type: 'message',
      id: 'act-1',
      text: 'đăng ký kết hôn cần giấy tờ gì',
      channelId: 'emulator',
      serviceUrl: channelUrl,
      conversation: { id: 'conv-1' },
      from: { id: 'user-1', name: 'Người dân' },
      recipient: { id: 'bot-1', name: 'Trợ lý' },
      locale: 'vi-VN',
    });
    expect(res.status).toBe(200);
    expect(received).toHaveLength(1);
    expect(received[0]?.url).toBe('/v3/conversations/conv-1/activities/act-1');
    expect(received[0]?.body.replyToId).toBe('act-1');
    expect(received[0]?.body.summary).toContain('Tờ khai đăng ký kết hôn');
    expect(received[0]?.body.channelData?.reply?.entry?.id).toBe('dang-ky-ket-hon');
  });

  it('refuses a serviceUrl off this machine while authentication is off', async () => {
    const res = await post({
      type: 'message',
      text: 'hi',
      serviceUrl: 'http://203.0.113.9/',
      conversation: { id: 'x' },
    });
    expect(res.status).toBe(403);
    expect(logs.join('\n')).toContain('non-loopback serviceUrl');
  });

  it('answers HEAD wherever GET is served, with the same headers and no body', async () => {
    for (const path of [
      '/healthz',
      '/readyz',
      '/webchat',
      '/webchat/embed.js',
      '/webchat/webchat.js',
      '/hotline',
    ]) {
      const [get, head] = await Promise.all([
        fetch(`${server.url}${path}`),
        fetch(`${server.url}${path}`, { method: 'HEAD' }),
      ]);
      expect([path, head.status]).toEqual([path, 200]);
      expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
      expect(await head.text()).toBe('');
      await get.arrayBuffer();
    }
    expect((await fetch(`${server.url}/no-such-page`, { method: 'HEAD' })).status).toBe(404);
  });

  it('rejects a body over the size limit', async () => {
    const res = await post({ type: 'message', text: 'x'.repeat(300 * 1024), serviceUrl: channelUrl });
    expect(res.status).toBe(413);
  });

  it('tells loopback addresses apart', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('192.0.2.2')).toBe(false);
    expect(isLoopbackAddress('::ffff:10.0.0.1')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
    expect(isLoopbackUrl('http://localhost:3000')).toBe(true);
    expect(isLoopbackUrl('http://127.0.0.1:1')).toBe(true);
    expect(isLoopbackUrl('http://[::1]:1')).toBe(true);
    expect(isLoopbackUrl('https://example.com')).toBe(false);
    expect(isLoopbackUrl(undefined)).toBe(false);
  });

  it('refuses to start on an invalid configuration, naming the variable', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/sqlite:PATH or postgres:\/\//);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
  });

  it('takes SQLite by default and PostgreSQL from a postgres:// or postgresql:// URL', () => {
    expect(loadConfig({ DATA_DIR: '/srv/data' }).database).toEqual({ sqliteFile: '/srv/data/assistant.db' });
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).database).toEqual({ sqliteFile: ':memory:' });
    expect(loadConfig({ DATABASE_URL: 'postgres://app:pw@db:5432/assistant' }).database).toEqual({
      postgresUrl: 'postgres://app:pw@db:5432/assistant',
      poolSize: 10,
    });
    expect(
      loadConfig({ DATABASE_URL: 'postgresql://app@db/assistant?sslmode=require', DATABASE_POOL_SIZE: '25' })
        .database,
    ).toEqual({ postgresUrl: 'postgresql://app@db/assistant?sslmode=require', poolSize: 25 });
  });
});

/** This machine's first address that is not loopback, to call the server as another machine would. */
function outsideAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  return undefined;
}

describe('/api/messages without credentials on all interfaces', () => {
  let server: RunningServer;
  let channel: Server;
  let channelUrl: string;
  let calls = 0;
  const outside = outsideAddress();

  beforeAll(async () => {
    channel = createServer((_req, res) => {
      calls++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"r"}');
    });
    await new Promise<void>((r) => channel.listen(0, '127.0.0.1', r));
    channelUrl = `http://127.0.0.1:${(channel.address() as AddressInfo).port}`;
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'server-')),
      KB_SEEDS_DIR: FIXTURE_SEEDS,
      TRUST_PROXY: 'true',
    });
    server = await startServer(config, createLogger('error'));
  });

  afterAll(async () => {
    await server.close();
    await new Promise((r) => channel.close(r));
  });

  const activity = () => ({
    type: 'message',
    id: 'a1',
    text: 'xin chào',
    channelId: 'emulator',
    serviceUrl: channelUrl,
    conversation: { id: 'c1' },
    from: { id: 'u1' },
    recipient: { id: 'bot' },
  });
  const post = (host: string, headers: Record<string, string> = {}) =>
    fetch(`http://${host}:${server.port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(activity()),
    });

  (outside ? it : it.skip)('refuses a caller on another address, whatever serviceUrl it names', async () => {
    const res = await post(outside as string);
    expect(res.status).toBe(403);
    expect(calls).toBe(0);
  });

  it('refuses a request relayed by a proxy on this machine, and takes no header as the caller', async () => {
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
      const res = await post('127.0.0.1', { [header]: '127.0.0.1' });
      expect(res.status).toBe(403);
    }
    expect(calls).toBe(0);
  });

  it('answers a caller on this machine', async () => {
    expect((await post('127.0.0.1')).status).toBe(200);
    expect(calls).toBe(1);
  });
});
