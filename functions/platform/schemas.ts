// Request and response schemas of the platform's own endpoints.
import * as z from 'zod';

export const dependencyStatus = z.object({
  status: z.enum(['up', 'degraded']),
  latencyMs: z.number().int().nonnegative().optional(),
  detail: z.string().optional(),
});

export const healthResponse = z.object({
  status: z.enum(['ok', 'degraded', 'unavailable']),
  time: z.iso.datetime(),
  dependencies: z.record(z.string(), dependencyStatus),
});
export type HealthResponse = z.infer<typeof healthResponse>;

export const problemResponse = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z
    .array(
      z.object({ in: z.enum(['path', 'query', 'body', 'header']), field: z.string(), message: z.string() }),
    )
    .optional(),
});
