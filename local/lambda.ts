// What the Lambda runtime gives a handler, reproduced for many concurrent invocations in one process: a context
// object, and an invocation scope (Lambda's InvokeStore) so Powertools keeps each invocation's log keys apart.
import { randomUUID } from 'node:crypto';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';
import { ENV } from '../layers/common/env-names';
import type { FunctionLimits } from '../layers/common/function-defaults';
import { attachInvocationSignal } from '../layers/common/invocation';

// Powertools reads this to decide that one process serves several invocations at once (Lambda Managed Instances);
// it must be set before any Powertools module loads, which the local runtime guarantees by importing handlers late.
process.env[ENV.maxConcurrency] ??= '1000';

let store: InvokeStoreBase | undefined;

/** The context Lambda would give a function with these limits (see layers/common/function-defaults.ts). */
export function lambdaContext(functionName: string, { timeoutSeconds, memoryMb }: FunctionLimits): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: handlers of every event type pass through here.
export type AnyHandler = (event: any, context: Context) => Promise<any>;

/** What Lambda reports when a function runs past its timeout; the gateway answers it with 504. */
export class FunctionTimeoutError extends Error {
  override readonly name = 'FunctionTimeoutError';
  constructor(readonly timeoutSeconds: number) {
    super(`Task timed out after ${timeoutSeconds} seconds`);
  }
}

/**
 * A handler that answers for itself at its deadline (the HTTP wrapper: 503 with Retry-After, just before it) gets
 * this long past it before the runtime gives up on it. Timers run on the event loop's cached clock, which lags real
 * time while the loop is busy, so a timer armed on a loaded loop fires early, by as much as that lag: without a
 * margin the runtime's timeout pre-empted the function's own answer under load.
 */
const DEADLINE_GRACE_MS = 500;

/**
 * Invokes a handler inside its own invocation scope, with a timeout like Lambda's. At the timeout (plus a moment for
 * the handler's own answer, DEADLINE_GRACE_MS) the caller gets FunctionTimeoutError, the invocation's signal aborts
 * (`invocationSignal(context)`, layers/common/invocation.ts) so work that listens to it stops, and the handler's
 * eventual result is discarded: one process cannot freeze a handler as Lambda does.
 */
export async function invoke<T>(
  handler: AnyHandler,
  event: unknown,
  context: Context,
  timeoutSeconds: number,
): Promise<T> {
  store ??= await InvokeStore.getInstanceAsync();
  const scope = { [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId };
  const cancel = new AbortController();
  attachInvocationSignal(context, cancel.signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        const error = new FunctionTimeoutError(timeoutSeconds);
        reject(error);
        cancel.abort(error);
      },
      timeoutSeconds * 1000 + DEADLINE_GRACE_MS,
    );
  });
  const run = store.run(scope, () => handler(event, context)) as Promise<T>;
  // A late failure has nobody left to answer: swallow it here so it never becomes an unhandled rejection.
  run.catch(() => undefined);
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
