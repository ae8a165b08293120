/**
 * Three tiers, one folder each under tests/ (the folder says the tier):
 * - unit: no database server, no browser, no build (ts-jest transpiles);
 * - integration: compiled CLIs, SQLite and a PostgreSQL cluster that the
 *   tier's global setup starts on loopback (tests/support/postgres.ts);
 * - e2e: the official Web Chat and the console in a real Chromium.
 * `npm test` runs all three; `npm run test:unit` (etc.) one of them.
 * @type {import('jest').Config}
 */
const tier = (name, extra = {}) => ({
  displayName: name,
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: [`<rootDir>/tests/${name}`],
  testMatch: ['**/*.test.ts'],
  ...extra,
});

module.exports = {
  // Tests that start processes or browsers need more than the default 5 s.
  testTimeout: 60000,
  projects: [
    tier('unit'),
    tier('integration', {
      globalSetup: '<rootDir>/tests/global-setup.js',
      globalTeardown: '<rootDir>/tests/global-teardown.js',
    }),
    tier('e2e'),
  ],
};
