// The OpenSearch domain that centralizes every function's logs (requirement 10): one small node in the VPC,
// encrypted at rest and between nodes, HTTPS only, access granted by IAM identity policies within this account.
import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';

export const LOG_DOMAIN_NAME = 'tol-logs';

export interface LogSearchProps {
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
}

export class LogSearch extends Construct {
  readonly domain: opensearch.Domain;
  /** Functions with the `logSearch` bind reach 443 through this (ServiceFunction.bindLogSearch). */
  readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: LogSearchProps) {
    super(scope, id);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'OpenSearch: HTTPS from log shippers only',
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({
      securityGroups: [securityGroup],
      defaultPort: ec2.Port.tcp(443),
    });

    const logGroup = (name: string) =>
      new logs.LogGroup(this, name, {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    const slowSearchLogGroup = logGroup('SlowSearchLogs');
    const slowIndexLogGroup = logGroup('SlowIndexLogs');
    const appLogGroup = logGroup('AppLogs');
    // Our own resource policy instead of the construct's, which would add a custom-resource Lambda to the stack.
    const logsPolicy = new logs.ResourcePolicy(this, 'LogsResourcePolicy', {
      policyStatements: [
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('es.amazonaws.com')],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [slowSearchLogGroup, slowIndexLogGroup, appLogGroup].map((group) => group.logGroupArn),
          conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
        }),
      ],
    });

    const [subnet] = props.vpc.selectSubnets(props.subnets).subnets;
    // Creating a VPC domain needs the AWSServiceRoleForAmazonOpenSearchService service-linked role; AWS creates
    // it with the first VPC domain of an account, so it is not declared here (declaring it fails where it exists).
    this.domain = new opensearch.Domain(this, 'Domain', {
      domainName: LOG_DOMAIN_NAME,
      version: opensearch.EngineVersion.OPENSEARCH_2_19,
      vpc: props.vpc,
      // One data node lives in one subnet.
      vpcSubnets: [{ subnets: subnet ? [subnet] : [] }],
      securityGroups: [securityGroup],
      capacity: { dataNodes: 1, dataNodeInstanceType: 't3.small.search', multiAzWithStandbyEnabled: false },
      ebs: { volumeSize: 10, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      nodeToNodeEncryption: true,
      encryptionAtRest: { enabled: true },
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2,
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup,
        slowIndexLogEnabled: true,
        slowIndexLogGroup,
        appLogEnabled: true,
        appLogGroup,
      },
      suppressLogsResourcePolicy: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.domain.node.addDependency(logsPolicy);

    // Set on the L1 resource: the construct's `accessPolicies` would apply them through a custom-resource Lambda.
    // The ARN is spelled out because referencing the domain's own attribute would be circular.
    const cfnDomain = this.domain.node.defaultChild as opensearch.CfnDomain;
    cfnDomain.accessPolicies = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          principals: [new iam.AccountRootPrincipal()],
          actions: ['es:ESHttp*'],
          resources: [
            Stack.of(this).formatArn({
              service: 'es',
              resource: 'domain',
              resourceName: `${LOG_DOMAIN_NAME}/*`,
            }),
          ],
        }),
      ],
    }).toJSON();

    acknowledge(
      cfnDomain,
      'OS3',
      'The domain has no public endpoint: it lives in isolated VPC subnets and its security group admits only log ' +
        'shippers, so an IP allow-list would add nothing. The access policy delegates to IAM policies in this account.',
    );
    acknowledge(
      cfnDomain,
      'OS4',
      'One t3.small.search node holds a copy of logs whose source stays in CloudWatch Logs for a month; dedicated ' +
        'masters would triple the cost of a store we can rebuild by re-shipping.',
    );
    acknowledge(
      cfnDomain,
      'OS7',
      'Zone awareness needs at least two data nodes; for a rebuildable log copy one node in one AZ is enough ' +
        '(CloudWatch Logs keeps the originals).',
    );
  }
}
