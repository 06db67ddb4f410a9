// A signal that aborts when an invocation runs out of time, so a handler's own work (a wait, a fetch, a task queued
// behind others) stops instead of running on after its caller has been answered. The local runtime, which cannot
// freeze a handler as Lambda does, aborts it at the function's timeout; on AWS it is a timer at Lambda's deadline.
import type { Context } from 'aws-lambda';

const signals = new WeakMap<Context, AbortSignal>();

/** The runtime's own signal for this invocation (the local runtime sets one). */
export function attachInvocationSignal(context: Context, signal: AbortSignal): void {
  signals.set(context, signal);
}

export function invocationSignal(context: Context): AbortSignal {
  let signal = signals.get(context);
  if (!signal) {
    signal = AbortSignal.timeout(Math.max(0, context.getRemainingTimeInMillis()));
    signals.set(context, signal);
  }
  return signal;
}
