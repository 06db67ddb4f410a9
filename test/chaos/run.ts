// `npm run chaos`: the fault suite. One `npm run dev` runtime in a child process (free ports, a throwaway data
// folder), and for each fault a fresh event put on sale and bought under a steady load of buyers who retry with the
// same Idempotency-Key; after it, every buyer's answer is compared with the tickets database and the mail catcher.
// Prints a JSON table; exits non-zero when any order is lost, duplicated or oversold, or a confirmation email is
// missing. `npm run chaos -- --short` runs the two scenarios CI runs; `-- --only <words>` those whose name has them. Localhost only, bounded in count and time.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seedEvent } from '../bench/flash-sale.bench';
import { startOpenSearch } from '../support/opensearch-server';
import { freePort } from '../support/ports';
import { findOnPath, waitForReady } from '../support/processes';
import { type RedisServer, startRedis } from '../support/redis-server';
import { startTestIssuer } from '../support/tokens';
import { mailCounts, pg, purchaseLoad, readLedger } from './load';
import { type ChaosRuntime, chaosRuntime, type HealthReport } from './runtime';
import { type CuttableLink, cuttableLink, type FaultContext, SCENARIOS, type Scenario } from './scenarios';

const { values } = parseArgs({
  options: { short: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const short = values.short;
/** Load per scenario: buyers arrive over `buyers / perSecond` seconds for fewer seats, so the tier sells out. */
const LOAD = short ? { buyers: 120, perSecond: 12, seats: 80 } : { buyers: 300, perSecond: 15, seats: 200 };
/** The fault strikes this far into the arrivals. */
const FAULT_AFTER_MS = short ? 3_000 : 6_000;
const PATIENCE_MS = 90_000;
const RECOVERY_TIMEOUT_MS = 120_000;
const EMAIL_TIMEOUT_MS = 120_000;
/** The whole suite stops by itself after this, whatever happens. */
const SUITE_DEADLINE_MS = short ? 6 * 60_000 : 30 * 60_000;

const log = (message: string) => process.stderr.write(`[chaos] ${message}\n`);

/** The dependencies up at baseline are up again, and the overall status is back. */
const backToBaseline = (baseline: HealthReport, now: HealthReport | undefined) =>
  now?.status === baseline.status &&
  Object.entries(baseline.dependencies).every(
    ([name, dependency]) => dependency.status !== 'up' || now.dependencies[name]?.status === 'up',
  );

async function runScenario(scenario: Scenario, context: FaultContext, baseline: HealthReport) {
  const { runtime } = context;
  const tickets = new pg.Client({ connectionString: runtime.databaseUrl('tickets') });
  await tickets.connect();
  const onSale = await seedEvent(tickets, LOAD.seats);
  // Free seats: an order is confirmed (and its email sent) at once, with no payment step to wait for.
  await tickets.query('UPDATE tiers SET price = 0 WHERE tier_id = $1', [onSale.tierId]);
  await tickets.end();
  const load = purchaseLoad({ apiUrl: runtime.apiUrl, issuer, onSale, ...LOAD, patienceMs: PATIENCE_MS });
  await new Promise((resolve) => setTimeout(resolve, FAULT_AFTER_MS));

  log(`${scenario.name}: fault`);
  const { repairedAt, detail, wrongAnswers = 0 } = await scenario.fault(context);
  // By default a fault is over when a buyer gets a final answer after the repair (or none is left waiting for one).
  const recovered = scenario.recovered ?? (async () => load.lastAnswer() > repairedAt || load.finished());
  let recoveryMs: number | null = null;
  try {
    await waitForReady(
      runtime.child(),
      async () =>
        (backToBaseline(baseline, await runtime.health()) && (await recovered(context))) || 'not yet',
      { timeoutMs: RECOVERY_TIMEOUT_MS, intervalMs: 250 },
    );
    recoveryMs = Date.now() - repairedAt;
  } catch (error) {
    log(`${scenario.name}: not recovered: ${(error as Error).message}`);
  }

  const outcomes = await load.done;
  const reopened = new pg.Client({ connectionString: runtime.databaseUrl('tickets') });
  await reopened.connect();
  const ledger = await readLedger(reopened, onSale, outcomes).finally(() => reopened.end());
  const buyers = [...ledger.buyerEmails.values()];
  let mails = new Map<string, number>();
  const allMailed = async () => {
    mails = await mailCounts(runtime.mailUrl);
    return buyers.every((email) => (mails.get(email) ?? 0) > 0) || 'emails missing';
  };
  // How long after the repair the last confirmation arrived (null: some never did within the wait).
  const emailsAfterRepairMs = await waitForReady(runtime.child(), allMailed, {
    timeoutMs: EMAIL_TIMEOUT_MS,
    intervalMs: 1_000,
  }).then(
    () => Date.now() - repairedAt,
    () => null,
  );
  const sent = buyers.reduce((sum, email) => sum + Math.min(1, mails.get(email) ?? 0), 0);
  const extra = buyers.reduce((sum, email) => sum + Math.max(0, (mails.get(email) ?? 0) - 1), 0);
  const { buyerEmails: _, ...counts } = ledger;
  return {
    scenario: scenario.name,
    ...counts,
    soldOut: outcomes.filter((outcome) => outcome.status === 409).length,
    emailsSent: sent,
    missingEmails: ledger.confirmed - sent,
    duplicateEmails: extra,
    wrongAnswers,
    recoveryMs,
    emailsAfterRepairMs,
    ...(detail ? { detail } : {}),
  };
}

type Row =
  | Awaited<ReturnType<typeof runScenario>>
  | { scenario: string; skipped: string }
  | { scenario: 'suite'; error: string };
const failed = (row: Row) =>
  row.scenario === 'suite' ||
  ('lost' in row &&
    (row.lost > 0 ||
      row.duplicated > 0 ||
      row.oversold > 0 ||
      row.duplicateCodes > 0 ||
      row.missingEmails > 0 ||
      row.wrongAnswers > 0));

const issuer = await startTestIssuer();
const dataDir = mkdtempSync(join(tmpdir(), 'tol-chaos-'));
let runtime: ChaosRuntime | undefined;
let redis: RedisServer | undefined;
let openSearchServer: Awaited<ReturnType<typeof startOpenSearch>> | undefined;
let openSearch: CuttableLink | undefined;
let cleaning: Promise<void> | undefined;
const cleanUp = () => (cleaning ??= stopEverything());
const stopEverything = async () => {
  await runtime?.stop().catch(() => undefined);
  await openSearch?.close().catch(() => undefined);
  await openSearchServer?.stop().catch(() => undefined);
  await redis?.stop().catch(() => undefined);
  await issuer.close();
  rmSync(dataDir, { recursive: true, force: true });
};
const deadline = setTimeout(() => {
  log(`the suite did not end within ${SUITE_DEADLINE_MS / 60_000} min: stopping`);
  void cleanUp().finally(() => process.exit(2));
}, SUITE_DEADLINE_MS);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

/** `--only <words>`: the scenarios whose name contains them. */
const chosen = SCENARIOS.filter(
  (scenario) => (!short || scenario.short) && (!values.only || scenario.name.includes(values.only)),
);
const rows: Row[] = [];
try {
  if (chosen.some((scenario) => scenario.needs === 'redis') && (await findOnPath('redis-server')))
    redis = await startRedis();
  if (chosen.some((scenario) => scenario.needs === 'openSearch')) {
    openSearchServer = await startOpenSearch().catch((error: Error) => {
      log(`no OpenSearch: ${error.message}`);
      return undefined;
    });
    if (openSearchServer) openSearch = await cuttableLink(new URL(openSearchServer.url), await freePort());
  }
  runtime = await chaosRuntime({
    dataDir,
    env: {
      JWT_JWKS_URL: issuer.jwksUrl,
      REDIS_URL: redis?.url ?? 'off',
      OPENSEARCH_URL: openSearch?.url ?? '',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      // The suite signs its accounts up from one address, and a sign-up that runs out of time on a loaded machine
      // still counts against the limit (10 an hour): the sign-up limit is not what it tests.
      RATE_LIMIT_REGISTER_IP: '100/3600',
    },
  });
  log(`starting the runtime (data in ${dataDir})`);
  await runtime.start();
  const baseline = (await runtime.health()) as HealthReport;
  const context: FaultContext = { runtime, redis, openSearch, short };
  for (const scenario of chosen) {
    if ((scenario.needs === 'redis' && !redis) || (scenario.needs === 'openSearch' && !openSearch)) {
      rows.push({
        scenario: scenario.name,
        skipped: `${scenario.needs} is not installed (bash .ci/provision)`,
      });
      continue;
    }
    const row = await runScenario(scenario, context, baseline);
    log(`${scenario.name}: ${JSON.stringify(row)}`);
    rows.push(row);
  }
} catch (error) {
  const output = (runtime?.output() ?? '').split('\n').map((line) => line.slice(0, 2_000));
  log(`the suite failed: ${(error as Error).stack}\n--- runtime output ---\n${output.join('\n')}`);
  rows.push({ scenario: 'suite', error: (error as Error).message });
  process.exitCode = 2;
} finally {
  clearTimeout(deadline);
  await cleanUp();
}
const ok = rows.every((row) => !failed(row));
process.stdout.write(
  `${JSON.stringify({ short, machine: { cpus: cpus().length, loadAverage: loadavg().map((n) => Math.round(n * 10) / 10) }, load: LOAD, ok, scenarios: rows }, null, 2)}\n`,
);
if (!ok) process.exitCode = 1;
