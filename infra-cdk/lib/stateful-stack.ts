// Everything that holds data or network identity: VPC, one PostgreSQL per service, Redis, buckets, topics and
// queues, the log domain. Kept apart from the functions so that shipping code never replaces any of it.
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ServiceManifest, ServiceName } from '../../layers/common/manifest';
import type { AppSettings } from './settings';
import { pascal } from './settings';
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

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    this.buckets = new Buckets(this, 'Buckets', { corsOrigins: props.settings.corsOrigins });
    this.network = new Network(this, 'Network', { flowLogBucket: this.buckets.logs });
    const { vpc, dataSubnets } = this.network;

    for (const manifest of props.manifests.filter((candidate) => candidate.database)) {
      this.databases.set(
        manifest.service,
        new ServiceDatabase(this, `${pascal(manifest.service)}Database`, {
          service: manifest.service,
          vpc,
          subnets: dataSubnets,
        }),
      );
    }
    this.cache = new Cache(this, 'Redis', { vpc, subnets: dataSubnets });
    this.messaging = new Messaging(this, 'Messaging', {
      manifests: props.manifests,
      alarmEmail: props.settings.alarmEmail,
    });
    this.logSearch = new LogSearch(this, 'LogSearch', { vpc, subnets: dataSubnets });
    const shipper = props.manifests.find((manifest) => manifest.logShipper);
    if (shipper?.logShipper) {
      this.logShipperQueue = new LogShipperQueue(this, 'LogShipperDlq', {
        owner: shipper.service,
        spec: shipper.logShipper,
        alarmTopic: this.messaging.alarmTopic,
      });
    }
  }
}
