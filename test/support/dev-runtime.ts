// `npm run dev` (local/dev.ts) in a child process, started as a developer starts it, for the tests and benches that
// run the platform outside their own process.
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { ROOT } from '../../local/platform';
import { devPortsEnv, type platformPorts } from './ports';

/**
 * Runs `command` in the repository on `ports` and `dataDir`, OpenSearch off unless `env` (which goes over the rest)
 * says otherwise. In a process group of its own: a signal to the group (-pid) reaches PostgreSQL and everything else
 * the runtime started, as Ctrl-C in a terminal does.
 */
export function spawnDev(
  command: string,
  args: string[],
  options: {
    ports: Awaited<ReturnType<typeof platformPorts>>;
    dataDir: string;
    env: Record<string, string>;
    stdio: StdioOptions;
  },
): ChildProcess {
  return spawn(command, args, {
    cwd: ROOT,
    detached: true,
    env: {
      ...process.env,
      ...devPortsEnv(options.ports),
      LOCAL_DATA_DIR: options.dataDir,
      OPENSEARCH_URL: '',
      ...options.env,
    },
    stdio: options.stdio,
  });
}
