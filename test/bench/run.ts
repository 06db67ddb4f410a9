// `npm run bench`: runs the bench sections and prints one JSON report on stdout; progress goes to stderr.
// `--only functions` (repeatable, or comma-separated) runs just those sections.
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { apiWorkerCount } from '../../local/api-workers';
import { flashSaleSection } from './flash-sale.bench';
import { functionsSection } from './functions.bench';
import type { BenchSection, SectionSummary } from './section';

/** In report order. A new bench (the flash-sale load test...) is one module and one line here. */
const SECTIONS: readonly BenchSection[] = [
  functionsSection,
  flashSaleSection,
  (await import('./paid-flash-sale.bench')).paidFlashSaleSection,
  (await import('./event-page.bench')).eventPageSection,
  (await import('./search.bench')).searchSection,
  (await import('./metrics.bench')).metricsSection,
  (await import('./web.bench')).webSection,
  (await import('./check-in.bench')).checkInSection,
  // Opt-in (BENCH_SOAK_MINUTES): skipped unless asked for.
  (await import('./soak.bench')).soakSection,
];

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** A mistake on the command line: worth one line, not a stack trace. */
class UsageError extends Error {}

function selectedSections(): BenchSection[] {
  const { values } = parseArgs({
    options: { only: { type: 'string', multiple: true }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stderr.write(
      `Usage: npm run bench [-- --only <section>[,<section>]]\nSections:\n${SECTIONS.map((section) => `  ${section.name}  ${section.description}`).join('\n')}\n`,
    );
    process.exit(0);
  }
  const wanted = (values.only ?? []).flatMap((value) => value.split(',')).map((value) => value.trim());
  if (wanted.length === 0) return [...SECTIONS];
  const unknown = wanted.filter((name) => !SECTIONS.some((section) => section.name === name));
  if (unknown.length > 0) {
    throw new UsageError(
      `Unknown section ${unknown.join(', ')}; known: ${SECTIONS.map((section) => section.name).join(', ')}`,
    );
  }
  return SECTIONS.filter((section) => wanted.includes(section.name));
}

async function main(): Promise<number> {
  const sections = selectedSections();
  const processors = cpus();
  const machine = {
    cpus: processors.length,
    cpuModel: processors[0]?.model.trim(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    // The API processes of the benched runtimes (`npm run dev`'s LOCAL_WORKERS).
    apiWorkers: apiWorkerCount(),
    // Timings only compare between runs on a quiet machine; this says how quiet it was.
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
  const generatedAt = new Date().toISOString();
  const summaries: Record<string, SectionSummary> = {};
  const details: Record<string, unknown> = {};
  let failed = false;
  for (const section of sections) {
    const started = performance.now();
    log(`${section.name}: ${section.description}`);
    const outcome = await section.run(log);
    log(`${section.name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    summaries[section.name] = outcome.summary;
    details[section.name] = outcome.details;
    failed ||= outcome.failed;
  }
  // Summaries come before the details, so the first screen of the report answers "are we within targets?".
  const summary = {
    allMeetTargets: Object.values(summaries).every((entry) => entry.allMeetTargets),
    ...summaries,
  };
  process.stdout.write(`${JSON.stringify({ generatedAt, machine, summary, ...details }, null, 2)}\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(
      error instanceof UsageError
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error),
    );
    process.exitCode = 2;
  },
);
