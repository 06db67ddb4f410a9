// Runs a real single-node OpenSearch (the integ-test zip that .ci/provision unpacks) on free
// loopback ports for integration tests, or reuses the one named by OPENSEARCH_URL.
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import {
  access,
  chown,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rm,
  writeFile,
} from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './ports';
import { collectOutput, findOnPath, hasExited, waitForReady } from './processes';

export interface OpenSearchServer {
  url: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
// OpenSearch refuses to run as root; .ci/provision creates this user for the launcher to drop to.
const RUN_AS_USER = 'tol-opensearch';
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;
const OUTPUT_LINES_KEPT = 60;
const PROVISION_HINT = 'run `bash .ci/provision` first';

export async function startOpenSearch(): Promise<OpenSearchServer> {
  const existing = process.env.OPENSEARCH_URL;
  if (existing) return { url: existing.replace(/\/+$/, ''), stop: async () => {} };

  const home = await findInstall();
  const javaHome = await findJavaHome();
  const runAs = process.getuid?.() === 0 ? await lookupUser(RUN_AS_USER) : undefined;

  const root = await mkdtemp(join(tmpdir(), 'tol-opensearch-'));
  const paths = {
    conf: join(root, 'config'),
    data: join(root, 'data'),
    logs: join(root, 'logs'),
    tmp: join(root, 'tmp'),
  };
  let child: ChildProcess | undefined;
  const output: string[] = [];
  // A crashed test run must not leave a 512 MB JVM behind holding ports.
  const killOnExit = () => {
    if (child?.pid) killGroup(child.pid, 'SIGKILL');
  };

  const stop = async () => {
    process.off('exit', killOnExit);
    if (child) await stopProcessGroup(child);
    child = undefined;
    await rm(root, { recursive: true, force: true });
  };

  try {
    for (const dir of Object.values(paths)) await mkdir(dir, { recursive: true });
    await writeConfig(home, paths.conf, paths.logs);
    if (runAs) await chownTree(root, runAs.uid, runAs.gid);

    const httpPort = await freePort();
    const transportPort = await freePort();
    const args = [
      '-Ediscovery.type=single-node',
      `-Enetwork.host=${HOST}`,
      `-Ehttp.port=${httpPort}`,
      `-Etransport.port=${transportPort}`,
      `-Epath.data=${paths.data}`,
      `-Epath.logs=${paths.logs}`,
      '-Ecluster.routing.allocation.disk.threshold_enabled=false',
      '-Ecluster.name=ticketorleaveit-test',
      '-Enode.name=ticketorleaveit-test',
    ];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      OPENSEARCH_JAVA_HOME: javaHome,
      OPENSEARCH_JAVA_OPTS: '-Xms512m -Xmx512m',
      OPENSEARCH_PATH_CONF: paths.conf,
      OPENSEARCH_TMPDIR: paths.tmp,
      // Keeps JNA and anything else that writes under $HOME inside the throwaway dir.
      HOME: root,
      XDG_CACHE_HOME: join(root, 'cache'),
    };
    delete env.JAVA_TOOL_OPTIONS;
    delete env.JAVA_OPTS;

    // setpriv drops root when needed and sets a parent-death signal, so the JVM goes away with
    // the test process even if stop() is never reached.
    const bin = join(home, 'bin', 'opensearch');
    const setpriv = await findOnPath('setpriv');
    const privArgs = runAs
      ? ['--reuid', String(runAs.uid), '--regid', String(runAs.gid), '--init-groups']
      : [];
    if (runAs && !setpriv)
      throw new Error(`running as root needs setpriv (util-linux) to drop to ${RUN_AS_USER}`);
    const [command, commandArgs] = setpriv
      ? [setpriv, [...privArgs, '--pdeathsig', 'SIGTERM', '--', bin, ...args]]
      : [bin, args];

    const proc = spawn(command, commandArgs, {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: bin/opensearch runs helper JVMs before exec'ing the server.
      detached: true,
    });
    child = proc;
    process.on('exit', killOnExit);
    collectOutput(proc, output, OUTPUT_LINES_KEPT);

    const url = `http://${HOST}:${httpPort}`;
    await waitForHealthy(proc, url);
    return { url, stop };
  } catch (err) {
    await stop();
    const tail = output.length > 0 ? `\n--- last OpenSearch output ---\n${output.join('\n')}` : '';
    throw new Error(`OpenSearch (${home}) did not start: ${(err as Error).message}${tail}`);
  }
}

