// SNS topics and SQS queues as the manifests declare them (derived by layers/common/resources, like the local
// emulator): every queue with its DLQ and an alarm on it, subscribed with raw delivery to the topics it consumes.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ServiceManifest } from '../../../layers/common/manifest';
import { messagingResources } from '../../../layers/common/resources';
import { pascal } from '../settings';

export interface MessagingProps {
  manifests: readonly ServiceManifest[];
  alarmEmail?: string;
  /** Another topic (pager, chat bridge) that receives every alarm as well. */
  alarmTopicArn?: string;
}

export class Messaging extends Construct {
  readonly topics = new Map<string, sns.Topic>();
  /** Consumer queues by manifest queue name. */
  readonly queues = new Map<string, sqs.Queue>();
  readonly deadLetterQueues = new Map<string, sqs.Queue>();
  /** Where operational alarms go: the email recipient subscribes here. */
  readonly alarmTopic: sns.Topic;
  /** Every alarm's actions: the alarm topic and, when configured, the operator's own topic. */
  readonly alarmTopics: sns.ITopic[];

  constructor(scope: Construct, id: string, props: MessagingProps) {
    super(scope, id);
    const resources = messagingResources(props.manifests);

    // A customer managed key: SNS topics must name one for cdk-nag's SNS2 and, unlike aws/sns, its policy can let
    // CloudWatch publish alarms to an encrypted topic.
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts TicketOrLeaveIt SNS topics',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'TicketOrLeaveIt alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail)
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    // SNS cannot subscribe a topic to a topic, so alarms name the operator's topic as a second action.
    this.alarmTopics = [
      this.alarmTopic,
      ...(props.alarmTopicArn
        ? [sns.Topic.fromTopicArn(this, 'OperatorAlarmTopic', props.alarmTopicArn)]
        : []),
    ];

    for (const topic of resources.topics) {
      this.topics.set(
        topic.name,
        new sns.Topic(this, `${pascal(topic.name)}Topic`, {
          displayName: `${topic.name} (${topic.owner})`,
          masterKey: key,
          enforceSSL: true,
        }),
      );
    }

    for (const spec of resources.queues) {
      const id = pascal(spec.name);
      const deadLetterQueue = new sqs.Queue(this, `${id}Dlq`, {
        // SQS-managed SSE: SNS can deliver to it without a key grant, and nothing here needs key-level audit.
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        // The longest SQS allows: a poison message waits here for a human.
        retentionPeriod: Duration.days(14),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const queue = new sqs.Queue(this, `${id}Queue`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      for (const topicName of spec.subscribesTo) {
        // messagingResources has already rejected unknown topics.
        this.topics
          .get(topicName)
          ?.addSubscription(new subscriptions.SqsSubscription(queue, { rawMessageDelivery: true }));
      }

      const alarm = deadLetterQueue
        .metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        })
        .createAlarm(this, `${id}DlqAlarm`, {
          alarmDescription: `Messages of queue ${spec.name} (owner ${spec.owner}) failed ${spec.maxReceiveCount} times and wait in its DLQ`,
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      for (const topic of this.alarmTopics) alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));

      this.queues.set(spec.name, queue);
      this.deadLetterQueues.set(spec.name, deadLetterQueue);
    }
  }
}
