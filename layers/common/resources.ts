// The messaging resources the manifests imply (topics, queues with their dead-letter queues, subscriptions),
// derived in one place for the CDK app and the local emulator alike.
import { functionLimits } from './function-defaults';
import type { ServiceManifest } from './manifest';

export interface QueueResource {
  name: string;
  dlqName: string;
  owner: ServiceManifest['service'];
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
  /** The consuming function's timeout: no receive of it runs longer. */
  consumerTimeoutSeconds: number;
  subscribesTo: string[];
}

export interface MessagingResources {
  topics: { name: string; owner: ServiceManifest['service'] }[];
  queues: QueueResource[];
}

export const DEFAULT_MAX_RECEIVE_COUNT = 5;

export function messagingResources(manifests: readonly ServiceManifest[]): MessagingResources {
  const topics = manifests.flatMap((manifest) =>
    (manifest.topics ?? []).map((name) => ({ name, owner: manifest.service })),
  );
  const topicNames = new Set(topics.map((topic) => topic.name));
  const queues = manifests.flatMap((manifest) =>
    Object.values(manifest.consumers ?? {}).map((consumer): QueueResource => {
      const { timeoutSeconds } = functionLimits('consumer', consumer);
      for (const topic of consumer.subscribesTo ?? []) {
        if (!topicNames.has(topic))
          throw new Error(`Queue ${consumer.queue} subscribes to unknown topic ${topic}`);
      }
      return {
        name: consumer.queue,
        dlqName: `${consumer.queue}-dlq`,
        owner: manifest.service,
        maxReceiveCount: consumer.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT,
        // AWS advises at least six times the function timeout so a retried batch never reappears mid-flight.
        visibilityTimeoutSeconds: consumer.visibilityTimeoutSeconds ?? 6 * timeoutSeconds,
        consumerTimeoutSeconds: timeoutSeconds,
        subscribesTo: consumer.subscribesTo ?? [],
      };
    }),
  );
  const names = [...topics.map((topic) => topic.name), ...queues.map((queue) => queue.name)];
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new Error(`Topic or queue name ${duplicate} is declared twice`);
  return { topics, queues };
}

/** The one bucket for event images and profile pictures. */
export const MEDIA_BUCKET_LOCAL_NAME = 'ticketorleaveit-media';
