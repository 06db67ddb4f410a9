// A manifest entry gets the same memory and timeout from the CDK app's plan as from the local runtime's Lambda
// context, whether it states them or not.
import { describe, expect, it } from 'vitest';
import { functionPlans } from '../../../infra-cdk/lib/plan';
import { type FunctionKind, functionLimits } from '../../../layers/common/function-defaults';
import { defineService } from '../../../layers/common/manifest';
import { lambdaContext } from '../../../local/lambda';

const entry = (handler: string) => ({ handler, summary: handler });
const manifest = defineService({
  service: 'events',
  description: 'limits fixture',
  database: false,
  routes: {
    plainRoute: { ...entry('a.ts'), method: 'GET', path: '/a', auth: false, responses: {} },
    sizedRoute: {
      ...entry('b.ts'),
      method: 'GET',
      path: '/b',
      auth: false,
      responses: {},
      memoryMb: 1024,
      timeoutSeconds: 25,
    },
  },
  consumers: {
    plainConsumer: { ...entry('c.ts'), queue: 'plain' },
    sizedConsumer: { ...entry('d.ts'), queue: 'sized', memoryMb: 256, timeoutSeconds: 40 },
  },
  schedules: {
    plainSchedule: { ...entry('e.ts'), name: 'plain', expression: 'rate(1 minute)', localEverySeconds: 60 },
    sizedSchedule: {
      ...entry('f.ts'),
      name: 'sized',
      expression: 'rate(1 hour)',
      localEverySeconds: 60,
      memoryMb: 128,
      timeoutSeconds: 300,
    },
  },
  functions: { plainInternal: entry('g.ts') },
});

/** What the local runtime hands the function: Lambda's context for these limits. */
function localLimits(kind: FunctionKind, spec: { memoryMb?: number; timeoutSeconds?: number }) {
  const context = lambdaContext('fixture', functionLimits(kind, spec));
  return {
    memoryMb: Number(context.memoryLimitInMB),
    timeoutSeconds: Math.ceil(context.getRemainingTimeInMillis() / 1000),
  };
}

describe('function limits', () => {
  const planned = new Map(functionPlans(manifest).map((plan) => [plan.name, plan]));
  const specs = {
    ...manifest.routes,
    ...manifest.consumers,
    ...manifest.schedules,
    ...manifest.functions,
  } as Record<string, { memoryMb?: number; timeoutSeconds?: number }>;

  it.each([
    ['plainRoute', 512, 10],
    ['sizedRoute', 1024, 25],
    ['plainConsumer', 512, 10],
    ['sizedConsumer', 256, 40],
    ['plainSchedule', 512, 60],
    ['sizedSchedule', 128, 300],
    ['plainInternal', 512, 10],
  ])('gives %s %i MB and %i s in AWS and locally', (name, memoryMb, timeoutSeconds) => {
    const plan = planned.get(name);
    expect(plan && { memoryMb: plan.memoryMb, timeoutSeconds: plan.timeoutSeconds }).toEqual({
      memoryMb,
      timeoutSeconds,
    });
    expect(localLimits(plan?.kind ?? 'route', specs[name] ?? {})).toEqual({ memoryMb, timeoutSeconds });
  });
});
