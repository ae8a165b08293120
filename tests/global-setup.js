// Command-line tests run the compiled CLIs, as `npm run ask` does: build when
// the sources are newer than dist/ (scripts/build-if-stale.js).
// Then start the run's own PostgreSQL cluster on loopback, on a free port
// unless TEST_PG_PORT names one (tests/support/postgres.ts): every test file
// makes its own database in it.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async function globalSetup() {
  const root = join(__dirname, '..');
  // The run makes more models than a server's cache keeps (12): the fixture's, the real knowledge base's
  // and those of suites that reload with added examples. A suite whose models were pushed out trains
  // them again under the run's load (a browser test took 272 s instead of 10), so keep them all.
  process.env.MODEL_CACHE_MODELS = process.env.MODEL_CACHE_MODELS ?? '60';
  execFileSync(process.execPath, [join(root, 'scripts/build-if-stale.js')], { cwd: root, stdio: 'inherit' });
  // Train the test knowledge base's classifiers once, into the model cache every test process reads
  // (MODEL_CACHE_DIR): otherwise the first servers of a fresh clone train them at the same time, on
  // two cores shared with the other suites, and a test's 60 s can run out before its first answer.
  execFileSync(
    process.execPath,
    [
      '-e',
      "new (require('./dist/bot/assistant').Assistant)(require('./dist/bot/kb').loadConfiguredKnowledge())",
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, KB_SEEDS_DIR: join(root, 'tests', 'fixtures', 'seeds') },
    },
  );
  const { startCluster } = require(join(root, 'dist/tests/support/postgres.js'));
  const cluster = await startCluster(Number(process.env.TEST_PG_PORT) || undefined);
  globalThis.__POSTGRES_CLUSTER__ = cluster;
  process.env.TEST_POSTGRES_URL = cluster.url();
};
