// A record that failed for a passing reason before doing anything (sqsConsumer's retrySoon: the database down) is
// handed back within seconds, not after its queue's visibility timeout: with the real queue emulator and poller.
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsConsumer } from '../../../layers/common/consumer';
import type { ServiceManifest } from '../../../layers/common/manifest';
import { envelope } from '../../../layers/common/messages';
import { MEDIA_BUCKET_LOCAL_NAME } from '../../../layers/common/resources';
import { type LocalAws, startAwsEmulator } from '../../../local/aws-emulator';
import { startPollers } from '../../../local/queues';
import { echo } from '../../fixtures/echo/manifest';
import { freePort } from '../../support/ports';
import { waitForQueueDrained } from '../../support/sqs';
import { waitUntil } from '../../support/wait';

const QUEUE = 'echo-inbox';
/** Far longer than the test waits: a record that waited it out would fail the test. */
const VISIBILITY_TIMEOUT_SECONDS = 300;
const record = echo.consumers?.record;
if (!record) throw new Error('the echo fixture has no consumer');
const slowQueue: ServiceManifest = {
  ...echo,
  consumers: {
    record: { ...record, visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS, maxReceiveCount: 5 },
  },
};

let aws: LocalAws;
let sqs: SQSClient;
const savedEnv = { ...process.env };

beforeAll(async () => {
  aws = await startAwsEmulator({
    port: await freePort(),
    manifests: [slowQueue],
    bucket: MEDIA_BUCKET_LOCAL_NAME,
  });
  // Where the consumer's own SQS client goes, as the local runtime sets it for functions.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
  });
  sqs = new SQSClient({ endpoint: aws.endpoint, region: 'us-east-1' });
});
afterAll(async () => {
  sqs?.destroy();
  await aws?.stop();
  process.env = savedEnv;
});

const databaseDown = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('a record that failed transiently before any side effect', () => {
  it('is redelivered within seconds, not after the visibility timeout', async () => {
    const attempts: { id: string; receiveCount: number }[] = [];
    const handler = sqsConsumer(
      'echo',
      async ({ envelope: message, record }) => {
        attempts.push({ id: message.id, receiveCount: Number(record.attributes.ApproximateReceiveCount) });
        if (attempts.length === 1) throw databaseDown();
      },
      { retrySoon: (error) => (error as { code?: string }).code === 'ECONNREFUSED' },
    );
    const errors: unknown[] = [];
    const stop = startPollers(
      sqs,
      [
        {
          functionName: 'echo-record',
          queueUrl: aws.queueUrls[QUEUE] ?? '',
          queueArn: aws.queueArns[QUEUE] ?? '',
          batchSize: 10,
          timeoutSeconds: 10,
          memoryMb: 128,
          handler,
        },
      ],
      (error) => errors.push(error),
    );
    try {
      const message = envelope('echo', 'Echoed', 1, { n: 1 }, randomUUID());
      await sqs.send(
        new SendMessageCommand({ QueueUrl: aws.queueUrls[QUEUE], MessageBody: JSON.stringify(message) }),
      );
      // Handled on its second receive, then deleted: long before 300 s.
      await waitUntil(() => attempts.length >= 2, { timeoutMs: 60_000, message: 'the second attempt' });
      await waitForQueueDrained(aws.endpoint, aws.queueUrls[QUEUE] ?? '');
      expect(attempts).toEqual([
        { id: message.id, receiveCount: 1 },
        { id: message.id, receiveCount: 2 },
      ]);
      // The first batch failed whole (its one record), which the poller reports as the invocation's error.
      expect(errors.map((error) => (error as Error).name)).toEqual(['FullBatchFailureError']);
    } finally {
      await stop();
    }
  });
});
