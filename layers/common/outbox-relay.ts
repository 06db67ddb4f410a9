// Relaying a service's outbox: right after a commit (best effort) and on the schedule each publishing service
// declares (the safety net that publishes whatever a request or a crash left behind).
import { getPool } from './db';
import { ENV } from './env-names';
import { getLogger } from './logger';
import type { Envelope } from './messages';
import { PUBLISH_BATCH_MAX, pruneOutbox, relayOutbox } from './outbox';
import { awsPublisher, type Destination } from './publisher';

/** After a commit: publish now; a failure is logged and left to the scheduled relay. */
export async function relayNow(service: string): Promise<void> {
  try {
    await relayOutbox(await getPool(service), awsPublisher);
  } catch (error) {
    getLogger(service).warn('outbox relay failed; the scheduled relay will publish', {
      error: error as Error,
    });
  }
}

/**
 * At most this many publish calls per service and destination at once; messages arriving meanwhile wait and leave
 * together. Few calls in flight is what makes batches: with many, each message finds a free call and leaves alone;
 * with two, a burst's messages gather while both are busy and leave up to ten per call. Two calls of ten carry 20
 * messages per round trip, which at a few tens of milliseconds per round trip (SNS plus the UPDATE through RDS Proxy)
 * is several hundred messages a second per environment.
 */
const MAX_CALLS_IN_FLIGHT = 2;
/**
 * Requests answer before their publish only while fewer messages than this wait for a call; beyond it they wait
 * for their own publish again, so a backlog cannot grow without bound in memory.
 */
const MAX_WAITING_UNAWAITED = 200;

interface Lane {
  waiting: { message: Envelope; settle: () => void }[];
  inFlight: number;
}
const lanes = new Map<string, Lane>();

/**
 * After a commit, publishes the messages the transaction wrote to the outbox and marks them published: the fast
 * path for one request's own messages. If it fails, the rows stay pending for the scheduled relay; if the relay
 * publishes them too, consumers see a duplicate, which they ignore (delivery is at least once).
 *
 * Concurrent invocations in one container share calls: while calls are in flight for a destination, the messages
 * that come in wait and leave together in the next one (up to 10), marked published by one UPDATE. A container
 * serving one invocation at a time publishes each request's messages in a call of their own; the local runtime, or
 * an execution environment serving concurrent requests, makes far fewer calls under load. Each caller still
 * waits until its own messages are published and marked.
 */
export function publishCommitted(
  service: string,
  destination: Destination,
  messages: Envelope[],
): Promise<void> {
  return enqueue(service, destination, messages).published;
}

/** Queues the messages on their lane and starts calls; `published` settles once all of them are published and marked. */
function enqueue(service: string, destination: Destination, messages: Envelope[]) {
  const key = `${service} ${JSON.stringify(destination)}`;
  let lane = lanes.get(key);
  if (!lane) {
    lane = { waiting: [], inFlight: 0 };
    lanes.set(key, lane);
  }
  if (messages.length === 0) return { lane, published: Promise.resolve() };
  const queued = lane;
  const settled = Promise.all(
    messages.map((message) => new Promise<void>((settle) => queued.waiting.push({ message, settle }))),
  );
  pump(service, destination, queued);
  return { lane, published: settled.then(() => undefined) };
}

function pump(service: string, destination: Destination, lane: Lane): void {
  while (lane.inFlight < MAX_CALLS_IN_FLIGHT && lane.waiting.length > 0) {
    const batch = lane.waiting.splice(0, PUBLISH_BATCH_MAX);
    lane.inFlight += 1;
    void publishAndMark(
      service,
      destination,
      batch.map((entry) => entry.message),
    ).finally(() => {
      for (const entry of batch) entry.settle();
      lane.inFlight -= 1;
      pump(service, destination, lane);
    });
  }
}

/**
 * Whether this execution environment keeps running between invocations and serves several at once: Lambda
 * Managed Instances (AWS_LAMBDA_MAX_CONCURRENCY) and the local runtime. In Lambda's default model the environment
 * is frozen as soon as the handler returns, so whatever is still in flight then must have been awaited.
 */
const keepsRunningAfterResponse = () => Number(process.env[ENV.maxConcurrency] ?? '1') > 1;

/**
 * publishCommitted for a request handler: where the environment keeps running after the response, the request
 * answers without waiting for the publish (the buyer's 201 does not queue behind SNS and the outbox UPDATE), and
 * the publish goes on in the background; where it is frozen, this waits as publishCommitted does. Either way a
 * publish that does not finish (a crash, a failed call) leaves the rows pending for the scheduled relay.
 */
export function publishFromRequest(
  service: string,
  destination: Destination,
  messages: Envelope[],
): Promise<void> {
  const { lane, published } = enqueue(service, destination, messages);
  return keepsRunningAfterResponse() && lane.waiting.length < MAX_WAITING_UNAWAITED
    ? Promise.resolve()
    : published;
}

async function publishAndMark(service: string, destination: Destination, messages: Envelope[]) {
  try {
    const { failedIds } = await awsPublisher.publish(destination, messages);
    const failed = new Set(failedIds);
    const done = messages.map((message) => message.id).filter((id) => !failed.has(id));
    if (done.length > 0) {
      await (await getPool(service)).query(
        'UPDATE outbox SET published_at = now() WHERE id = ANY($1::uuid[])',
        [done],
      );
    }
  } catch (error) {
    getLogger(service).warn('publishing after commit failed; the scheduled relay will publish', {
      error: error as Error,
    });
  }
}

/** The handler of a service's scheduled relay. */
export function outboxRelayHandler(service: string) {
  return async () => {
    const pool = await getPool(service);
    const result = await relayOutbox(pool, awsPublisher, 500);
    const pruned = await pruneOutbox(pool);
    if (result.published + result.failed + pruned > 0)
      getLogger(service).info('outbox relayed', { ...result, pruned });
    return result;
  };
}
