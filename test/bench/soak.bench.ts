// Soak: the flash-sale bench's browse-and-buy mix at 400 requests/s, one minute after another for BENCH_SOAK_MINUTES
// (10 for the real thing), through one `npm run dev` runtime; after each minute its p99, its errors and the runtime's
// memory. Flat memory and a steady p99 are the target: what load leaves behind (timers, pools, caches, work that
// outlived its request) shows as growth. Opt-in: without BENCH_SOAK_MINUTES the section is skipped.
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { type DevProcess, withBenchPlatform } from './dev-process';
import { mix } from './flash-sale.bench';
import type { BenchSection, SectionOutcome } from './section';

const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 0);
const RATE = Number(process.env.BENCH_SOAK_RATE ?? 400);
/** Memory after the last minute over memory after the first (once warm), and the same for p99. */
const TARGETS = { memoryGrowthMax: 1.2, p99GrowthMax: 2, errors: 0 };

/** Resident memory of the runtime's Node.js processes (its process group; PostgreSQL's own not counted), in MiB. */
function runtimeRssMiB(platform: DevProcess): number {
  const listing = execFileSync('ps', ['-o', 'rss=,comm=', '-g', String(platform.child.pid)], {
    encoding: 'utf8',
  });
  const kib = listing
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, command]) => command === 'node')
    .reduce((sum, [rss]) => sum + Number(rss), 0);
  return Math.round(kib / 1024);
}

export const soakSection: BenchSection = {
  name: 'soak',
  description: `opt-in (BENCH_SOAK_MINUTES=10): the ${RATE} requests/s mix minute after minute, with memory and p99 per minute`,
  async run(log): Promise<SectionOutcome> {
    if (!MINUTES)
      return {
        summary: {
          allMeetTargets: true,
          skipped: 'BENCH_SOAK_MINUTES=10 npm run bench -- --only soak runs it',
        },
        details: {},
        failed: false,
      };
    return withBenchPlatform({ label: 'soak', log, connections: 512, ephemeral: true }, async (platform) => {
      const db = new pg.Client({ connectionString: platform.databaseUrl('tickets') });
      await db.connect();
      const minutes = [];
      try {
        for (let minute = 1; minute <= MINUTES; minute++) {
          const run = await mix(platform, db, platform.sign, () => undefined, { rate: RATE, seconds: 60 });
          const row = {
            minute,
            achievedRate: run.achievedRate,
            p99Ms: run.p99Ms,
            errors: run.errors,
            rssMiB: runtimeRssMiB(platform),
          };
          log(`soak: ${JSON.stringify(row)}`);
          minutes.push(row);
        }
      } finally {
        await db.end();
      }
      // The first minute loads handlers and fills pools and caches: growth is judged from the second on.
      const warm = minutes[Math.min(1, minutes.length - 1)];
      const last = minutes.at(-1);
      const memoryGrowth = warm && last ? Math.round((last.rssMiB / warm.rssMiB) * 100) / 100 : 0;
      const p99Growth = warm && last ? Math.round((last.p99Ms / Math.max(1, warm.p99Ms)) * 100) / 100 : 0;
      const errors = minutes.reduce((sum, row) => sum + row.errors, 0);
      return {
        summary: {
          allMeetTargets:
            memoryGrowth <= TARGETS.memoryGrowthMax &&
            p99Growth <= TARGETS.p99GrowthMax &&
            errors === TARGETS.errors,
          memoryGrowth,
          p99Growth,
          errors,
        },
        details: { targets: TARGETS, rate: RATE, minutes },
        failed: false,
      };
    });
  },
};
