// One temporary folder per test run, removed when the run ends: every data folder, server, browser profile and
// synthesized template the tests make goes under it (TMPDIR is set for the test workers and everything they start).
// Without it each run left its PostgreSQL copies behind (about 100 MB a file, 10 GB a run), and a CI machine that
// keeps /tmp between runs filled its disk within a few runs.
// A run killed before its teardown leaves its folder; the next run removes every folder whose run is gone (in memory
// and on disk, wherever runParent put it).
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { freemem, tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'tol-run-';
const OWNER = 'owner.pid';

// vitest runs the global setups of the projects in a run before the root's, so the projects that start servers in
// theirs list this file first too. The folder is shared through globalThis (module instances differ per project): the
// first setup makes it, the last teardown removes it.
interface RunTemp {
  root: string;
  previous: string | undefined;
  users: number;
}
const shared = globalThis as { tolRunTemp?: RunTemp };

export default function setup() {
  if (!shared.tolRunTemp) {
    // Both places a run may have chosen, before measuring the room in memory that a killed run's folder may hold.
    for (const place of new Set([tmpdir(), MEMORY_FOLDER])) removeAbandonedRuns(place);
    const parent = runParent();
    const root = mkdtempSync(join(parent, PREFIX));
    // Like /tmp itself: servers that run as their own user (OpenSearch, PostgreSQL under root) make folders here too.
    chmodSync(root, 0o1777);
    writeFileSync(join(root, OWNER), String(process.pid));
    shared.tolRunTemp = { root, previous: process.env.TMPDIR, users: 0 };
    // Workers are created after global setup, so they (and the processes they start) inherit it.
    process.env.TMPDIR = root;
  }
  const run = shared.tolRunTemp;
  run.users++;
  return () => {
    if (--run.users > 0) return;
    shared.tolRunTemp = undefined;
    if (run.previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = run.previous;
    rmSync(run.root, { recursive: true, force: true });
  };
}

/**
 * Where the run's folder goes: TMPDIR when it is set (whoever set it chose); otherwise Linux's memory-backed /dev/shm
 * when it is a tmpfs that lets programs run from it and has room (in the folder and in memory); otherwise the
 * system's temporary folder. Every integration file copies a prepared PostgreSQL cluster (about 2,700 files) and
 * removes it after, and its servers write there as they run: on a disk that is seconds of kernel time per file, in
 * memory a tenth of it. Nothing there needs to outlive the run, let alone the machine.
 */
function runParent(): string {
  return process.env.TMPDIR ? tmpdir() : (memoryFolder() ?? tmpdir());
}

const MEMORY_FOLDER = '/dev/shm';
/**
 * Room a run needs in the folder, with margin: at its largest (three platforms' data, OpenSearch, Chromium, CDK
 * outputs) it holds about 1 GB. Free memory must be twice that: the folder's pages are memory the run's servers and
 * browsers need too (a machine with less runs on disk).
 */
const MEMORY_NEEDED_BYTES = 4 * 1024 ** 3;

function memoryFolder(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    // The last mount on the folder is the one in effect.
    const mount = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' '))
      .findLast(([, target]) => target === MEMORY_FOLDER);
    // A noexec mount (Docker's default for /dev/shm) would stop OpenSearch loading the native library it unpacks there.
    if (mount?.[2] !== 'tmpfs' || mount[3]?.split(',').includes('noexec')) return undefined;
    accessSync(MEMORY_FOLDER, constants.W_OK);
    const { bavail, bsize } = statfsSync(MEMORY_FOLDER);
    if (bavail * bsize < MEMORY_NEEDED_BYTES || freemem() < 2 * MEMORY_NEEDED_BYTES) return undefined;
    return MEMORY_FOLDER;
  } catch {
    return undefined;
  }
}

function removeAbandonedRuns(parent: string): void {
  if (!existsSync(parent)) return;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(PREFIX)) continue;
    const folder = join(parent, name);
    const ownerFile = join(folder, OWNER);
    const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : Number.NaN;
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) continue;
    rmSync(folder, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive but someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
