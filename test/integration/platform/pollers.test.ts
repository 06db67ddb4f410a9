// Queue consumers give way to the API in the local runtime: while it is busy a poller waits before taking its next
// batch, and it never waits longer than its limit, so queue work is put off but never starved.
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_BUCKET_LOCAL_NAME } from '../../../layers/common/resources';
import { type LocalAws, startAwsEmulator } from '../../../local/aws-emulator';
import { startPollers } from '../../../local/queues';
import { echo } from '../../fixtures/echo/manifest';
import { freePort } from '../../support/ports';
import { waitUntil } from '../../support/wait';

let aws: LocalAws;
let sqs: SQSClient;

beforeAll(async () => {
  aws = await startAwsEmulator({
    port: await freePort(),
    manifests: [echo],
    bucket: MEDIA_BUCKET_LOCAL_NAME,
  });
  // The emulator takes any credentials; the SDK insists on some.
  sqs = new SQSClient({
    endpoint: aws.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(async () => {
  sqs?.destroy();
  await aws?.stop();
});

/** Polls the echo inbox with the given policy; resolves each sent body with the time its batch was handled. */
function pollInbox(busy: () => boolean, maxYieldMs: number) {
  const handled = new Map<string, number>();
  const errors: unknown[] = [];
  const stop = startPollers(
    sqs,
    [
      {
        functionName: 'echo-record',
        queueUrl: aws.queueUrls['echo-inbox'] ?? '',
        queueArn: aws.queueArns['echo-inbox'] ?? '',
        batchSize: 10,
        timeoutSeconds: 5,
        memoryMb: 128,
        handler: async (event: SQSEvent) => {
          for (const record of event.Records) handled.set(record.body, Date.now());
          return { batchItemFailures: [] };
        },
      },
    ],
    (error) => errors.push(error),
    { busy, maxYieldMs },
  );
  const send = async () => {
    const body = randomUUID();
    await sqs.send(new SendMessageCommand({ QueueUrl: aws.queueUrls['echo-inbox'], MessageBody: body }));
    return body;
  };
  /** When the message was handled, once it has been. */
  const handledAt = (body: string) =>
    waitUntil(() => handled.get(body), { intervalMs: 20, message: `message ${body} handled` });
  return { send, handledAt, isHandled: (body: string) => handled.has(body), stop, errors };
}

describe('queue pollers in the local runtime', () => {
  it('hold a message back while the API is busy and take it as soon as the API is quiet', async () => {
    let busy = true;
    const inbox = pollInbox(() => busy, 60_000);
    try {
      const body = await inbox.send();
      // Held back while busy: several of the pollers' turns pass without it being taken.
      await expect(waitUntil(() => inbox.isHandled(body), { timeoutMs: 700 })).rejects.toThrow(/not met/);
      const quietAt = Date.now();
      busy = false;
      // Taken once quiet, long before the 60 s limit would have forced it through.
      expect((await inbox.handledAt(body)) - quietAt).toBeLessThan(30_000);
      expect(inbox.errors).toEqual([]);
    } finally {
      await inbox.stop();
    }
  });

  it('never hold it back longer than their limit, however long the API stays busy', async () => {
    const inbox = pollInbox(() => true, 300);
    try {
      const body = await inbox.send();
      expect(await inbox.handledAt(body)).toBeGreaterThan(0);
      expect(inbox.errors).toEqual([]);
    } finally {
      await inbox.stop();
    }
  });
});
