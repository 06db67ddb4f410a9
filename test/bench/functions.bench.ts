// The `functions` section: bundle size and cold initialisation time of every function the manifests declare,
// against the targets a Lambda cold start should meet.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { version as esbuildVersion } from 'esbuild';
import { manifests } from '../../functions/manifests';
import { DEFAULT_MEMORY_MB } from '../../layers/common/function-defaults';
import { type BundleResult, bundleFunction, CDK_BUNDLING } from './bundle';
import { type ColdInitSample, lambdaEnvironment, measureColdInit } from './cold-init';
import { type LambdaFunction, lambdaFunctions, ROOT } from './lambda-functions';
import type { BenchSection, Log, SectionOutcome } from './section';
import { kib, type Spread, spread } from './stats';

export const TARGETS = { bundleBytesMax: 300 * 1024, coldInitMsMax: 150 } as const;
const RUNS = 5;
/** The first run of each function waits this long after its import to see late connections and open handles. */
const OBSERVE_MS = 300;
const OUT_DIR = join(ROOT, '.cache', 'bench', 'functions');

interface FunctionReport {
  service: string;
  kind: LambdaFunction['kind'];
  trigger: string;
  handler: string;
  /** Lambda gives CPU in proportion to memory, so this says how much slower than this machine a cold start may be. */
  memoryMb: number;
  bundleBytes?: number;
  bundleKiB?: number;
  coldInitMs?: Spread;
  processStartToReadyMs?: Spread;
  meetsTargets: boolean;
  missedTargets: string[];
  /** Where the bundle's bytes come from (npm package or project folder), largest first. */
  topContributors?: { source: string; bytes: number }[];
  networkAtInit: string[];
  openHandlesAfterInit: string[];
  /** Errors no code handled while initialising (a blocked connection without an error listener, a rejected promise). */
  uncaughtAtInit?: string[];
  outputAtInit?: string;
  error?: string;
  bundleFile?: string;
  analysisFile?: string;
}

const repoPath = (path: string) => relative(ROOT, path);
const unique = (values: Iterable<string>) => [...new Set(values)];

async function run(log: Log): Promise<SectionOutcome> {
  const functions = lambdaFunctions(manifests);
  log(`functions: ${functions.length} declared across ${manifests.length} manifests`);
  await rm(OUT_DIR, { recursive: true, force: true });

  const bundles = new Map<string, BundleResult>();
  const errors = new Map<string, string>();
  const built = await Promise.allSettled(
    functions.map(async (fn) => bundles.set(fn.name, await bundleFunction(fn, join(OUT_DIR, fn.name)))),
  );
  built.forEach((result, index) => {
    const fn = functions[index] as LambdaFunction;
    if (result.status === 'rejected') {
      errors.set(fn.name, `bundle failed: ${(result.reason as Error).message}`);
    }
  });
  log(`functions: bundled ${bundles.size}/${functions.length}`);

  // An empty module through the same harness: the floor under every processStartToReadyMs (Node's own start-up).
  const emptyDir = join(OUT_DIR, '_empty-module');
  await mkdir(emptyDir, { recursive: true });
  await writeFile(join(emptyDir, 'index.mjs'), 'export {};\n');
  const emptyEnv = lambdaEnvironment(
    { name: 'bench.empty', service: 'platform', memoryMb: DEFAULT_MEMORY_MB },
    manifests,
    emptyDir,
  );
  // Discarded: the first spawn pays for reading the Node binary from disk, which no function should be charged.
  await measureColdInit(join(emptyDir, 'index.mjs'), emptyEnv);

  const measurable = functions.filter((fn) => bundles.has(fn.name));
  const samples = new Map<string, ColdInitSample[]>(measurable.map((fn) => [fn.name, []]));
  const baseline: ColdInitSample[] = [];
  // Round-robin rather than five in a row, so a passing hiccup on the machine spreads over functions, not one.
  for (let round = 0; round < RUNS; round++) {
    log(`functions: cold-init round ${round + 1}/${RUNS}`);
    baseline.push(await measureColdInit(join(emptyDir, 'index.mjs'), emptyEnv));
    for (const fn of measurable) {
      const bundle = bundles.get(fn.name) as BundleResult;
      const env = lambdaEnvironment(fn, manifests, join(OUT_DIR, fn.name));
      samples.get(fn.name)?.push(await measureColdInit(bundle.file, env, round === 0 ? OBSERVE_MS : 0));
    }
  }

  const byFunction: Record<string, FunctionReport> = {};
  const findings: string[] = [];
  for (const fn of functions) {
    const report = describe(fn, bundles.get(fn.name), samples.get(fn.name) ?? [], errors.get(fn.name));
    byFunction[fn.name] = report;
    findings.push(...findingsOf(fn.name, report));
  }

  const reports = Object.entries(byFunction);
  const worst = (value: (report: FunctionReport) => number | undefined) =>
    reports
      .filter(([, report]) => value(report) !== undefined)
      .sort(([, a], [, b]) => (value(b) as number) - (value(a) as number))[0];
  const worstBundle = worst((report) => report.bundleBytes);
  const worstColdInit = worst((report) => report.coldInitMs?.median);
  const allMeetTargets = reports.every(([, report]) => report.meetsTargets);

  return {
    summary: {
      functions: functions.length,
      allMeetTargets,
      worstBundle: worstBundle && { function: worstBundle[0], bundleBytes: worstBundle[1].bundleBytes },
      worstColdInit: worstColdInit && {
        function: worstColdInit[0],
        coldInitMs: worstColdInit[1].coldInitMs?.median,
      },
    },
    details: {
      targets: TARGETS,
      method: {
        runsPerFunction: RUNS,
        statistic: 'median of the runs; min and max beside it',
        esbuild: esbuildVersion,
        bundling: { ...CDK_BUNDLING, absWorkingDir: undefined },
        sizeExcludes: 'the source map (index.mjs.map)',
        environment:
          'Lambda runtime variables, NODE_OPTIONS=--enable-source-maps as infra-cdk sets, dummy binds',
        network: 'every connection attempt during initialisation is blocked and listed in networkAtInit',
      },
      emptyModuleBaseline: {
        coldInitMs: spread(baseline.map((sample) => sample.coldInitMs)),
        processStartToReadyMs: spread(baseline.map((sample) => sample.processStartToReadyMs)),
      },
      findings,
      byFunction,
    },
    failed: reports.some(([, report]) => report.error !== undefined),
  };
}

