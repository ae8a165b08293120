#!/usr/bin/env node
/**
 * Write the Web Chat bundle's compressed copies for the server
 * (`channels/webchat/assets.ts`): dist/webchat/webchat.<hash>.js, .js.gz
 * (gzip level 9) and .js.br (brotli quality 11), and manifest.json naming
 * them with the bundle's size and modification time. Nothing is done when
 * the manifest already matches the installed bundle. Run by the build.
 */
'use strict';
const { createHash } = require('node:crypto');
const {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} = require('node:fs');
const { join } = require('node:path');
const zlib = require('node:zlib');

const root = join(__dirname, '..');
const source = join(root, 'node_modules', 'botframework-webchat', 'dist', 'webchat.js');
const dir = join(root, 'dist', 'webchat');
const manifestPath = join(dir, 'manifest.json');

function main() {
  if (!existsSync(source)) return; // not installed: the server says so when it starts
  const stat = statSync(source);
  if (existsSync(manifestPath)) {
    try {
      const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
      if (m.version === 1 && m.size === stat.size && m.mtimeMs === stat.mtimeMs) return;
    } catch {
      /* rewrite it */
    }
  }
  const started = Date.now();
  const data = readFileSync(source);
  const hash = createHash('sha256').update(data).digest('hex').slice(0, 16);
  const name = `webchat.${hash}.js`;
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) rmSync(join(dir, f), { force: true });
  const write = (file, body) => {
    const tmp = join(dir, `${file}.${process.pid}.tmp`);
    writeFileSync(tmp, body);
    renameSync(tmp, join(dir, file));
  };
  write(name, data);
  write(`${name}.gz`, zlib.gzipSync(data, { level: 9 }));
  write(
    `${name}.br`,
    zlib.brotliCompressSync(data, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }),
  );
  write(
    'manifest.json',
    JSON.stringify({
      version: 1,
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      hash,
      identity: name,
      gzip: `${name}.gz`,
      br: `${name}.br`,
    }) + '\n',
  );
  if (process.env.BUILD_VERBOSE) console.error(`precompress: web chat bundle in ${Date.now() - started} ms`);
}

main();
