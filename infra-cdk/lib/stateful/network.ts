// The VPC: isolated subnets for the data tier, private subnets with egress for Lambda, flow logs to the log bucket.
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface NetworkProps {
  flowLogBucket: s3.IBucket;
  /** 1 (dev) or one per AZ (prod). */
  natGateways: number;
}

export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** Where functions that reach the database or Redis run. */
  readonly lambdaSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
  /** Where RDS, RDS Proxy, Redis and OpenSearch live: no route to or from the internet. */
  readonly dataSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      // VPC functions still call Secrets Manager, SNS, SQS, SES and X-Ray through NAT. prod runs one NAT per AZ
      // (about $33 a month each), so losing an AZ leaves the other AZ's functions their way out; interface
      // endpoints for those five would cost about 5 x 2 AZs x $7.3 = $73. dev accepts one NAT: losing its AZ cuts
      // egress of VPC functions until it returns. S3 traffic takes the free gateway endpoint instead of the NAT.
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        // Lambda's shared ENIs take one address per security group and subnet; /20 leaves ample room.
        { name: 'lambda', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toS3(props.flowLogBucket, 'vpc-flow-logs/'),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
  }
}
