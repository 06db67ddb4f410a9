// `npm run bench`: runs the bench sections and prints one JSON report on stdout; progress goes to stderr.
// `--only functions` (repeatable, or comma-separated) runs just those sections.
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { functionsSection } from './functions.bench';
import type { BenchSection, SectionSummary } from './section';

/** In report order. A new bench (the flash-sale load test...) is one module and one line here. */
const SECTIONS: readonly BenchSection[] = [functionsSection];

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

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
    throw new Error(
      `Unknown section ${unknown.join(', ')}; known: ${SECTIONS.map((section) => section.name).join(', ')}`,
    );
  }
  return SECTIONS.filter((section) => wanted.includes(section.name));
}

async function main(): Promise<number> {
  const sections = selectedSections();
  const processors = cpus();
  const report: Record<string, unknown> = {
    generatedAt: new Date().toISOString(),
    machine: {
      cpus: processors.length,
      cpuModel: processors[0]?.model.trim(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      memoryMiB: Math.round(totalmem() / 2 ** 20),
      // Timings are only comparable between runs on a quiet machine; this says how quiet it was.
      loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    },
  };
  const summary: Record<string, SectionSummary | boolean> = {};
  let failed = false;
  for (const section of sections) {
    const started = performance.now();
    log(`${section.name}: ${section.description}`);
    const outcome = await section.run(log);
    log(`${section.name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    summary[section.name] = outcome.summary;
    report[section.name] = outcome.details;
    failed ||= outcome.failed;
  }
  report.summary = {
    allMeetTargets: Object.values(summary).every(
      (entry) => typeof entry === 'boolean' || entry.allMeetTargets,
    ),
    ...summary,
  };
  // Summary right after machine, so the first screen of the report answers "are we within targets?".
  const { generatedAt, machine, summary: top, ...details } = report;
  process.stdout.write(`${JSON.stringify({ generatedAt, machine, summary: top, ...details }, null, 2)}\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 2;
  },
);
