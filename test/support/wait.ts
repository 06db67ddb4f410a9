// Waiting for an outcome instead of for time: vitest's own vi.waitUntil, with a timeout that allows for a busy
// shared machine (a condition that holds is seen within one interval; only a failing test waits the whole timeout)
// and a message that says what was awaited.
import { vi } from 'vitest';

/** Long enough that a loaded 2-core machine never fails a test that would pass on an idle one. */
export const WAIT_TIMEOUT_MS = 30_000;
const WAIT_INTERVAL_MS = 50;

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** What is awaited, for the error when it never holds. */
  message?: string;
}

/**
 * Calls `probe` until it returns a truthy value and answers that value; a probe that throws fails at once
 * (catch inside the probe what may fail while the condition does not hold yet).
 */
export async function waitUntil<T>(
  probe: () => T | Promise<T>,
  { timeoutMs = WAIT_TIMEOUT_MS, intervalMs = WAIT_INTERVAL_MS, message = 'condition' }: WaitOptions = {},
) {
  try {
    return await vi.waitUntil(probe, { timeout: timeoutMs, interval: intervalMs });
  } catch (error) {
    if ((error as Error).message === 'Timed out in waitUntil!')
      throw new Error(`${message}: not met within ${timeoutMs} ms`);
    throw error;
  }
}
