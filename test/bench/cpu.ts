// Where the machine's CPU went during a stretch of a bench (issue 20: "know where the time goes"): the CPU time of
// every process on the machine, read from /proc at the stretch's start and end, summed by role. The runtime's
// processes are those of its process group (spawnDev starts it as one) and their children: its API workers (node:cluster forks, told by
// LOCAL_API_WORKER in their environment), PostgreSQL's server processes, and the rest (the primary: queue consumers,
// the AWS emulator, the mail catcher, the invoke API; and the tsx launcher). The bench's own process is the load
// generator (its HTTP clients and the JSON they parse); its Redis is counted apart; the kernel's own threads (network
// softirqs among them) are `kernel`; whatever else ran is `other` (another program sharing the machine). A process that exited within the stretch is not counted. Linux only: elsewhere
// the readings are empty.
import { readdirSync, readFileSync } from 'node:fs';

export type CpuRole =
  | 'apiWorkers'
  | 'runtimePrimary'
  | 'postgres'
  | 'redis'
  | 'benchClient'
  | 'kernel'
  | 'other';

/** CPU seconds used so far by each live process, with its role. */
export type CpuReading = Map<number, { role: CpuRole; seconds: number }>;

/** Clock ticks per second of /proc/<pid>/stat's times: 100 on every Linux build Node ships for. */
const TICKS_PER_SECOND = 100;

interface ProcessStat {
  comm: string;
  ppid: number;
  group: number;
  seconds: number;
}

/** Whether `pid` or one of its ancestors is in the runtime's process group (PostgreSQL's servers run in their own). */
function inRuntime(pid: number, stats: Map<number, ProcessStat>, platformGroup: number): boolean {
  for (let at = stats.get(pid), hops = 0; at && hops < 16; at = stats.get(at.ppid), hops++)
    if (at.group === platformGroup) return true;
  return false;
}

function roleOf(
  pid: number,
  stat: ProcessStat,
  stats: Map<number, ProcessStat>,
  platformGroup: number,
): CpuRole {
  if (pid === process.pid) return 'benchClient';
  if (stat.comm === 'redis-server' && stat.ppid === process.pid) return 'redis';
  // kthreadd's children: softirq and worker threads, where loopback traffic's network work partly lands.
  if (pid === 2 || stat.ppid === 2) return 'kernel';
  if (!inRuntime(pid, stats, platformGroup)) return 'other';
  if (stat.comm === 'postgres') return 'postgres';
  try {
    if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes('LOCAL_API_WORKER=')) return 'apiWorkers';
  } catch {
    // gone, or not ours to read: counted with the primary
  }
  return 'runtimePrimary';
}

/** Reads every process's CPU time; `platformGroup` is the runtime's process group (its launcher's pid). */
export function readCpu(platformGroup: number): CpuReading {
  const reading: CpuReading = new Map();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return reading;
  }
  const stats = new Map<number, ProcessStat>();
  for (const name of pids) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      // Fields 14 and 15 of proc(5), user and system time, are the 12th and 13th after comm.
      stats.set(Number(name), {
        comm: stat.slice(stat.indexOf('(') + 1, close),
        ppid: Number(fields[1]),
        group: Number(fields[2]),
        seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
      });
    } catch {
      // exited while being read
    }
  }
  for (const [pid, stat] of stats)
    reading.set(pid, { role: roleOf(pid, stat, stats, platformGroup), seconds: stat.seconds });
  return reading;
}

/** Milliseconds of CPU per operation (two decimals), from the cores kept busy at `perSecond` operations a second. */
export const cpuMsPer = (cores: number, perSecond: number) =>
  Math.round((cores * 100_000) / (perSecond || 1)) / 100;

/**
 * The cores each role kept busy on average between two readings `seconds` apart (1.0 = one core all the time), and
 * `total`: on a 2-core machine 2.0 is all of it. Processes that started meanwhile count from zero.
 */
export function coresUsed(
  before: CpuReading,
  after: CpuReading,
  seconds: number,
): Record<CpuRole | 'total', number> {
  const used: Record<CpuRole | 'total', number> = {
    apiWorkers: 0,
    runtimePrimary: 0,
    postgres: 0,
    redis: 0,
    benchClient: 0,
    kernel: 0,
    other: 0,
    total: 0,
  };
  for (const [pid, { role, seconds: cpu }] of after) {
    const spent = cpu - (before.get(pid)?.seconds ?? 0);
    used[role] += spent;
    used.total += spent;
  }
  for (const role of Object.keys(used) as (CpuRole | 'total')[])
    used[role] = Math.round((used[role] / seconds) * 100) / 100;
  return used;
}
