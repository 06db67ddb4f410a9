// Business figures as CloudWatch metrics (Powertools Metrics, embedded metric format on stdout): one Metrics object per
// service in namespace TicketOrLeaveIt, flushed at the end of each invocation by the HTTP and consumer wrappers
// (`withMetrics` does it for other handlers). The local runtime turns EMF output off (POWERTOOLS_METRICS_DISABLED).
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type CountedMetric, METRICS_NAMESPACE } from './metric-names';

export { COUNTED_METRICS, type CountedMetric, METRICS_NAMESPACE } from './metric-names';

const instances = new Map<string, Metrics>();

/** The Metrics object of a service, created once per container. */
export function getMetrics(service: string): Metrics {
  let metrics = instances.get(service);
  if (!metrics) {
    metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service });
    instances.set(service, metrics);
  }
  return metrics;
}

/** Adds `value` to a count; emitted when the invocation ends. Never throws. */
export function countMetric(service: string, name: CountedMetric, value = 1): void {
  if (!(value > 0)) return;
  try {
    getMetrics(service).addMetric(name, MetricUnit.Count, value);
  } catch {
    // A metric is never worth failing a purchase or an email for.
  }
}

/**
 * Writes the stored metrics (one EMF line per service that has any) and clears them. Called once per invocation.
 * Services with nothing stored print nothing (Powertools would warn "No application metrics to publish").
 */
export function flushMetrics(): void {
  for (const metrics of instances.values()) {
    if (!metrics.hasStoredMetrics()) continue;
    try {
      metrics.publishStoredMetrics();
    } catch {
      metrics.clearMetrics();
    }
  }
}

/** Wraps a handler that no platform wrapper flushes for (a schedule, say) so its metrics leave with the invocation. */
export function withMetrics<A extends unknown[], R>(handler: (...args: A) => Promise<R>) {
  return async (...args: A): Promise<R> => {
    try {
      return await handler(...args);
    } finally {
      flushMetrics();
    }
  };
}
