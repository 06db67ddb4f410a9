// The edge's AWS WAF web ACL, which CloudFront requires in us-east-1: AWS managed rule groups (common exploits, known
// bad inputs, IP reputation) and per-IP rate limits, stricter on sign-in and purchases. The web stack's distribution
// names it through Fn::GetStackOutput, which reads outputs across regions, so this stack deploys first.
import { CfnOutput, Duration, Stack, type StackProps, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { ServiceManifest } from '../../layers/common/manifest';
import { acknowledge, checkovSkip } from './nag';
import { type SensitiveRoute, sensitiveRoutes } from './sensitive-routes';

export const EDGE_REGION = 'us-east-1';
export const WEB_ACL_OUTPUT = 'WebAclArn';
const WEB_ACL_NAME = 'ticketorleaveit-edge';

/** Requests per IP per window before WAF blocks that IP for the rest of the window. */
export const WAF_RATE_LIMITS = {
  /** Everything: a browser session makes a few hundred requests in 5 minutes at most. */
  all: { limit: 2_000, windowSeconds: 300 },
  /** Token, register, password and sign-in pages: guessing passwords needs many tries. */
  'sign-in': { limit: 100, windowSeconds: 300 },
  /** Buying: a person buys a few times in a sale; a bot hammers. */
  purchase: { limit: 60, windowSeconds: 300 },
} as const;

export interface EdgeStackProps extends StackProps {
  manifests: readonly ServiceManifest[];
  /** Where the blocked-requests alarm is emailed (alarms can only notify topics of their own region). */
  alarmEmail?: string;
}

export class EdgeStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;
  readonly blockedAlarm: cloudwatch.Alarm;
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const managed = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      overrideAction: { none: {} },
      visibilityConfig: visibility(name),
    });
    const rateRule = (
      name: string,
      priority: number,
      limits: { limit: number; windowSeconds: number },
      scopeDownStatement?: wafv2.CfnWebACL.StatementProperty,
    ): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      action: { block: {} },
      statement: {
        rateBasedStatement: {
          limit: limits.limit,
          evaluationWindowSec: limits.windowSeconds,
          aggregateKeyType: 'IP',
          ...(scopeDownStatement ? { scopeDownStatement } : {}),
        },
      },
      visibilityConfig: visibility(name),
    });

    const routes = sensitiveRoutes(props.manifests);
    const limitedTo = (group: SensitiveRoute['group']) =>
      orStatements(routes.filter((r) => r.group === group));
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: WEB_ACL_NAME,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('ticketorleaveit-edge'),
      rules: [
        managed('AWSManagedRulesAmazonIpReputationList', 0),
        managed('AWSManagedRulesCommonRuleSet', 1),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 2),
        ...limitedTo('sign-in').map((statement) =>
          rateRule('RateSignIn', 10, WAF_RATE_LIMITS['sign-in'], statement),
        ),
        ...limitedTo('purchase').map((statement) =>
          rateRule('RatePurchase', 11, WAF_RATE_LIMITS.purchase, statement),
        ),
        rateRule('RateAll', 12, WAF_RATE_LIMITS.all),
      ],
    });
    new CfnOutput(this, WEB_ACL_OUTPUT, {
      value: this.webAcl.attrArn,
      description: 'The web ACL the distribution uses',
    });

    // A spike of blocked requests is an attack or a rule blocking real buyers: either way someone should look.
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'TicketOrLeaveIt edge alarms',
      enforceSSL: true,
    });
    if (props.alarmEmail)
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const plain =
      'Carries only alarm state changes about request counts; an encrypted topic would need a key policy for ' +
      'CloudWatch in this region too, for messages that hold nothing confidential.';
    acknowledge(this.alarmTopic, 'SNS2', plain);
    checkovSkip(this.alarmTopic, 'CKV_AWS_26', plain);
    this.blockedAlarm = new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: WEB_ACL_NAME, Rule: 'ALL' },
      period: Duration.minutes(5),
      statistic: cloudwatch.Stats.SUM,
    }).createAlarm(this, 'BlockedRequestsSpike', {
      alarmDescription:
        'WAF blocked more than 1000 requests in 5 minutes: an attack, or a rule blocking buyers',
      threshold: 1_000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.blockedAlarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
  }
}

/** The web ACL's ARN in the web stack, read across regions from this stack's output. */
export function webAclArnFrom(stackName: string): string {
  return Token.asString({
    'Fn::GetStackOutput': { StackName: stackName, OutputName: WEB_ACL_OUTPUT, Region: EDGE_REGION },
  });
}

/** Matches any of the routes (none: no statement, so no rule): the method and the path, `{param}` as a wildcard. */
function orStatements(routes: readonly SensitiveRoute[]): wafv2.CfnWebACL.StatementProperty[] {
  const statements = routes.map(routeStatement);
  if (statements.length <= 1) return statements;
  return [{ orStatement: { statements } }];
}

function routeStatement(route: SensitiveRoute): wafv2.CfnWebACL.StatementProperty {
  const text = (fieldToMatch: object, searchString: string, positionalConstraint: string) => ({
    byteMatchStatement: {
      fieldToMatch,
      searchString,
      positionalConstraint,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  });
  const method = text({ method: {} }, route.method, 'EXACTLY');
  // A path with parameters is matched by its fixed start and end (`/v1/events/` ... `/orders`).
  const [head, ...rest] = route.path.split(/\{[^}]+\}/);
  const tail = rest.at(-1);
  const path =
    rest.length === 0
      ? [text({ uriPath: {} }, route.path, 'EXACTLY')]
      : [
          text({ uriPath: {} }, head ?? '/', 'STARTS_WITH'),
          ...(tail ? [text({ uriPath: {} }, tail, 'ENDS_WITH')] : []),
        ];
  return { andStatement: { statements: [method, ...path] } };
}
