// `npm run dev` as a child process the fault suite can crash: free ports and a data folder that stay the same across
// restarts (so a restart finds the queues, mail and PostgreSQL a crash left), and the pids to kill.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../local/platform';
import { alive } from '../../local/postgres';
import { devPortsEnv, platformPorts } from '../support/ports';
import { collectOutput, hasExited, waitForReady } from '../support/processes';

export interface HealthReport {
  status: string;
  dependencies: Record<string, { status: string; detail?: string }>;
}

export interface ChaosRuntime {
  apiUrl: string;
  mailUrl: string;
  databaseUrl(service: string): string;
  /** Answers the health report, or undefined while the runtime does not answer. */
  health(): Promise<HealthReport | undefined>;
  /** Starts it (again), on the same ports and data, and waits until it serves. */
  start(): Promise<void>;
  /** kill -9 of the runtime's own process only: its PostgreSQL is left running, as after a crash. */
  crash(): Promise<void>;
  /** kill -9 of its PostgreSQL's postmaster. */
  killPostgres(): void;
  /** Its PostgreSQL frozen (SIGSTOP to the server and its backends) or thawed (SIGCONT): a stalled database. */
  signalPostgres(signal: 'SIGSTOP' | 'SIGCONT'): void;
  /** Takes its mail catcher down, or brings it back (SIGUSR2, see local/dev.ts). */
  toggleMail(): void;
  /** Its last lines of output, to explain a failure. */
  output(): string;
  child(): ChildProcess;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 180_000;

export async function chaosRuntime(options: { dataDir: string; env: Record<string, string> }) {
  const ports = await platformPorts();
  const apiUrl = `http://localhost:${ports.api}`;
  const lines: string[] = [];
  let proc: ChildProcess | undefined;
  const postmasterPid = () =>
    Number(readFileSync(join(options.dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const current = () => {
    if (!proc) throw new Error('the runtime is not running');
    return proc;
  };

  const health = async (): Promise<HealthReport | undefined> => {
    try {
      const response = await fetch(`${apiUrl}/v1/health`, { signal: AbortSignal.timeout(5_000) });
      return (await response.json()) as HealthReport;
    } catch {
      return undefined;
    }
  };

  const runtime: ChaosRuntime = {
    apiUrl,
    mailUrl: `http://localhost:${ports.mailUi}`,
    databaseUrl: (service) => `postgres://${service}:${service}-local@127.0.0.1:${ports.postgres}/${service}`,
    health,
    start: async () => {
      // What `npm run dev` runs, in its own process group so nothing it starts outlives the suite's last stop.
      proc = spawn(process.execPath, ['--import', 'tsx', 'local/dev.ts'], {
        cwd: ROOT,
        detached: true,
        env: { ...process.env, ...devPortsEnv(ports), LOCAL_DATA_DIR: options.dataDir, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      collectOutput(proc, lines, 80);
      const serving = async () => {
        const report = await health();
        return report?.dependencies && report.status !== 'unavailable' ? true : 'no database answers yet';
      };
      await waitForReady(proc, serving, {
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 250,
      });
    },
    crash: async () => {
      const child = current();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    killPostgres: () => process.kill(postmasterPid(), 'SIGKILL'),
    signalPostgres: (signal) => {
      const postmaster = postmasterPid();
      const backends = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' })
        .split('\n')
        .map(Number)
        .filter((pid) => pid > 0);
      for (const pid of [postmaster, ...backends]) process.kill(pid, signal);
    },
    toggleMail: () => current().kill('SIGUSR2'),
    output: () => lines.join('\n'),
    child: current,
    stop: async () => {
      const child = proc;
      if (child?.pid && !hasExited(child)) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      // A runtime that had to be killed leaves its PostgreSQL behind: the suite started it, so it stops it.
      try {
        const pid = postmasterPid();
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      } catch {
        // no pid file: PostgreSQL stopped cleanly
      }
    },
  };
  return runtime;
}
