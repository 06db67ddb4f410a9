// ElastiCache Redis for rate-limit windows and read caches (ADR 003-005): in prod a primary and a replica in two AZs,
// TLS required, an AUTH token from Secrets Manager, encrypted at rest, reachable only from functions that bind redis.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge, checkovSkip } from '../nag';

export const REDIS_PORT = 6379;

export interface CacheProps {
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  nodeType: string;
  /** 1 (dev: no replica) or 2 (prod: a replica in the other AZ with automatic failover). */
  nodes: number;
}

export class Cache extends Construct {
  /** Functions call `connections.allowToDefaultPort(cache)`-style helpers against this. */
  readonly connections: ec2.Connections;
  /** What REDIS_URL carries; `rediss` because transit encryption is required. No credentials: see authSecret. */
  readonly url: string;
  /** The AUTH token, which functions read at cold start (REDIS_AUTH_SECRET_ARN, layers/common/redis.ts). */
  readonly authSecret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Redis: reachable from the functions that bind redis',
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({
      securityGroups: [securityGroup],
      defaultPort: ec2.Port.tcp(REDIS_PORT),
    });

    // ElastiCache takes 16-128 printable characters without @, " or /; letters and digits only keep it simple.
    const authSecret = new secretsmanager.Secret(this, 'AuthToken', {
      description: 'AUTH token of the TicketOrLeaveIt Redis (read by the functions that bind redis)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.authSecret = authSecret;
    const noRotation =
      'Secrets Manager has no rotation function for ElastiCache AUTH tokens; rotating one means setting the new ' +
      'token with AuthTokenUpdateStrategy ROTATE, recycling the functions, then SET (a runbook step, not a ' +
      'schedule). The token is readable only by the functions that bind redis, and the port only from them.';
    acknowledge(authSecret, 'SMG4', noRotation);
    checkovSkip(authSecret, 'CKV2_AWS_57', noRotation);

    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: 'Isolated data subnets for Redis',
      subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
    });
    const group = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: 'TicketOrLeaveIt rate limits and read caches',
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: props.nodeType,
      numCacheClusters: props.nodes,
      automaticFailoverEnabled: props.nodes > 1,
      multiAzEnabled: props.nodes > 1,
      port: REDIS_PORT,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [securityGroup.securityGroupId],
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      // A dynamic reference: CloudFormation resolves it at deploy time, the template never holds the token.
      authToken: authSecret.secretValue.unsafeUnwrap(),
      atRestEncryptionEnabled: true,
      snapshotRetentionLimit: 1,
    });
    // Redis holds only windows and caches that rebuild themselves (ADR 004): nothing to keep once the stack is gone.
    group.applyRemovalPolicy(RemovalPolicy.DESTROY);
    this.url = `rediss://${group.attrPrimaryEndPointAddress}:${REDIS_PORT}`;

    if (props.nodes < 2) {
      acknowledge(
        group,
        'AEC4',
        'A single node in the dev environment: Redis holds only windows and caches that rebuild themselves, and ' +
          'the services fall back to the database without it. prod runs a replica in the other AZ.',
      );
    }
    acknowledge(
      group,
      'AEC5',
      'The port is not a secret worth hiding: only the security groups of functions that bind redis may reach ' +
        'it, and REDIS_URL (read by layers/common/redis.ts) is defined with 6379 by the platform contract.',
    );
  }
}
