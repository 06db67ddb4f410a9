// Alarms and the CloudWatch dashboard (requirement 10): API 5xx rate and p99 latency, every function's errors and
// throttles, each database's CPU and connections, plus the business figures the services count with Powertools
// Metrics. Every alarm notifies the platform's alarm topic. (DLQ-depth alarms live with their queues.)
import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { COUNTED_METRICS, METRICS_NAMESPACE } from '../../../layers/common/metric-names';
import type { ServiceFunction } from '../service-function';
import { pascal } from '../settings';

/** Thresholds, in one place so that the README and the alarms agree. */
export const ALARM_THRESHOLDS = {
  /** Percent of API requests answered 5xx, over 3 of 5 minutes (only once there are 20 requests in a minute). */
  api5xxPercent: 2,
  api5xxMinRequests: 20,
  /** p99 of API Gateway's end-to-end latency, over 3 of 5 minutes. */
  apiP99LatencyMs: 2_000,
  /** Lambda Errors (crashes, timeouts) or Throttles of one function within 5 minutes. */
  functionErrors: 1,
  functionThrottles: 1,
  /** Average CPU of a database instance over 15 minutes. */
  databaseCpuPercent: 80,
  /**
   * Connections of a database instance over 15 minutes. A db.t4g.micro allows about 80 (max_connections follows
   * memory); RDS Proxy may use 90 % of them, so 60 leaves room to act before clients wait on the proxy.
   */
  databaseConnections: 60,
  /** Free storage of a database instance below this many bytes (storage autoscaling grows it, up to its cap). */
  databaseFreeStorageBytes: 2 * 1024 ** 3,
  /** Freeable memory of a database instance below this many bytes for 15 minutes. */
  databaseFreeMemoryBytes: 128 * 1024 ** 2,
  /** Oldest message of a consumer queue older than this: its consumer is down or far behind. */
  queueOldestMessageSeconds: 900,
} as const;

/** `TicketsRoutePurchase` or `TicketsMigration/Migrate`: where a function sits in its stack. */
export function constructPathOf(fn: ServiceFunction): string {
  return fn.node.path.split('/').slice(1).join('/');
}

export interface MonitoringProps {
  api: apigw.HttpApi;
  /** Every platform function (routes, consumers, schedules, internal functions, migrations, the log shipper). */
  functions: readonly ServiceFunction[];
  /** RDS instance identifiers by service. */
  databases: ReadonlyMap<string, string>;
  /** Dead-letter queues by name, for the dashboard. */
  deadLetterQueues: ReadonlyMap<string, sqs.IQueue>;
  /** Consumer queues by name: age of their oldest message. */
  queues: ReadonlyMap<string, sqs.IQueue>;
  /** EventBridge rule names of the schedules: failed invocations. */
  scheduleRules: readonly string[];
  /** The log domain's name: cluster status red. */
  logDomainName: string;
  /** Every alarm notifies each of these. */
  alarmTopics: readonly sns.ITopic[];
}

export class Monitoring extends Construct {
  readonly apiAlarms: cloudwatch.Alarm[] = [];
  /** Errors and Throttles alarms by function construct path. */
  readonly functionAlarms = new Map<string, { errors: cloudwatch.Alarm; throttles: cloudwatch.Alarm }>();
  readonly databaseAlarms: cloudwatch.Alarm[] = [];
  /** Queue age, schedule failures, log domain status, payments the reconciliation could not repair. */
  readonly deliveryAlarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const actions = props.alarmTopics.map((topic) => new cloudwatchActions.SnsAction(topic));
    const notify = (alarm: cloudwatch.Alarm) => {
      alarm.addAlarmAction(...actions);
      alarm.addOkAction(...actions);
      return alarm;
    };
    const minute = Duration.minutes(1);
    const fiveMinutes = Duration.minutes(5);
    const t = ALARM_THRESHOLDS;

