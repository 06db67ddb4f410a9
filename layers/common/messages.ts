// The envelope every message between services travels in, and the names of the env vars that locate queues and topics.
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { envKey } from './config';

export const envelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime(),
  correlationId: z.string().min(1),
  source: z.string().min(1),
  data: z.unknown(),
});
export type Envelope<T = unknown> = Omit<z.infer<typeof envelopeSchema>, 'data'> & { data: T };

export function envelope<T>(
  source: string,
  type: string,
  version: number,
  data: T,
  correlationId: string,
): Envelope<T> {
  return {
    id: randomUUID(),
    type,
    version,
    occurredAt: new Date().toISOString(),
    correlationId,
    source,
    data,
  };
}

export const topicArnEnv = (topic: string) => envKey('TOPIC_ARN', topic);
export const queueUrlEnv = (queue: string) => envKey('QUEUE_URL', queue);
