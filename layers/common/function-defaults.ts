// The limits a manifest entry gets when it states none. The local runtime and the CDK app both resolve them here, so
// a function has the same memory, timeout and batch size on a laptop as in AWS.

/** What a manifest entry becomes: `log-shipper` is the function CloudWatch Logs subscription filters feed. */
export type FunctionKind = 'route' | 'consumer' | 'schedule' | 'internal' | 'log-shipper';

export const DEFAULT_MEMORY_MB = 512;
/** Routes, consumers, internal calls and the log shipper: a client, a queue batch or a caller waits on them. */
export const DEFAULT_TIMEOUT_SECONDS = 10;
/** Scheduled jobs work through a backlog (reminders due, outbox rows, old indices) and nobody waits on the answer. */
export const DEFAULT_SCHEDULE_TIMEOUT_SECONDS = 60;
/** Records per consumer invocation (SQS's largest batch without a batching window). */
export const DEFAULT_BATCH_SIZE = 10;

export interface FunctionLimits {
  memoryMb: number;
  timeoutSeconds: number;
}

/** The memory and timeout of a manifest entry of the given kind: its own values, or the defaults for that kind. */
export function functionLimits(
  kind: FunctionKind,
  entry: { memoryMb?: number; timeoutSeconds?: number },
): FunctionLimits {
  return {
    memoryMb: entry.memoryMb ?? DEFAULT_MEMORY_MB,
    timeoutSeconds:
      entry.timeoutSeconds ??
      (kind === 'schedule' ? DEFAULT_SCHEDULE_TIMEOUT_SECONDS : DEFAULT_TIMEOUT_SECONDS),
  };
}

/** Records a consumer receives per invocation. */
export const consumerBatchSize = (consumer: { batchSize?: number }): number =>
  consumer.batchSize ?? DEFAULT_BATCH_SIZE;
