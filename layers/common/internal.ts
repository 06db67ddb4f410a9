// Synchronous calls between services for the few cases that need an answer now (Lambda Invoke in AWS, the local
// runtime's Invoke endpoint in development). The callee answers { ok, data } or a typed error; the caller gets the
// data or that same typed error back, with retries on transient failures and a circuit breaker per target.
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { requireEnv } from './config';
import { functionNameEnv } from './env-names';
import { AppError, ValidationError } from './errors';
import { getLogger } from './logger';
import { resilient } from './resilience';
import { issuesToFieldErrors } from './validation';

export interface InternalRequest<T = unknown> {
  correlationId: string;
  payload: T;
}

export type InternalResponse<T = unknown> =
  | { ok: true; data: T }
  | {
      ok: false;
      error: {
        status: number;
        slug: string;
        title: string;
        detail: string;
        extensions: Record<string, unknown>;
      };
    };

/** A remote typed error, rebuilt on the caller's side so it maps to the same problem+json. */
export class RemoteError extends AppError {}

/** The callee side: validates the payload, runs the function, and turns typed errors into a response. */
export function internalHandler<S extends z.ZodType, R>(
  service: string,
  schema: S,
  fn: (payload: z.output<S>, correlationId: string) => Promise<R>,
) {
  const logger = getLogger(service);
  return async (event: InternalRequest, context: Context): Promise<InternalResponse<R>> => {
    logger.addContext(context);
    logger.appendKeys({ correlation_id: event?.correlationId });
    try {
      const parsed = schema.safeParse(event?.payload);
      if (!parsed.success) throw new ValidationError(issuesToFieldErrors('body', parsed.error.issues));
      return { ok: true, data: await fn(parsed.data, event.correlationId) };
    } catch (error) {
      if (error instanceof AppError) {
        return {
          ok: false,
          error: {
            status: error.status,
            slug: error.slug,
            title: error.title,
            detail: error.message,
            extensions: error.extensions,
          },
        };
      }
      logger.error('internal call failed', { error: error as Error });
      throw error;
    } finally {
      logger.resetKeys();
    }
  };
}

type LambdaApi = {
  client: import('@aws-sdk/client-lambda').LambdaClient;
  module: typeof import('@aws-sdk/client-lambda');
};
let lambda: Promise<LambdaApi> | undefined;
const lambdaApi = () =>
  (lambda ??= import('@aws-sdk/client-lambda').then((module) => ({
    module,
    client: new module.LambdaClient({}),
  })));

const policies = new Map<string, ReturnType<typeof resilient>>();

/** Thrown when the target failed (crashed, timed out, or its circuit is open): callers degrade or answer 503. */
export class InternalCallError extends Error {
  override name = 'InternalCallError';
}

/** Calls "<service>.<name>" and returns its data, or throws its typed error. */
export async function invokeInternal<T>(target: string, payload: unknown, correlationId: string): Promise<T> {
  let policy = policies.get(target);
  if (!policy) {
    policy = resilient(
      { maxAttempts: 3, retryOn: (error) => error instanceof InternalCallError },
      { threshold: 5, halfOpenAfterMs: 10_000, name: target },
    );
    policies.set(target, policy);
  }
  const response = await policy.execute(async () => {
    const { client, module } = await lambdaApi();
    let result: import('@aws-sdk/client-lambda').InvokeCommandOutput;
    try {
      result = await client.send(
        new module.InvokeCommand({
          FunctionName: requireEnv(functionNameEnv(target)),
          Payload: Buffer.from(JSON.stringify({ correlationId, payload } satisfies InternalRequest)),
        }),
      );
    } catch (error) {
      throw new InternalCallError(`${target} could not be invoked: ${(error as Error).message}`);
    }
    const body = result.Payload ? Buffer.from(result.Payload).toString('utf8') : '';
    if (result.FunctionError) throw new InternalCallError(`${target} failed: ${body.slice(0, 300)}`);
    return JSON.parse(body) as InternalResponse<T>;
  });
  if (response.ok) return response.data;
  const { status, slug, title, detail, extensions } = response.error;
  throw new RemoteError(status, slug, title, detail, extensions);
}
