// Fires each manifest schedule on its local interval with the event EventBridge sends ("Scheduled Event").
import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import type { FunctionLimits } from '../layers/common/function-defaults';
import { type AnyHandler, invoke, lambdaContext } from './lambda';

export interface ScheduleTarget extends FunctionLimits {
  functionName: string;
  ruleName: string;
  everySeconds: number;
  handler: AnyHandler;
}

export function scheduledEvent(ruleName: string, time = new Date()): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [`arn:aws:events:us-east-1:000000000000:rule/${ruleName}`],
    detail: {},
  };
}

export function startSchedules(targets: ScheduleTarget[], onError: (error: unknown) => void) {
  const timers = targets.map((target) => {
    let busy = false;
    return setInterval(() => {
      // Like a rule whose previous run is still going: skip rather than pile up.
      if (busy) return;
      busy = true;
      const context = lambdaContext(target.functionName, target);
      invoke(target.handler, scheduledEvent(target.ruleName), context, target.timeoutSeconds)
        .catch(onError)
        .finally(() => {
          busy = false;
        });
    }, target.everySeconds * 1000);
  });
  return () => {
    for (const timer of timers) clearInterval(timer);
  };
}
