// SQS, SNS and S3 from fauxqs, in process. Queues (with their DLQs and redrive policies), topics, subscriptions
// and the media bucket are created from the same manifest-derived definitions the CDK app uses.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startFauxqs } from 'fauxqs';
import type { ServiceManifest } from '../layers/common/manifest';
import { messagingResources } from '../layers/common/resources';

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
  const queueUrls: Record<string, string> = {};
  const queueArns: Record<string, string> = {};
  const topicArns: Record<string, string> = {};
  for (const topic of topics) topicArns[topic.name] = server.createTopic(topic.name).topicArn;
  for (const queue of queues) {
    const dlq = server.createQueue(queue.dlqName, { attributes: { MessageRetentionPeriod: '1209600' } });
    queueUrls[queue.dlqName] = dlq.queueUrl;
    queueArns[queue.dlqName] = dlq.queueArn;
    const main = server.createQueue(queue.name, {
      attributes: {
        VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlq.queueArn,
          maxReceiveCount: queue.maxReceiveCount,
        }),
      },
    });
    queueUrls[queue.name] = main.queueUrl;
    queueArns[queue.name] = main.queueArn;
    for (const topic of queue.subscribesTo) {
      server.subscribe({ topic, queue: queue.name, attributes: { RawMessageDelivery: 'true' } });
    }
  }
  server.createBucket(options.bucket);
  return {
    endpoint: server.address.replace('127.0.0.1', 'localhost'),
    port: server.port,
    queueUrls,
    queueArns,
    topicArns,
    bucket: options.bucket,
    stop: () => server.stop(),
  };
}
