// Publishes envelopes to SNS topics or SQS queues named in the manifests; their ARNs/URLs come from the environment.
import { PublishBatchCommand } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { snsClient, sqsClient } from './aws';
import { requireEnv } from './config';
import { type Envelope, queueUrlEnv, topicArnEnv } from './messages';

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

export const awsPublisher: Publisher = {
  async publish(destination, messages) {
    if (messages.length === 0) return { failedIds: [] };
    if ('topic' in destination) {
      const result = await snsClient().send(
        new PublishBatchCommand({
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
    const result = await sqsClient().send(
      new SendMessageBatchCommand({
        QueueUrl: requireEnv(queueUrlEnv(destination.queue)),
        Entries: messages.map((message) => ({
          Id: message.id,
          MessageBody: JSON.stringify(message),
          MessageAttributes: attributes(message),
        })),
      }),
    );
    return { failedIds: (result.Failed ?? []).map((failure) => failure.Id ?? '') };
  },
};
