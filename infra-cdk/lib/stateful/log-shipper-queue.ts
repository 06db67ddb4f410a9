// The log shipper's dead-letter queue: log lines OpenSearch would not take after the shipper's retries, and whole
// batches when the shipper itself failed. Nobody consumes it; an alarm calls a human as soon as anything lands.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LogShipperSpec, ServiceName } from '../../../layers/common/manifest';
import { acknowledge } from '../nag';

export interface LogShipperQueueProps {
  owner: ServiceName;
  spec: LogShipperSpec;
  alarmTopics: readonly sns.ITopic[];
}

export class LogShipperQueue extends Construct {
  /** The manifest's name for it (`deadLetterQueue`), which gives the shipper its QUEUE_URL_<NAME>. */
  readonly name: string;
  readonly queue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: LogShipperQueueProps) {
    super(scope, id);
    this.name = props.spec.deadLetterQueue;
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.queue,
      'SQS3',
      'This queue is itself the dead-letter queue of the log shipper (its on-failure destination and where it ' +
        'puts lines OpenSearch refused); nothing consumes it, so it needs no dead-letter queue of its own.',
    );
    this.alarm = this.queue
      .metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      })
      .createAlarm(this, 'Alarm', {
        alarmDescription: `Log lines the ${props.owner} log shipper could not index into OpenSearch wait in ${this.name}`,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    for (const topic of props.alarmTopics) this.alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
  }
}
