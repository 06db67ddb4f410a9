// What the launchers of the test servers (Redis, OpenSearch) share: finding a binary and keeping the last lines a
// child process printed, to show only when it fails to start.
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  return undefined;
}

/** Keeps the last `kept` non-empty lines of the child's stdout and stderr in `lines` (and prints none of them). */
export function collectOutput(proc: ChildProcess, lines: string[], kept: number): void {
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > kept) lines.shift();
    }
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
}

export const hasExited = (proc: ChildProcess) => proc.exitCode !== null || proc.signalCode !== null;

/** The child ended before it was ready: nothing will answer, however long one waits. */
export class ProcessExitedError extends Error {}

/**
 * Polls `probe` until it answers true while the child runs. The probe answers true, or why the server is not ready
 * yet (or throws that). Global setup runs outside the test workers, so this cannot use vi.waitUntil.
 */
export async function waitForReady(
  proc: ChildProcess,
  probe: () => Promise<true | string>,
  { timeoutMs, intervalMs }: { timeoutMs: number; intervalMs: number },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (hasExited(proc))
      throw new ProcessExitedError(`process exited (code ${proc.exitCode}, signal ${proc.signalCode})`);
    try {
      const answer = await probe();
      if (answer === true) return;
      lastError = answer;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await sleep(intervalMs);
  }
  throw new Error(`not ready within ${timeoutMs} ms (${lastError})`);
}

/**
 * Polls `url` (a runtime's /v1/health) until it answers 200 while the child runs, and answers that response. Throws a
 * ProcessExitedError at once if the child ends first, another error when `timeoutMs` passes.
 */
export async function waitForHealthy(
  proc: ChildProcess,
  url: string,
  { timeoutMs, intervalMs = 250 }: { timeoutMs: number; intervalMs?: number },
): Promise<Response> {
  let healthy: Response | undefined;
  await waitForReady(
    proc,
    async () => {
      const response = await fetch(url);
      if (response.status === 200) {
        healthy = response;
        return true;
      }
      await response.body?.cancel();
      return `${url} answered ${response.status}`;
    },
    { timeoutMs, intervalMs },
  );
  return healthy as Response;
}
