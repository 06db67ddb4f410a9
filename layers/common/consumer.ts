// The SQS consumer wrapper: Powertools BatchProcessor with partial batch failures, one envelope per record,
// correlation id on every log line. A record that throws is reported failed and redelivered; after the queue's
// maxReceiveCount it lands in the dead-letter queue, without holding back the rest of the batch.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { invocationSignal } from './invocation';
import { getLogger, type Logger } from './logger';
import { type Envelope, envelopeSchema } from './messages';
import { flushMetrics } from './metrics';

export interface ConsumedMessage<T = unknown> {
  envelope: Envelope<T>;
  record: SQSRecord;
  log: Logger;
  /** Aborts when the invocation runs out of time: work not yet done by then should not be started. */
  signal: AbortSignal;
}

export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
}

/** Parses the record body as our envelope; SNS-wrapped bodies (raw delivery off) are unwrapped too. */
export function parseEnvelope(body: string): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && (parsed as { Type?: string }).Type === 'Notification') {
      parsed = JSON.parse((parsed as { Message: string }).Message);
    }
  } catch {
    throw new PoisonMessageError('message body is not JSON');
  }
  const result = envelopeSchema.safeParse(parsed);
  if (!result.success)
    throw new PoisonMessageError(`message is not an envelope: ${result.error.issues[0]?.message}`);
  return result.data as Envelope;
}

export interface ConsumerOptions {
  /**
   * Failures that came before the handler did anything a quick redelivery must not repeat, for a reason that may
   * clear within seconds (its database unreachable). Such a record is handed back after a short backoff that grows
   * with its receive count (retrySoonSeconds) instead of the queue's whole visibility timeout.
   */
  retrySoon?: (error: unknown) => boolean;
}

const RETRY_SOON_BASE_SECONDS = 5;

/** 5, 15, 45 s... by receive count; the caller keeps it under the queue's visibility timeout. */
export const retrySoonSeconds = (receiveCount: number) =>
  RETRY_SOON_BASE_SECONDS * 3 ** Math.max(0, receiveCount - 1);

type SqsApi = {
  client: import('@aws-sdk/client-sqs').SQSClient;
  module: typeof import('@aws-sdk/client-sqs');
};
let sqs: Promise<SqsApi> | undefined;
// Loaded on the first record handed back. The configured endpoint, not the queue URL's host (emulators).
const sqsApi = () =>
  (sqs ??= import('@aws-sdk/client-sqs').then((module) => ({
    module,
    client: new module.SQSClient({
      useQueueUrlAsEndpoint: false,
      requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
    }),
  })));

/** arn:aws:sqs:<region>:<account>:<name> as a queue URL (the client sends it to its configured endpoint). */
const queueUrlOf = (arn: string) => {
  const [, , , region, account, name] = arn.split(':');
  return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
};

/**
 * Makes a failed record visible again after retrySoonSeconds rather than the queue's visibility timeout (never
 * later than that). Best effort: if SQS cannot be reached, the record comes back at the visibility timeout as always.
 */
async function handBackSoon(record: SQSRecord, visibility: () => Promise<number>, log: Logger) {
  try {
    const seconds = retrySoonSeconds(Number(record.attributes?.ApproximateReceiveCount ?? 1));
    if (seconds >= (await visibility())) return;
    const { client, module } = await sqsApi();
    await client.send(
      new module.ChangeMessageVisibilityCommand({
        QueueUrl: queueUrlOf(record.eventSourceARN),
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
    log.info('message handed back for a retry soon', { retry_in_seconds: seconds });
  } catch (error) {
    log.warn('could not hand the message back early; it returns at its visibility timeout', {
      error: error as Error,
    });
  }
}

/** The queue's visibility timeout, asked once per invocation and only when a record is to be handed back. */
function visibilityOf(queueArn: string) {
  let answer: Promise<number> | undefined;
  return () =>
    (answer ??= sqsApi().then(async ({ client, module }) => {
      const { Attributes = {} } = await client.send(
        new module.GetQueueAttributesCommand({
          QueueUrl: queueUrlOf(queueArn),
          AttributeNames: ['VisibilityTimeout'],
        }),
      );
      return Number(Attributes.VisibilityTimeout ?? 30);
    }));
}

export function sqsConsumer(
  service: string,
  handle: (message: ConsumedMessage) => Promise<void>,
  options: ConsumerOptions = {},
) {
  const logger = getLogger(service);
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    logger.addContext(context);
    const processor = new BatchProcessor(EventType.SQS);
    const signal = invocationSignal(context);
    const visibility = visibilityOf(event.Records[0]?.eventSourceARN ?? '');
    const recordHandler = async (record: SQSRecord) => {
      // Records of one batch run in parallel, so each gets its own child logger rather than shared appended keys.
      let log = logger.createChild({ persistentKeys: { sqs_message_id: record.messageId } });
      try {
        const envelope = parseEnvelope(record.body);
        log = logger.createChild({
          persistentKeys: {
            sqs_message_id: record.messageId,
            correlation_id: envelope.correlationId,
            message_id: envelope.id,
            message_type: envelope.type,
          },
        });
        await handle({ envelope, record, log, signal });
      } catch (error) {
        log.error('message failed', {
          error: error as Error,
          receive_count: record.attributes?.ApproximateReceiveCount,
        });
        if (options.retrySoon?.(error)) await handBackSoon(record, visibility, log);
        throw error;
      }
    };
    try {
      const response = await processPartialResponse(event, recordHandler, processor, { context });
      logger.info('batch processed', {
        records: event.Records.length,
        failed: response.batchItemFailures.length,
      });
      return response;
    } finally {
      flushMetrics();
    }
  };
}
