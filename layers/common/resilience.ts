// Retry (exponential backoff with full jitter) and circuit-breaker policies from cockatiel, shared by all services.
import {
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  fullJitterGenerator,
  handleWhen,
  type IPolicy,
  type IRetryContext,
  type RetryPolicy,
  retry,
  wrap,
} from 'cockatiel';
import { PgCode } from './pg-errors';

/** PostgreSQL errors that a retry can cure: serialization failure, deadlock, connection loss, server restart. */
const TRANSIENT_PG_CODES = new Set<string>([
  PgCode.SERIALIZATION_FAILURE,
  PgCode.DEADLOCK_DETECTED,
  PgCode.ADMIN_SHUTDOWN,
  PgCode.CRASH_SHUTDOWN,
  PgCode.CANNOT_CONNECT_NOW,
  PgCode.CONNECTION_EXCEPTION,
  PgCode.CONNECTION_DOES_NOT_EXIST,
  PgCode.CONNECTION_FAILURE,
  PgCode.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
  PgCode.SQLSERVER_REJECTED_ESTABLISHMENT_OF_SQLCONNECTION,
]);
const TRANSIENT_NODE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (TRANSIENT_PG_CODES.has(code) || TRANSIENT_NODE_CODES.has(code)))
    return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}

export interface RetryOptions {
  maxAttempts?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Which errors are worth another attempt; default: transient database and network errors. */
  retryOn?: (error: Error) => boolean;
}

/**
 * Exponential backoff with full jitter (ADR 009): each wait is random in [0, min(cap, base * 2^n)].
 *
 * `execute(fn, signal)` stops at the signal (an invocation's deadline): no attempt starts once it has aborted, no
 * retry follows, and a backoff under way ends at once, the call rejecting with the signal's reason. cockatiel alone
 * only stops retrying: its backoff runs to its end and then starts one more attempt. An attempt already running is
 * left to finish (its outcome is the call's), so a caller never hears "failed" while its work may still succeed.
 */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const policy = retry(handleWhen(options.retryOn ?? isTransient), {
    maxAttempts: (options.maxAttempts ?? 4) - 1,
    backoff: new ExponentialBackoff({
      generator: fullJitterGenerator,
      initialDelay: options.initialDelayMs ?? 25,
      maxDelay: options.maxDelayMs ?? 1_000,
    }),
  });
  const execute = policy.execute.bind(policy);
  // Replaced on the instance, so wrap() (resilient) and every caller get it; wrap passes its own signal through.
  policy.execute = <T>(fn: (context: IRetryContext) => PromiseLike<T> | T, signal?: AbortSignal) =>
    signal ? executeUntil(execute, fn, signal) : execute(fn);
  return policy;
}

function executeUntil<T>(
  execute: RetryPolicy['execute'],
  fn: (context: IRetryContext) => PromiseLike<T> | T,
  signal: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let attempting = false;
    // Between attempts (a backoff) the call ends at the deadline; during one, it ends with that attempt.
    const stop = () => {
      if (!attempting) reject(signal.reason);
    };
    signal.addEventListener('abort', stop, { once: true });
    execute(async (context) => {
      signal.throwIfAborted();
      attempting = true;
      try {
        return await fn(context);
      } finally {
        attempting = false;
      }
    }, signal)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', stop));
  });
}

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  threshold?: number;
  /** How long the circuit stays open before one trial call. */
  halfOpenAfterMs?: number;
  breakOn?: (error: Error) => boolean;
  /** Names the circuit in health reports (breakerStates); unnamed circuits are not reported. */
  name?: string;
}

/** The named circuits of this process (a Lambda container, or the whole local runtime), for health reports. */
const namedBreakers = new Map<string, CircuitBreakerPolicy>();
const STATE_NAMES = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
} as const;
export type BreakerState = (typeof STATE_NAMES)[CircuitState];

export function breakerStates(): Record<string, BreakerState> {
  return Object.fromEntries([...namedBreakers].map(([name, breaker]) => [name, STATE_NAMES[breaker.state]]));
}

export function breakerPolicy(options: BreakerOptions = {}) {
  const breaker = circuitBreaker(handleWhen(options.breakOn ?? (() => true)), {
    halfOpenAfter: options.halfOpenAfterMs ?? 10_000,
    breaker: new ConsecutiveBreaker(options.threshold ?? 5),
  });
  if (options.name) namedBreakers.set(options.name, breaker);
  return breaker;
}

/** Retry inside a breaker: retries exhaust first, and only a call that failed all its retries counts against the circuit. */
export function resilient(retryOptions: RetryOptions = {}, breakerOptions: BreakerOptions = {}): IPolicy {
  return wrap(breakerPolicy(breakerOptions), retryPolicy(retryOptions));
}

export { BrokenCircuitError, isBrokenCircuitError } from 'cockatiel';
