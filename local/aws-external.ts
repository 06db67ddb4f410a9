// The LocalStack profile: with AWS_ENDPOINT_URL set, `npm run dev` uses that endpoint instead of the embedded
// emulator and creates the same queues, topics, subscriptions and bucket there through the AWS SDK (idempotently).
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ServiceManifest } from '../layers/common/manifest';
import { messagingResources } from '../layers/common/resources';
import type { LocalAws } from './aws-emulator';

export async function useExternalAws(options: {
  endpoint: string;
  manifests: readonly ServiceManifest[];
  bucket: string;
}): Promise<LocalAws> {
  const config = { endpoint: options.endpoint, region: process.env.AWS_REGION ?? 'us-east-1' };
  const sqs = new SQSClient(config);
  const sns = new SNSClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const { topics, queues } = messagingResources(options.manifests);
  const queueUrls: Record<string, string> = {};
  const queueArns: Record<string, string> = {};
  const topicArns: Record<string, string> = {};

  const createQueue = async (name: string, attributes: Record<string, string>) => {
    const { QueueUrl = '' } = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    queueUrls[name] = QueueUrl;
    queueArns[name] = Attributes?.QueueArn ?? '';
  };
  for (const topic of topics) {
    topicArns[topic.name] = (await sns.send(new CreateTopicCommand({ Name: topic.name }))).TopicArn ?? '';
  }
  for (const queue of queues) {
    await createQueue(queue.dlqName, { MessageRetentionPeriod: '1209600' });
    await createQueue(queue.name, {
      VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: queueArns[queue.dlqName],
        maxReceiveCount: queue.maxReceiveCount,
      }),
    });
    for (const topic of queue.subscribesTo) {
      await sns.send(
        new SubscribeCommand({
          TopicArn: topicArns[topic],
          Protocol: 'sqs',
          Endpoint: queueArns[queue.name],
          Attributes: { RawMessageDelivery: 'true' },
        }),
      );
    }
  }
  try {
    await s3.send(new CreateBucketCommand({ Bucket: options.bucket }));
  } catch (error) {
    if (!/BucketAlready(Owned|Exists)/.test((error as Error).name)) throw error;
  }
  for (const client of [sqs, sns, s3]) client.destroy();
  const port = Number(new URL(options.endpoint).port || 80);
  return {
    endpoint: options.endpoint,
    port,
    queueUrls,
    queueArns,
    topicArns,
    bucket: options.bucket,
    stop: async () => undefined,
  };
}