function cacheDir(): string {
  return process.env.TOL_CACHE_DIR || join(process.env.HOME || homedir(), '.cache', 'ticketorleaveit');
}

async function findInstall(): Promise<string> {
  const dir = cacheDir();
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch {
    // no cache dir yet: reported below
  }
  const candidates = entries
    .map((name) => ({ name, patch: /^opensearch-2\.19\.(\d+)$/.exec(name)?.[1] }))
    .filter((entry): entry is { name: string; patch: string } => entry.patch !== undefined)
    .sort((a, b) => Number(b.patch) - Number(a.patch));
  for (const { name } of candidates) {
    const home = join(dir, name);
    try {
      await access(join(home, 'bin', 'opensearch'), constants.X_OK);
      return home;
    } catch {
      // incomplete install: try the next one
    }
  }
  throw new Error(`OpenSearch 2.19.x is not installed under ${dir}: ${PROVISION_HINT}`);
}

// OpenSearch 2.19 needs Java 11-21 (the integ-test zip bundles none); an explicit
// OPENSEARCH_JAVA_HOME wins, so a newer JAVA_HOME set for other tools can be bypassed.
async function findJavaHome(): Promise<string> {
  const explicit = process.env.OPENSEARCH_JAVA_HOME || process.env.JAVA_HOME;
  if (explicit) return explicit;
  const java = await findOnPath('java');
  if (!java) throw new Error(`no java found on PATH (OpenSearch needs Java 11-21): ${PROVISION_HINT}`);
  return dirname(dirname(await realpath(java)));
}

async function writeConfig(home: string, conf: string, logs: string): Promise<void> {
  const shipped = join(home, 'config');
  await copyFile(join(shipped, 'opensearch.yml'), join(conf, 'opensearch.yml'));
  await copyFile(join(shipped, 'log4j2.properties'), join(conf, 'log4j2.properties'));
  await mkdir(join(conf, 'jvm.options.d'), { recursive: true });
  // The shipped options write GC logs, heap dumps and crash files relative to the install dir,
  // which the unprivileged user cannot write (and a 512 MB heap dump helps no test run).
  const options = (await readFile(join(shipped, 'jvm.options'), 'utf8'))
    .split('\n')
    .filter((line) => !/-Xm[sx]|-Xlog|-Xloggc|GCLog|HeapDump|ErrorFile|PrintGC|PrintTenuring/.test(line));
  options.push(`-XX:ErrorFile=${join(logs, 'hs_err_pid%p.log')}`);
  await writeFile(join(conf, 'jvm.options'), `${options.join('\n')}\n`);
}

const waitForHealthy = (proc: ChildProcess, url: string) =>
  waitForReady(
    proc,
    async () => {
      const res = await fetch(`${url}/_cluster/health`, { signal: AbortSignal.timeout(5_000) });
      const body = (await res.json()) as { status?: string };
      if (res.ok && (body.status === 'green' || body.status === 'yellow')) return true;
      return `cluster health ${res.status} ${body.status ?? ''}`.trim();
    },
    { timeoutMs: READY_TIMEOUT_MS, intervalMs: 250 },
  );

async function stopProcessGroup(proc: ChildProcess): Promise<void> {
  if (hasExited(proc) || proc.pid === undefined) return;
  const pid = proc.pid;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  killGroup(pid, 'SIGTERM');
  const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

async function lookupUser(name: string): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid && gid) return { uid: Number(uid), gid: Number(gid) };
  }
  throw new Error(
    `OpenSearch refuses to run as root and user ${name} does not exist: ${PROVISION_HINT} (it creates the user)`,
  );
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await chown(path, uid, gid);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid, gid);
    else await chown(child, uid, gid);
  }
}
