#!/usr/bin/env node
/**
 * Compile the TypeScript only when a source is newer than the last build,
 * so `npm run ask` and the other CLIs start in about a second after the
 * first call instead of running `tsc` every time. The stamp is written
 * after a successful build; a failed build leaves it out of date.
 *
 * Then writes the web chat bundle's compressed copies when they are missing
 * or out of date (scripts/precompress-webchat.js).
 *
 * Usage: node scripts/build-if-stale.js [--force]   (exits with tsc's status)
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.build-stamp');
/** What the build reads: the folders tsconfig.build.json includes, and the configs themselves. */
const inputs = [
  'app',
  'bot',
  'core',
  'knowledge',
  'benchmarks',
  'storage',
  'hotline',
  'channels',
  'tests/support',
];
const configs = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** Newest modification time (ms) of the .ts/.json files below `dir`. */
function newest(dir) {
  let latest = 0;
  if (!existsSync(dir)) return latest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'public') latest = Math.max(latest, newest(full));
    } else if (/\.(ts|json)$/.test(entry.name)) {
      latest = Math.max(latest, statSync(full).mtimeMs);
    }
  }
  return latest;
}

function stale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const sources = Math.max(
    ...inputs.map((d) => newest(join(root, d))),
    ...configs.map((f) => (existsSync(join(root, f)) ? statSync(join(root, f)).mtimeMs : 0)),
  );
  return sources > built;
}

if (process.argv.includes('--force') || stale()) {
  const started = Date.now();
  try {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
  } catch (e) {
    process.exit(typeof e.status === 'number' ? e.status : 1);
  }
  mkdirSync(join(root, 'dist'), { recursive: true });
  // Train the classifiers on the repository's knowledge base into dist/models, so that a
  // built tree starts without training (bot/cli/pretrain.ts). A failure only costs that.
  try {
    execFileSync(process.execPath, [join(root, 'dist/bot/cli/pretrain.js')], {
      cwd: root,
      stdio: 'inherit',
    });
  } catch {
    console.error('build: the models were not pretrained; the server will train them as it starts');
  }
  writeFileSync(stamp, new Date().toISOString() + '\n');
  if (process.env.BUILD_VERBOSE) console.error(`build: compiled in ${Date.now() - started} ms`);
}
// The web chat bundle's gzip and brotli copies (nothing to do when they match the installed bundle).
require('./precompress-webchat.js');
