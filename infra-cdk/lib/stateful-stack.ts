// Everything that holds data or network identity: VPC, one PostgreSQL per service, Redis, buckets, topics and
// queues, the log domain. Kept apart from the functions so that shipping code never replaces any of it.
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { ServiceManifest, ServiceName } from '../../layers/common/manifest';
import { acknowledge, checkovSkip } from './nag';
import type { AppSettings } from './settings';
import { pascal } from './settings';
import { DatabaseBackup } from './stateful/backup';
import { Buckets, mediaBucketName } from './stateful/buckets';
import { Cache } from './stateful/cache';
import { LogSearch } from './stateful/log-search';
import { LogShipperQueue } from './stateful/log-shipper-queue';
import { Messaging } from './stateful/messaging';
import { Network } from './stateful/network';
import { ServiceDatabase } from './stateful/service-database';

export interface StatefulStackProps extends StackProps {
  manifests: readonly ServiceManifest[];
  settings: AppSettings;
}

export class StatefulStack extends Stack {
  readonly network: Network;
  readonly databases = new Map<ServiceName, ServiceDatabase>();
  readonly cache: Cache;
  readonly buckets: Buckets;
  readonly mediaBucketName = mediaBucketName();
  readonly messaging: Messaging;
  readonly logSearch: LogSearch;
  /** Present when a manifest declares the log shipper. */
  readonly logShipperQueue?: LogShipperQueue;
  /** The customer-managed key of the data tier (databases, Performance Insights, backups). */
  readonly dataKey: kms.Key;
  /** The Stripe keys the tickets service pays with; its value is set by ops (README, Deploying). */
  readonly paymentsSecret: secretsmanager.Secret;
  /** The key of the TOTP secrets (two-step sign-in), generated here; the auth functions that check codes read it. */
  readonly totpKeySecret: secretsmanager.Secret;
  /** prod's AWS Backup plan, with copies to the second region. */
  readonly backup?: DatabaseBackup;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    this.buckets = new Buckets(this, 'Buckets', { corsOrigins: props.settings.corsOrigins });
    const { environment } = props.settings;
    this.network = new Network(this, 'Network', {
      flowLogBucket: this.buckets.logs,
      natGateways: environment.natGateways,
    });
    const { vpc, dataSubnets } = this.network;
    // One key we own for every copy of the orders: its policy, rotation and audit trail are ours, and a backup copied
    // to another region stays readable only through keys of this account.
    this.dataKey = new kms.Key(this, 'DataKey', {
      description: 'Encrypts TicketOrLeaveIt databases, their Performance Insights and backups',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const logRetention = retentionDays(environment.logRetentionDays);

    for (const manifest of props.manifests.filter((candidate) => candidate.database)) {
      this.databases.set(
        manifest.service,
        new ServiceDatabase(this, `${pascal(manifest.service)}Database`, {
          service: manifest.service,
          vpc,
          subnets: dataSubnets,
          rotationSubnets: this.network.lambdaSubnets,
          environment,
          key: this.dataKey,
          logRetention,
        }),
      );
    }
    if (environment.backupPlan && this.databases.size > 0) {
      this.backup = new DatabaseBackup(this, 'Backup', {
        databases: [...this.databases.values()],
        key: this.dataKey,
        copyRegion: props.settings.backupCopyRegion,
      });
    }
    this.cache = new Cache(this, 'Redis', { vpc, subnets: dataSubnets, ...environment.redis });
    this.paymentsSecret = new secretsmanager.Secret(this, 'StripeKeys', {
      description:
        'Stripe keys of the tickets service, set before the first paid sale: ' +
        'JSON {"secretKey": "sk_live_...", "webhookSecret": "whsec_..."}',
      // Secrets Manager's own key, like the database secrets: a key of this stack would need the functions' roles in
      // its policy, which live in the service stacks that depend on this one.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stripeRotation =
      'Stripe keys are rolled in Stripe (a new restricted key and webhook signing secret) and then written here ' +
      'by ops; Secrets Manager has no way to rotate them itself. Readable only by the functions that take payments.';
    acknowledge(this.paymentsSecret, 'SMG4', stripeRotation);
    checkovSkip(this.paymentsSecret, 'CKV2_AWS_57', stripeRotation);
    // 64 letters and digits (~380 bits); functions derive the AES-256 key from it (HKDF, functions/auth/totp-secrets.ts).
    this.totpKeySecret = new secretsmanager.Secret(this, 'TotpEncryptionKey', {
      description:
        'Key of the TOTP secrets of two-step sign-in (auth). To rotate: put "<new>,<old>" as the value, recycle ' +
        'the auth functions, and drop the old key once every secret has been read (each is sealed again on read)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      // Losing it would turn two-step sign-in off for good for every account that uses it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const totpRotation =
      'Secrets Manager cannot re-encrypt the TOTP secrets; rotating this key is the documented two-key procedure in ' +
      'its description (a runbook step). Readable only by the auth functions that check codes or enrol.';
    acknowledge(this.totpKeySecret, 'SMG4', totpRotation);
    checkovSkip(this.totpKeySecret, 'CKV2_AWS_57', totpRotation);
    this.messaging = new Messaging(this, 'Messaging', {
      manifests: props.manifests,
      alarmEmail: props.settings.alarmEmail,
      alarmTopicArn: props.settings.alarmTopicArn,
    });
    this.logSearch = new LogSearch(this, 'LogSearch', { vpc, subnets: dataSubnets });
    const shipper = props.manifests.find((manifest) => manifest.logShipper);
    if (shipper?.logShipper) {
      this.logShipperQueue = new LogShipperQueue(this, 'LogShipperDlq', {
        owner: shipper.service,
        spec: shipper.logShipper,
        alarmTopics: this.messaging.alarmTopics,
      });
    }
  }
}

/** CloudWatch Logs accepts only certain retention periods; the profiles use some of them. */
export function retentionDays(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter(
    (value): value is number => typeof value === 'number',
  );
  if (!allowed.includes(days)) throw new Error(`CloudWatch Logs cannot keep logs ${days} days`);
  return days as logs.RetentionDays;
}
