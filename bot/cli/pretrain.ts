/**
 * Run by the build (`scripts/build-if-stale.js` after compiling): train the
 * assistant's classifiers (router, triage, field model) on the configured
 * knowledge base into dist/models, so that a built tree starts without
 * training. The files are keyed by a hash of their training data and
 * options, like the cache in MODEL_CACHE_DIR: after the seeds change the
 * server trains (and caches) again until the next build. It also writes
 * `keys.json`, each model's key by its raw examples, so that a start on
 * unchanged seeds finds its models without preparing every example.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { prebuiltKeysFile } from '../../knowledge/classifier';
import { Assistant } from '../assistant';
import { loadConfiguredKnowledge } from '../kb';

const dir = join(__dirname, '..', '..', 'models');
mkdirSync(dir, { recursive: true });
// Read by the classifier when it saves a model (not at import).
process.env.MODEL_CACHE_DIR = dir;
const started = performance.now();
// The record of training keys by raw examples is this build's alone: the previous one's may be
// from other code.
prebuiltKeysFile.forget(dir);
new Assistant(loadConfiguredKnowledge());
prebuiltKeysFile.write(dir);
if (process.env.BUILD_VERBOSE)
  console.error(`pretrain: models in ${dir} (${Math.round(performance.now() - started)} ms)`);
