// SQS, SNS and S3 from fauxqs, in process. Queues (with their DLQs and redrive policies), topics, subscriptions
// and the media bucket are created from the same manifest-derived definitions the CDK app uses. With a data folder,
// fauxqs restores what it stored (queues, waiting and in-flight messages, topics, objects); a queue that already
// exists keeps its messages and only has its attributes brought in line with the manifest, because fauxqs'
// createQueue replaces a queue and everything in it, as a deploy never does on AWS.
//
// Messages the previous run had received are still in flight after a restart, and would come back only at the end of
// their visibility timeout (120 s for the email queues). Every consumer of that run died with it, so they come back
// sooner: once any attempt of theirs would have ended (the consumer's timeout) and the claims such an attempt made are
// stale (notifications/timing.ts: the timeout plus 5 s), so the redelivery sends the email instead of waiting again.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityBatchCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import type { ServiceManifest } from '../layers/common/manifest';
import { messagingResources } from '../layers/common/resources';

/** Past a consumer's timeout, how long until a claim its attempt made is stale (notifications/timing.ts). */
const CLAIM_STALE_MARGIN_SECONDS = 5;

/** fauxqs accepts any; the SDK insists on some. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface LocalAws {
  endpoint: string;
  port: number;
  queueUrls: Record<string, string>;
  queueArns: Record<string, string>;
  topicArns: Record<string, string>;
  bucket: string;
  stop(): Promise<void>;
}

export async function startAwsEmulator(options: {
  port: number;
  manifests: readonly ServiceManifest[];
  bucket: string;
  /** Keep queues, messages and objects across restarts. */
  dataDir?: string;
}): Promise<LocalAws> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const server = await startFauxqs({
    port: options.port,
    host: 'localhost',
    logger: false,
    ...(options.dataDir ? { dataDir: options.dataDir, s3StorageDir: join(options.dataDir, 's3') } : {}),
  });
  const { topics, queues } = messagingResources(options.manifests);
  const endpoint = server.address.replace('127.0.0.1', 'localhost');
  const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: EMULATOR_CREDENTIALS });
  /**
   * Creates the queue, or keeps the restored one and its messages with the manifest's attributes; messages the last
   * run left in flight come back `resumeInFlightSeconds` from now at the latest.
   */
  const ensureQueue = async (
    name: string,
    attributes: Record<string, string>,
    resumeInFlightSeconds?: number,
  ) => {
    const restored = server.inspectQueue(name);
    if (!restored) return server.createQueue(name, { attributes });
    // Its stored URL carries the port of the run that created it.
    const url = new URL(restored.url);
    url.port = String(server.port);
    const queueUrl = url.toString();
    const stored = restored.attributes as Record<string, string | undefined>;
    const changed = Object.entries(attributes).filter(([key, value]) => stored[key] !== value);
    if (changed.length > 0)
      await sqs.send(
        new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: Object.fromEntries(changed) }),
      );
    if (resumeInFlightSeconds !== undefined) {
      const resumeBy = Date.now() + resumeInFlightSeconds * 1_000;
      const later = restored.messages.inflight.filter(
        ({ visibilityDeadline }) => visibilityDeadline > resumeBy,
      );
      // Ten receipts per call, SQS's batch limit.
      for (let start = 0; start < later.length; start += 10) {
        const { Failed = [] } = await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: later.slice(start, start + 10).map(({ receiptHandle }, index) => ({
              Id: String(start + index),
              ReceiptHandle: receiptHandle,
              VisibilityTimeout: resumeInFlightSeconds,
            })),
          }),
        );
        // A receipt no longer in flight is a message already visible again: what this asks for anyway.
        const failed = Failed.filter((failure) => failure.Code !== 'ReceiptHandleIsInvalid');
        if (failed.length > 0)
          throw new Error(`${name}: in-flight messages kept their visibility: ${failed[0]?.Message}`);
      }
    }
    return { queueUrl, queueArn: restored.arn };
  };
  const queueUrls: Record<string, string> = {};
  const queueArns: Record<string, string> = {};
  const topicArns: Record<string, string> = {};
  for (const topic of topics) topicArns[topic.name] = server.createTopic(topic.name).topicArn;
  for (const queue of queues) {
    const dlq = await ensureQueue(queue.dlqName, { MessageRetentionPeriod: '1209600' });
    queueUrls[queue.dlqName] = dlq.queueUrl;
    queueArns[queue.dlqName] = dlq.queueArn;
    const main = await ensureQueue(
      queue.name,
      {
        VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlq.queueArn,
          maxReceiveCount: queue.maxReceiveCount,
        }),
      },
      queue.consumerTimeoutSeconds + CLAIM_STALE_MARGIN_SECONDS,
    );
    queueUrls[queue.name] = main.queueUrl;
    queueArns[queue.name] = main.queueArn;
    for (const topic of queue.subscribesTo) {
      server.subscribe({ topic, queue: queue.name, attributes: { RawMessageDelivery: 'true' } });
    }
  }
  sqs.destroy();
  server.createBucket(options.bucket);
  return {
    endpoint,
    port: server.port,
    queueUrls,
    queueArns,
    topicArns,
    bucket: options.bucket,
    stop: () => server.stop(),
  };
}
