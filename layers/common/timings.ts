// Where a request's time goes, stage by stage (validation, database statements, publishing), for the local runtime
// to report as a standard `Server-Timing` header (W3C Server Timing) that browsers' dev tools and the bench read.
// Collection happens only inside `collectTimings`, which the local gateway wraps around each invocation; in AWS no
// one opens a collection and every `timed` call is a plain call.
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import type pg from 'pg';

export interface StageTiming {
  ms: number;
  count: number;
}
export type Timings = Map<string, StageTiming>;

const current = new AsyncLocalStorage<Timings>();

/**
 * Ends collection in this process until the next collectTimings (local runtime shutdown): Node walks every enabled
 * AsyncLocalStorage at each new asynchronous operation, so a process that goes on after its platform stopped (the
 * next test file, with this module evaluated anew) does not keep paying for this one.
 */
export function stopCollectingTimings(): void {
  current.disable();
}

/** Runs `work` collecting the stages it goes through; answers its result and the timings. */
export async function collectTimings<T>(work: () => Promise<T>): Promise<{ result: T; timings: Timings }> {
  const timings: Timings = new Map();
  const result = await current.run(timings, work);
  return { result, timings };
}

/** Adds `ms` to `stage` of the collection in progress, if any. */
export function recordStage(stage: string, ms: number, timings = current.getStore()): void {
  if (!timings) return;
  const entry = timings.get(stage) ?? { ms: 0, count: 0 };
  entry.ms += ms;
  entry.count += 1;
  timings.set(stage, entry);
}

/** Runs `work` as one occurrence of `stage`. */
export async function timed<T>(stage: string, work: () => Promise<T>): Promise<T> {
  const timings = current.getStore();
  if (!timings) return work();
  const started = performance.now();
  try {
    return await work();
  } finally {
    recordStage(stage, performance.now() - started, timings);
  }
}

/** Runs synchronous `work` as one occurrence of `stage`. */
export function timedSync<T>(stage: string, work: () => T): T {
  const timings = current.getStore();
  if (!timings) return work();
  const started = performance.now();
  try {
    return work();
  } finally {
    recordStage(stage, performance.now() - started, timings);
  }
}

type Query = (...args: unknown[]) => unknown;

/**
 * Times every statement a pooled client sends as the `db` stage (its count is the number of statements; pipelined
 * ones overlap, so their times add up to more than the wall time). Called once per new connection.
 */
export function timeStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as Query;
  (client as unknown as { query: Query }).query = (...args: unknown[]) => {
    const timings = current.getStore();
    if (!timings) return query(...args);
    const started = performance.now();
    const done = () => recordStage('db', performance.now() - started, timings);
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      // The pool's own query() passes a callback.
      args[args.length - 1] = (...results: unknown[]) => {
        done();
        return (last as Query)(...results);
      };
      return query(...args);
    }
    const answer = query(...args);
    if (answer instanceof Promise) answer.then(done, done);
    return answer;
  };
}

/**
 * Keeps a queued statement in its request's collection: `pool.query` waits for a connection through `pool.connect`'s
 * callback, which pg-pool calls from whichever request releases one, so the statement would be counted on that
 * request (or on none) and the waiting answer would show no `db` at all. Only while a collection is open is the
 * callback bound to its caller; otherwise the pool is called as it is.
 */
export function timeQueuedStatements(pool: pg.Pool): void {
  const connect = pool.connect.bind(pool) as (callback?: (...args: unknown[]) => void) => unknown;
  (pool as unknown as { connect: typeof connect }).connect = (callback) =>
    callback && current.getStore() ? connect(AsyncResource.bind(callback)) : connect(callback);
}

/** The `Server-Timing` header value: `stage;dur=ms;desc="n"` per stage, n being how many times it ran. */
export function serverTiming(timings: Timings, extra: Record<string, number> = {}): string {
  const entries = [
    ...Object.entries(extra).map(([stage, ms]) => `${stage};dur=${ms.toFixed(2)}`),
    ...[...timings].map(([stage, { ms, count }]) => `${stage};dur=${ms.toFixed(2)};desc="${count}"`),
  ];
  return entries.join(', ');
}

/** Parses a `Server-Timing` header back into stages (the bench reads its answers with this). */
export function parseServerTiming(header: string | undefined): Record<string, StageTiming> {
  const stages: Record<string, StageTiming> = {};
  for (const entry of (header ?? '').split(',')) {
    const [name, ...params] = entry.trim().split(';');
    if (!name) continue;
    const param = (key: string) => params.find((p) => p.trim().startsWith(`${key}=`))?.split('=')[1];
    stages[name] = {
      ms: Number(param('dur') ?? 0),
      count: Number((param('desc') ?? '1').replaceAll('"', '')),
    };
  }
  return stages;
}