function describe(
  fn: LambdaFunction,
  bundle: BundleResult | undefined,
  samples: ColdInitSample[],
  bundleError: string | undefined,
): FunctionReport {
  const base = {
    service: fn.service,
    kind: fn.kind,
    trigger: fn.trigger,
    handler: repoPath(fn.entry),
    memoryMb: fn.memoryMb,
  };
  const sampleError = samples.find((sample) => sample.error)?.error;
  const error = bundleError ?? (sampleError && `import failed: ${sampleError}`);
  const coldInitMs =
    error || samples.length === 0 ? undefined : spread(samples.map((sample) => sample.coldInitMs));
  const missedTargets: string[] = [];
  if (!bundle || bundle.bytes > TARGETS.bundleBytesMax) missedTargets.push('bundleBytes');
  if (!coldInitMs || coldInitMs.median > TARGETS.coldInitMsMax) missedTargets.push('coldInitMs');
  const outputAtInit = samples[0]?.output;
  const uncaughtAtInit = unique(samples.flatMap((sample) => sample.uncaught));
  return {
    ...base,
    bundleBytes: bundle?.bytes,
    bundleKiB: bundle && kib(bundle.bytes),
    coldInitMs,
    processStartToReadyMs: coldInitMs && spread(samples.map((sample) => sample.processStartToReadyMs)),
    meetsTargets: missedTargets.length === 0,
    missedTargets,
    topContributors: bundle?.topContributors,
    networkAtInit: unique(samples.flatMap((sample) => sample.network)),
    openHandlesAfterInit: samples[0]?.activeResources ?? [],
    ...(uncaughtAtInit.length > 0 ? { uncaughtAtInit } : {}),
    ...(outputAtInit ? { outputAtInit } : {}),
    ...(error ? { error } : {}),
    bundleFile: bundle && repoPath(bundle.file),
    analysisFile: bundle && repoPath(bundle.analysisFile),
  };
}

/** Plain sentences for whoever reads the report: what missed, and what a module does at init that it should not. */
function findingsOf(name: string, report: FunctionReport): string[] {
  const findings: string[] = [];
  if (report.error) findings.push(`${name}: ${report.error}`);
  if (report.bundleBytes !== undefined && report.missedTargets.includes('bundleBytes')) {
    const top = (report.topContributors ?? [])
      .slice(0, 4)
      .map((entry) => `${entry.source} ${kib(entry.bytes)} KiB`)
      .join(', ');
    findings.push(
      `${name}: bundle ${report.bundleKiB} KiB is over ${kib(TARGETS.bundleBytesMax)} KiB; largest parts: ${top}`,
    );
  }
  if (report.coldInitMs && report.missedTargets.includes('coldInitMs')) {
    findings.push(
      `${name}: cold init median ${report.coldInitMs.median} ms is over ${TARGETS.coldInitMsMax} ms`,
    );
  }
  if (report.networkAtInit.length > 0) {
    findings.push(
      `${name}: opens network connections while initialising (blocked): ${report.networkAtInit.join(', ')}`,
    );
  }
  if (report.uncaughtAtInit) {
    findings.push(`${name}: errors nobody handles while initialising: ${report.uncaughtAtInit.join('; ')}`);
  }
  if (report.openHandlesAfterInit.length > 0) {
    findings.push(
      `${name}: leaves handles open after initialising: ${report.openHandlesAfterInit.join(', ')}`,
    );
  }
  return findings;
}

export const functionsSection: BenchSection = {
  name: 'functions',
  description: 'Bundle size and cold initialisation time of every manifest function',
  run,
};
