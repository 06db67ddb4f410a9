// Test projects: unit (pure logic), integration (real services), e2e (journeys over HTTP), browser (the web app in
// Chromium), infra (CDK template).
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// What every project shares. Powertools writes log lines straight to stdout, past vitest; POWERTOOLS_DEV sends them
// through `console`, which vitest shows only for a failing test (silent: 'passed-only' below). fauxqs loads
// node:sqlite, whose "experimental" warning would otherwise print once per test file. expect.poll waits for an
// outcome as long as a loaded machine may need (a condition that holds ends the wait at once).
const shared = {
  env: { POWERTOOLS_DEV: 'true' },
  execArgv: ['--disable-warning=ExperimentalWarning'],
  expect: { poll: { timeout: 30_000, interval: 50 } },
};

// The unit, integration and browser files share processes (vitest's isolate: false): a process runs one file after
// another of its project, so Node loads the packages they import (the AWS SDK, pg, ioredis, the mail catcher) once per
// process rather than once per file, which was most of an integration file's CPU before its first test. What the
// files still get anew before each of them: test/support/file-isolation.ts. The setup files run in their listed order
// (file-isolation.ts first). Measured, each project alone: integration 205 -> 118-129 s (366 -> 187-216 CPU-s), unit
// 15 -> 7 s, browser 48 -> 42 CPU-s. Not infra (no gain: its time is the CDK's synthesis) nor e2e (a single file).
const sharedProcess = {
  isolate: false,
  setupFiles: ['test/support/file-isolation.ts'],
  sequence: { setupFiles: 'list' as const },
};

/**
 * The files that take a minute or so each on the 2-core machine, longest first. vitest runs the projects' files in
 * project order (browser, e2e, infra, integration, unit), the largest file first, so long small files started late and
 * ran their last seconds alone. Started first, they run beside the short files. Not the contract fuzzer
 * (test/integration/contract/fuzz.test.ts): beside these at the start of two runs at once, its pass took over its 180 s.
 */
const LONGEST = [
  'test/infra/environments.test.ts',
  'test/browser/journeys.test.ts',
  'test/infra/app.test.ts',
  'test/e2e/dev-runtime.test.ts',
  'test/integration/platform/restart.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const index = LONGEST.findIndex((path) => spec.moduleId.endsWith(path));
      return index === -1 ? LONGEST.length : index;
    };
    // Array.prototype.sort is stable: the other files keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    // One temporary folder for the whole run (every project's files and servers), removed when it ends. vitest runs
    // the projects' global setups first: those that start servers list it too (they share one folder).
    globalSetup: ['test/support/run-temp.ts'],
    // Function logs are printed only for failing tests, where they explain the failure.
    silent: 'passed-only',
    // vitest's default is one worker per core but one, a single worker on 2 cores. An integration file mostly waits
    // for its own servers (PostgreSQL, the emulator, mail, consumers polling), so three files at once keep 2 cores busy.
    maxWorkers: 3,
    sequence: { sequencer: LongestFirst },
    // Test files run in child processes (vitest's default pool, forks): one per file, or shared (sharedProcess above).
    // Worker threads were measured too, set on every project (a project does not take its pool from the root): no
    // faster, and the CDK's bundling cannot run in a thread (it hands esbuild the process's stdio, which a thread has
    // no descriptors for).
    // Transformed modules are kept on disk (node_modules/.experimental-vitest-cache, keyed by content and config), so a
    // module is transformed once for the whole run, whichever file's process asks first; a fresh install starts with an
    // empty cache. Measured from an empty cache: npm test 295 -> 258 s, user CPU 427 -> 366 s.
    experimental: { fsModuleCache: true },
    projects: [
      {
        test: {
          ...shared,
          ...sharedProcess,
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Property tests run hundreds of cases; a loaded machine may take several times the 5 s default.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          ...shared,
          ...sharedProcess,
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // One local process serves a whole burst of buyers from one pool of 10 connections, where on AWS each
          // request has its own environment and pool: on a loaded machine a burst can wait for a connection longer
          // than the 3 s a deployed function allows. These tests judge outcomes (no 5xx, exact counts), not latency.
          env: { ...shared.env, DB_CONNECT_TIMEOUT_MS: '20000' },
          // Every answer of the API a test receives through fetch is checked against the OpenAPI document, as in e2e.
          setupFiles: [...sharedProcess.setupFiles, 'test/support/contract-fetch.ts'],
          globalSetup: ['test/support/run-temp.ts', 'test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          ...shared,
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/run-temp.ts', 'test/support/web-app-setup.ts'],
          // Every answer of the API the journeys receive is checked against the OpenAPI document (API_CONTRACT=off: not).
          setupFiles: ['test/support/contract-fetch.ts'],
          // The journeys start `npm run dev` with Redis and OpenSearch off: no shared servers to set up. One journey
          // starts it three times, each start up to two minutes on a loaded machine.
          testTimeout: 420_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          ...shared,
          ...sharedProcess,
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/support/run-temp.ts', 'test/support/web-app-setup.ts'],
          // The web app in Debian's chromium against the local platform (Redis off: no shared servers to set up).
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          ...shared,
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          setupFiles: ['test/support/cdk-output.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
