// The media bucket (event images, profile pictures; browsers upload with presigned POST) and the log bucket that
// receives its server access logs and the VPC flow logs.
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EXPORT_KEEP_DAYS } from '../../../events/contracts/privacy';
import { checkovSkip } from '../nag';

/**
 * The media bucket's name. Fixed (per account and region) so the stateless stack can address it without a
 * CloudFormation export, and so IAM statements name it literally instead of through an import.
 */
export const mediaBucketName = (): string => `ticketorleaveit-media-${Aws.ACCOUNT_ID}-${Aws.REGION}`;

export interface BucketsProps {
  corsOrigins: string[];
}

export class Buckets extends Construct {
  readonly logs: s3.Bucket;
  readonly media: s3.Bucket;

  constructor(scope: Construct, id: string, props: BucketsProps) {
    super(scope, id);
    this.logs = new s3.Bucket(this, 'Logs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Server access log delivery supports SSE-S3 only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // No access logs of its own: cdk-nag (S1) accepts a bucket that is the log destination of another one.
    checkovSkip(this.logs, 'CKV_AWS_18', 'The log bucket itself: access logs of a log bucket would loop.');
    checkovSkip(
      this.logs,
      'CKV_AWS_21',
      'Append-only logs expired after a year: no object is ever overwritten.',
    );

    this.media = new s3.Bucket(this, 'Media', {
      bucketName: mediaBucketName(),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'media/',
      cors: [
        {
          // Presigned POST uploads from the browser; GET/HEAD to show what was uploaded.
          allowedMethods: [s3.HttpMethods.POST, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
          // The web app's origin (its CloudFront domain) is created after this stack and cannot be named here; an
          // upload needs a presigned POST policy whatever the origin, so any origin may send one.
          allowedOrigins: props.corsOrigins.length > 0 ? props.corsOrigins : ['*'],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag', 'Location'],
          maxAge: 3600,
        },
      ],
      lifecycleRules: [
        // Versioning guards against an overwrite or delete by mistake; old versions need not live forever.
        {
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        // Data exports (GDPR art. 15) are offered for EXPORT_KEEP_DAYS; a day later S3 removes them, and parts an
        // export never collected, without any job of ours. Personal data: no old version is kept past a day.
        {
          prefix: 'exports/',
          expiration: Duration.days(EXPORT_KEEP_DAYS + 1),
          noncurrentVersionExpiration: Duration.days(1),
        },
        // Profile pictures (users/<id>/pictures/) are personal data too: deleting an account's (or replacing one)
        // leaves its old version for a day only, not the 30 days above (the shorter of overlapping rules wins).
        { prefix: 'users/', noncurrentVersionExpiration: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
