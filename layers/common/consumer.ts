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

export function sqsConsumer(service: string, handle: (message: ConsumedMessage) => Promise<void>) {
  const logger = getLogger(service);
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    logger.addContext(context);
    const processor = new BatchProcessor(EventType.SQS);
    const signal = invocationSignal(context);
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
