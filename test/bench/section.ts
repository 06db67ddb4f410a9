// The contract between `npm run bench` and each bench module: a named section that measures something and returns
// a summary (hoisted to the top of the report) and its details.

export type Log = (message: string) => void;

export interface SectionSummary {
  /** Whether everything this section measured is within its targets. */
  allMeetTargets: boolean;
  [key: string]: unknown;
}

export interface SectionOutcome {
  summary: SectionSummary;
  details: Record<string, unknown>;
  /** Something could not be measured at all (a build or an import failed); the run exits non-zero. */
  failed: boolean;
}

export interface BenchSection {
  /** Key of the section in the JSON report and the value `--only` takes. */
  name: string;
  description: string;
  run(log: Log): Promise<SectionOutcome>;
}
