// Publishes envelopes to SNS topics or SQS queues named in the manifests; their ARNs/URLs come from the environment.
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { region } from './aws/region';
import { requireEnv } from './config';
import { queueUrlEnv, topicArnEnv } from './env-names';
import type { Envelope } from './messages';
import { timed } from './timings';

/** Where a message goes: a topic (fan-out) or a queue (point to point). */
export type Destination = { topic: string } | { queue: string };

export interface Publisher {
  /** Publishes up to 10 envelopes to one destination; resolves with the ids that failed. */
  publish(destination: Destination, messages: Envelope[]): Promise<{ failedIds: string[] }>;
}

const attributes = (message: Envelope) => ({
  type: { DataType: 'String', StringValue: message.type },
  correlationId: { DataType: 'String', StringValue: message.correlationId },
});

// A publish that hangs must fail (the outbox relay publishes it later) rather than hold its caller and every
// publish queued behind it.
const PUBLISH_TIMEOUTS = { connectionTimeout: 1_000, requestTimeout: 3_000 };

// The SDK clients load on first publish, so a function that may publish does not pay for both clients at cold start.
let sns: Promise<{ client: SNSClient; module: typeof import('@aws-sdk/client-sns') }> | undefined;
let sqs: Promise<{ client: SQSClient; module: typeof import('@aws-sdk/client-sqs') }> | undefined;
const snsApi = () =>
  (sns ??= import('@aws-sdk/client-sns').then((module) => ({
    module,
    client: new module.SNSClient({ region: region(), requestHandler: PUBLISH_TIMEOUTS }),
  })));
const sqsApi = () =>
  (sqs ??= import('@aws-sdk/client-sqs').then((module) => ({
    module,
    // Talk to the configured endpoint, not the queue URL's host: emulators spell queue hosts that do not resolve.
    client: new module.SQSClient({
      region: region(),
      useQueueUrlAsEndpoint: false,
      requestHandler: PUBLISH_TIMEOUTS,
    }),
  })));

const publishNow: Publisher['publish'] = async (destination, messages) => {
  if (messages.length === 0) return { failedIds: [] };
  if ('topic' in destination) {
    const { client, module } = await snsApi();
    const result = await client.send(
      new module.PublishBatchCommand({
        TopicArn: requireEnv(topicArnEnv(destination.topic)),
        PublishBatchRequestEntries: messages.map((message) => ({
          Id: message.id,
          Message: JSON.stringify(message),
          MessageAttributes: attributes(message),
        })),
      }),
    );
    return { failedIds: (result.Failed ?? []).map((failure) => failure.Id ?? '') };
  }
  const { client, module } = await sqsApi();
  const result = await client.send(
    new module.SendMessageBatchCommand({
      QueueUrl: requireEnv(queueUrlEnv(destination.queue)),
      Entries: messages.map((message) => ({
        Id: message.id,
        MessageBody: JSON.stringify(message),
        MessageAttributes: attributes(message),
      })),
    }),
  );
  return { failedIds: (result.Failed ?? []).map((failure) => failure.Id ?? '') };
};

export const awsPublisher: Publisher = {
  publish: (destination, messages) => timed('publish', () => publishNow(destination, messages)),
};
