// The code layer: this shared stack holds the HTTP API (stage, access logs, JWT authorizer), and next to it one
// ServiceStack per manifest (`<id>-<Service>`) holds that service's functions, routes, event sources, schedules and
// migrations. Splitting per service keeps every stack far below CloudFormation's 500 resources as services grow.
// All of it is safe to destroy and redeploy.

import { CrossStackReferences, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { ServiceManifest, ServiceName } from '../../layers/common/manifest';
import type { PlatformBindings, ServiceFunction } from './service-function';
import { ServiceStack } from './service-stack';
import type { AppSettings } from './settings';
import { pascal } from './settings';
import { retentionDays, type StatefulStack } from './stateful-stack';
import type { DatabaseMigration } from './stateless/database-migration';
import { PlatformApi } from './stateless/platform-api';

export interface StatelessStackProps extends StackProps {
  manifests: readonly ServiceManifest[];
  stateful: StatefulStack;
  settings: AppSettings;
  /** Folder holding `<service>/<handler>` and `<service>/migrations`. */
  functionsDir: string;
}

export class StatelessStack extends Stack {
  readonly api: PlatformApi;
  /** One stack per service, siblings of this one in the app, by service. */
  readonly services = new Map<ServiceName, ServiceStack>();
  /** Every manifest function by `<kind>:<service>.<name>`, across the service stacks. */
  readonly functions = new Map<string, ServiceFunction>();
  readonly migrations = new Map<string, DatabaseMigration>();
  /** Every platform function: the manifests' and the migrate functions. */
  readonly allFunctions: readonly ServiceFunction[];
  /** The function the log subscription filters feed, when a manifest declares it. */
  readonly logShipper?: ServiceFunction;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    // Weak references (Fn::GetStackOutput) instead of exports: every stateful resource is retained on removal, so a
    // reference never points at something deleted under running code, while strong exports would block removing a
    // topic or queue from a manifest until a second deploy (the "deadly embrace").
    CrossStackReferences.of(this).consume(ReferenceStrength.WEAK);
    const { stateful, settings } = props;
    this.api = new PlatformApi(this, 'Api', { settings });

    const internalFunctions = new Map<string, lambda.IFunction>();
    const platform: PlatformBindings = {
      vpc: stateful.network.vpc,
      lambdaSubnets: stateful.network.lambdaSubnets,
      databases: stateful.databases,
      topics: stateful.messaging.topics,
      queues: stateful.messaging.queues,
      mediaBucketName: stateful.mediaBucketName,
      redis: { connections: stateful.cache, url: stateful.cache.url, authSecret: stateful.cache.authSecret },
      paymentsSecret: stateful.paymentsSecret,
      totpKeySecret: stateful.totpKeySecret,
      mailFrom: settings.mailFrom,
      jwt: { issuer: this.api.issuer, audience: this.api.audience },
      logSearch: { domain: stateful.logSearch.domain, connections: stateful.logSearch.connections },
      logRetentionDays: settings.logRetentionDays,
      functionLogRetention: retentionDays(settings.environment.logRetentionDays),
      internalFunctions,
    };

    // First every service's functions, then the binds: an `invokes` bind needs its target, which may live in a
    // service stack created later. A caller's stack depends on its target's (validateManifests rejects cycles).
    for (const manifest of props.manifests) {
      const service = new ServiceStack(scope, `${id}-${pascal(manifest.service)}`, {
        description: `TicketOrLeaveIt ${manifest.service} code: functions, routes, event sources, schedules, migrations`,
        manifest,
        stateful,
        api: this.api,
        platform,
        functionsDir: props.functionsDir,
        ...(props.env ? { env: props.env } : {}),
      });
      service.addStackDependency(this, 'routes attach to the shared HTTP API, functions read its JWT issuer');
      service.addStackDependency(
        stateful,
        "functions use the data stack's network, databases, topics and queues",
      );
      for (const [name, fn] of service.internalFunctions) internalFunctions.set(name, fn);
      this.services.set(manifest.service, service);
    }

    const everyFunction: ServiceFunction[] = [];
    for (const service of this.services.values()) {
      service.connect();
      for (const [key, fn] of service.functions) this.functions.set(key, fn);
      if (service.migration) this.migrations.set(service.service, service.migration);
      everyFunction.push(...service.allFunctions);
      if (service.logShipper) this.logShipper = service.logShipper;
    }
    this.allFunctions = everyFunction;
  }
}
