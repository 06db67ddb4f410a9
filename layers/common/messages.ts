// The envelope every message between services travels in.
import { randomUUID } from 'node:crypto';
import * as z from 'zod';

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