    // API: 5xx rate and p99 latency.
    const requests = props.api.metricCount({ period: minute, statistic: cloudwatch.Stats.SUM });
    const serverErrors = props.api.metricServerError({ period: minute, statistic: cloudwatch.Stats.SUM });
    const errorRate = new cloudwatch.MathExpression({
      expression: `IF(requests >= ${t.api5xxMinRequests}, 100 * errors / requests, 0)`,
      usingMetrics: { requests, errors: serverErrors },
      period: minute,
      label: 'API 5xx rate (%)',
    });
    const p99 = props.api.metricLatency({ period: minute, statistic: 'p99' });
    this.apiAlarms.push(
      notify(
        errorRate.createAlarm(this, 'Api5xxRate', {
          alarmDescription: `More than ${t.api5xxPercent} % of API requests answered 5xx in 3 of 5 minutes`,
          threshold: t.api5xxPercent,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 5,
          datapointsToAlarm: 3,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      ),
      notify(
        p99.createAlarm(this, 'ApiP99Latency', {
          alarmDescription: `API p99 latency above ${t.apiP99LatencyMs} ms in 3 of 5 minutes`,
          threshold: t.apiP99LatencyMs,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 5,
          datapointsToAlarm: 3,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      ),
    );

    // Lambda: one alarm per function and figure. Alarm math may combine at most 10 metrics, too few to aggregate.
    for (const fn of props.functions) {
      const where = constructPathOf(fn);
      const id = pascal(where);
      const errors = notify(
        fn.fn
          .metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM })
          .createAlarm(this, `${id}Errors`, {
            alarmDescription: `${where}: the function failed (uncaught error or timeout) within 5 minutes`,
            threshold: t.functionErrors,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
      );
      const throttles = notify(
        fn.fn
          .metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM })
          .createAlarm(this, `${id}Throttles`, {
            alarmDescription: `${where}: invocations were throttled within 5 minutes`,
            threshold: t.functionThrottles,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
      );
      this.functionAlarms.set(fn.node.path, { errors, throttles });
    }

    // Databases: CPU and connections per instance.
    const databaseMetric = (identifier: string, metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/RDS',
        metricName,
        dimensionsMap: { DBInstanceIdentifier: identifier },
        period: fiveMinutes,
        statistic,
      });
    for (const [service, identifier] of props.databases) {
      this.databaseAlarms.push(
        notify(
          databaseMetric(identifier, 'CPUUtilization', cloudwatch.Stats.AVERAGE).createAlarm(
            this,
            `${pascal(service)}DatabaseCpu`,
            {
              alarmDescription: `${identifier}: CPU above ${t.databaseCpuPercent} % for 15 minutes`,
              threshold: t.databaseCpuPercent,
              comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
              evaluationPeriods: 3,
              treatMissingData: cloudwatch.TreatMissingData.MISSING,
            },
          ),
        ),
        notify(
          databaseMetric(identifier, 'DatabaseConnections', cloudwatch.Stats.MAXIMUM).createAlarm(
            this,
            `${pascal(service)}DatabaseConnections`,
            {
              alarmDescription: `${identifier}: more than ${t.databaseConnections} connections for 15 minutes`,
              threshold: t.databaseConnections,
              comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
              evaluationPeriods: 3,
              treatMissingData: cloudwatch.TreatMissingData.MISSING,
            },
          ),
        ),
      );
    }

    const above = (
      id: string,
      metric: cloudwatch.Metric,
      threshold: number,
      alarmDescription: string,
      comparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    ) =>
      notify(
        metric.createAlarm(this, id, {
          alarmDescription,
          threshold,
          comparisonOperator,
          evaluationPeriods: 3,
          treatMissingData: cloudwatch.TreatMissingData.MISSING,
        }),
      );
    for (const [service, identifier] of props.databases) {
      this.databaseAlarms.push(
        above(
          `${pascal(service)}DatabaseFreeStorage`,
          databaseMetric(identifier, 'FreeStorageSpace', cloudwatch.Stats.MINIMUM),
          t.databaseFreeStorageBytes,
          `${identifier}: less than 2 GiB of free storage`,
          cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        ),
        above(
          `${pascal(service)}DatabaseFreeMemory`,
          databaseMetric(identifier, 'FreeableMemory', cloudwatch.Stats.MINIMUM),
          t.databaseFreeMemoryBytes,
          `${identifier}: less than 128 MiB of freeable memory for 15 minutes`,
          cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        ),
      );
    }
    for (const [name, queue] of props.queues) {
      this.deliveryAlarms.push(
        above(
          `${pascal(name)}QueueOldestMessage`,
          queue.metricApproximateAgeOfOldestMessage({
            period: fiveMinutes,
            statistic: cloudwatch.Stats.MAXIMUM,
          }),
          t.queueOldestMessageSeconds,
          `Queue ${name}: a message has waited over ${t.queueOldestMessageSeconds} s (consumer down or behind)`,
        ),
      );
    }
    for (const rule of props.scheduleRules) {
      this.deliveryAlarms.push(
        above(
          `${pascal(rule)}ScheduleFailed`,
          new cloudwatch.Metric({
            namespace: 'AWS/Events',
            metricName: 'FailedInvocations',
            dimensionsMap: { RuleName: rule },
            period: fiveMinutes,
            statistic: cloudwatch.Stats.SUM,
          }),
          0,
          `Schedule ${rule}: EventBridge could not invoke its function`,
        ),
      );
    }
    this.deliveryAlarms.push(
      above(
        'LogDomainRed',
        new cloudwatch.Metric({
          namespace: 'AWS/ES',
          metricName: 'ClusterStatus.red',
          dimensionsMap: { DomainName: props.logDomainName, ClientId: Stack.of(this).account },
          period: minute,
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        0,
        `OpenSearch ${props.logDomainName}: cluster status red (a primary shard is unassigned; logs are not indexed)`,
      ),
    );

    // Counted by the reconciliation every 15 minutes, so one period of 15 minutes with anything in it is the signal.
    this.deliveryAlarms.push(
      notify(
        new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: 'PaymentsUnreconciled' satisfies keyof typeof COUNTED_METRICS,
          dimensionsMap: { service: COUNTED_METRICS.PaymentsUnreconciled },
          period: Duration.minutes(15),
          statistic: cloudwatch.Stats.SUM,
        }).createAlarm(this, 'PaymentsUnreconciled', {
          alarmDescription:
            'Payment reconciliation: a succeeded payment it could not repair, or a confirmed paid order without one',
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      ),
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: 'TicketOrLeaveIt',
      defaultInterval: Duration.hours(3),
    });
    const counted = (name: keyof typeof COUNTED_METRICS) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: COUNTED_METRICS[name] },
        period: fiveMinutes,
        statistic: cloudwatch.Stats.SUM,
        label: name,
      });
    const byService = new Map<string, ServiceFunction[]>();
    for (const fn of props.functions) byService.set(fn.service, [...(byService.get(fn.service) ?? []), fn]);
    const perService = (figure: 'Errors' | 'Throttles') =>
      [...byService].map(([service, functions]) => {
        const usingMetrics = Object.fromEntries(
          functions.map((fn, index) => [
            // Ids are unique across the graph, not just the expression.
            `${figure.toLowerCase()}_${service.replace(/\W/g, '_')}_${index}`,
            fn.fn.metric(figure, { period: fiveMinutes, statistic: 'Sum' }),
          ]),
        );
        return new cloudwatch.MathExpression({
          expression: `SUM([${Object.keys(usingMetrics).join(',')}])`,
          usingMetrics,
          period: fiveMinutes,
          label: service,
        });
      });
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = [], width = 8) =>
      new cloudwatch.GraphWidget({ title, left, right, width, height: 6 });

    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          '# TicketOrLeaveIt\nAPI, business figures, functions, queues, databases and log shipping. ' +
          'Follow one request across services in OpenSearch: `npm run logs -- --correlation-id <id>`.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph(
        'API requests and 5xx',
        [requests.with({ label: 'requests' })],
        [serverErrors.with({ label: '5xx' })],
      ),
      graph('API 5xx rate (%)', [errorRate]),
      graph('API latency (ms)', [
        props.api.metricLatency({ period: minute, statistic: 'p50', label: 'p50' }),
        p99.with({ label: 'p99' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Tickets sold and orders refused', [counted('TicketsSold'), counted('OrdersRefused')], [], 12),
      graph('Emails sent and reminders queued', [counted('EmailsSent'), counted('RemindersQueued')], [], 12),
    );
    this.dashboard.addWidgets(
      graph('Function errors by service', perService('Errors'), [], 12),
      graph('Function throttles by service', perService('Throttles'), [], 12),
    );
    this.dashboard.addWidgets(
      graph(
        'Messages waiting in dead-letter queues',
        [...props.deadLetterQueues].map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({
            period: minute,
            statistic: 'Maximum',
            label: name,
          }),
        ),
        [],
        8,
      ),
      graph(
        'Database CPU (%)',
        [...props.databases.values()].map((identifier) =>
          databaseMetric(identifier, 'CPUUtilization', cloudwatch.Stats.AVERAGE).with({ label: identifier }),
        ),
      ),
      graph(
        'Database connections',
        [...props.databases.values()].map((identifier) =>
          databaseMetric(identifier, 'DatabaseConnections', cloudwatch.Stats.MAXIMUM).with({
            label: identifier,
          }),
        ),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Oldest message in consumer queues (s)',
        [...props.queues].map(([name, queue]) =>
          queue.metricApproximateAgeOfOldestMessage({ period: minute, statistic: 'Maximum', label: name }),
        ),
        [],
        12,
      ),
      graph(
        'Database free memory and storage (bytes)',
        [...props.databases.values()].map((identifier) =>
          databaseMetric(identifier, 'FreeableMemory', cloudwatch.Stats.MINIMUM).with({
            label: `${identifier} memory`,
          }),
        ),
        [...props.databases.values()].map((identifier) =>
          databaseMetric(identifier, 'FreeStorageSpace', cloudwatch.Stats.MINIMUM).with({
            label: `${identifier} storage`,
          }),
        ),
        12,
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Log lines shipped to OpenSearch',
        [counted('LogLinesShipped')],
        [counted('LogLinesDeadLettered')],
        12,
      ),
      new cloudwatch.AlarmStatusWidget({
        title: 'Platform alarms',
        alarms: [...this.apiAlarms, ...this.databaseAlarms, ...this.deliveryAlarms],
        width: 12,
        height: 6,
      }),
    );
  }
}
