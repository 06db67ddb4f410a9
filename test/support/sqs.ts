// SQS in tests: the event Lambda's event source mapping hands a consumer (unit tests), and what a queue of the
// emulator still holds (integration tests), to know that every message sent has been handled.
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { type WaitOptions, waitUntil } from './wait';

export const sqsEvent = (queueArn: string, ...bodies: string[]): SQSEvent => ({
  Records: bodies.map((body, index) => ({
    messageId: `sqs-${index}`,
    receiptHandle: `r-${index}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  })),
});

/** How many messages a queue holds: waiting, in flight (received, not yet deleted) and delayed. */
export async function queueDepth(awsEndpoint: string, queueUrl: string) {
  const sqs = new SQSClient({ endpoint: awsEndpoint, region: 'us-east-1' });
  try {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    const waiting = Number(Attributes.ApproximateNumberOfMessages ?? 0);
    const inFlight = Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
    const delayed = Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
    return { waiting, inFlight, delayed, total: waiting + inFlight + delayed };
  } finally {
    sqs.destroy();
  }
}

/**
 * The bodies of up to ten messages a queue (a dead-letter queue, say) holds, after waiting a second for one; each is
 * hidden for a minute, so a later receive answers others.
 */
export async function receiveBodies(sqs: SQSClient, queueUrl: string | undefined): Promise<string[]> {
  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      VisibilityTimeout: 60,
    }),
  );
  return (received.Messages ?? []).map((message) => message.Body ?? '');
}

/**
 * Waits until a queue holds no message at all. A consumer deletes a message only once it handled it, and the
 * emulator enqueues a publish before it answers, so after sending (or redelivering) a message this means it was
 * certainly processed: the way to test "handled once" without sleeping.
 */
export async function waitForQueueDrained(awsEndpoint: string, queueUrl: string, options: WaitOptions = {}) {
  await waitUntil(async () => (await queueDepth(awsEndpoint, queueUrl)).total === 0, {
    message: `queue ${queueUrl} drained`,
    ...options,
  });
}
