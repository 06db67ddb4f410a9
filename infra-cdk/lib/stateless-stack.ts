// Code and wiring: one function per manifest route, consumer, schedule and internal function, the HTTP API in front
// of the routes, queue event sources, schedule rules, and each database's migrate trigger. Safe to destroy and
// redeploy.

import { join } from 'node:path';
import { CrossStackReferences, Duration, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { ServiceManifest } from '../../layers/common/manifest';
import { DEFAULT_BATCH_SIZE, type FunctionPlan, functionPlans, needsVpc } from './plan';
import { type PlatformBindings, ServiceFunction } from './service-function';
import type { AppSettings } from './settings';
import { pascal } from './settings';
import type { StatefulStack } from './stateful-stack';
import { DatabaseMigration } from './stateless/database-migration';
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
  /** Every manifest function by `<kind>:<service>.<name>`. */
  readonly functions = new Map<string, ServiceFunction>();
  readonly migrations = new Map<string, DatabaseMigration>();
  private readonly queues: ReadonlyMap<string, sqs.IQueue>;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    // Weak references (Fn::GetStackOutput) instead of exports: every stateful resource is retained on removal, so a
    // reference never points at something deleted under running code, while strong exports would block removing a
    // topic or queue from a manifest until a second deploy (the "deadly embrace").
    CrossStackReferences.of(this).consume(ReferenceStrength.WEAK);
    const { stateful, settings } = props;
    this.queues = stateful.messaging.queues;
    this.api = new PlatformApi(this, 'Api', { settings });

    const internalFunctions = new Map<string, lambda.IFunction>();
    const platform: PlatformBindings = {
      vpc: stateful.network.vpc,
      lambdaSubnets: stateful.network.lambdaSubnets,
      databases: stateful.databases,
      topics: stateful.messaging.topics,
      queues: stateful.messaging.queues,
      mediaBucketName: stateful.mediaBucketName,
      redis: { connections: stateful.cache, url: stateful.cache.url },
      mailFrom: settings.mailFrom,
      jwt: { issuer: this.api.issuer, audience: this.api.audience },
      logSearch: { domain: stateful.logSearch.domain, connections: stateful.logSearch.connections },
      internalFunctions,
    };

    // First every function, then the binds: an `invokes` bind needs its target, which may come later in the list.
    const created: { manifest: ServiceManifest; plan: FunctionPlan; id: string; fn: ServiceFunction }[] = [];
    for (const manifest of props.manifests) {
      const database = stateful.databases.get(manifest.service);
      const migration =
        manifest.database && database
          ? new DatabaseMigration(this, `${pascal(manifest.service)}Migration`, {
              service: manifest.service,
              database,
              functionsDir: props.functionsDir,
              platform,
            })
          : undefined;
      if (migration) this.migrations.set(manifest.service, migration);

      for (const plan of functionPlans(manifest)) {
        const id = `${pascal(plan.service)}${pascal(plan.kind)}${pascal(plan.name)}`;
        const fn = new ServiceFunction(this, id, {
          service: plan.service,
          name: plan.name,
          kind: plan.kind,
          entry: join(props.functionsDir, plan.service, plan.handler),
          description: plan.summary,
          memoryMb: plan.memoryMb,
          timeoutSeconds: plan.timeoutSeconds,
          inVpc: needsVpc(plan.binds),
          platform,
        });
        this.functions.set(`${plan.kind}:${plan.service}.${plan.name}`, fn);
        if (plan.kind === 'internal') internalFunctions.set(`${plan.service}.${plan.name}`, fn.fn);
        created.push({ manifest, plan, id, fn });
      }
    }
    for (const { manifest, plan, id, fn } of created) {
      fn.bind(plan.binds);
      this.wire(id, manifest, plan, fn);
      // Code that reads this service's tables deploys only after its migrations have run.
      const migration = this.migrations.get(plan.service);
      if (migration && plan.binds.database) migration.trigger.executeBefore(fn.fn);
    }
  }

  private wire(id: string, manifest: ServiceManifest, plan: FunctionPlan, fn: ServiceFunction): void {
    const where = `functions/${plan.service}/manifest.ts ${plan.kind} ${plan.name}`;
    switch (plan.kind) {
      case 'route': {
        const route = manifest.routes[plan.name];
        if (route) this.api.addRoute(`${id}Route`, route, fn.fn, where);
        return;
      }
      case 'consumer': {
        const consumer = manifest.consumers?.[plan.name];
        const queue = consumer && this.queues.get(consumer.queue);
        if (!consumer || !queue) return;
        fn.fn.addEventSource(
          new lambdaEventSources.SqsEventSource(queue, {
            batchSize: consumer.batchSize ?? DEFAULT_BATCH_SIZE,
            // A short wait fills batches under load without delaying a lone message noticeably.
            maxBatchingWindow: Duration.seconds(1),
            reportBatchItemFailures: true,
          }),
        );
        return;
      }
      case 'schedule': {
        const schedule = manifest.schedules?.[plan.name];
        if (!schedule) return;
        new events.Rule(this, `${id}Rule`, {
          // The manifest's human name (validated unique and well-formed); the construct id stays key-based.
          ruleName: schedule.name,
          description: `${plan.service}: ${schedule.summary}`.slice(0, 512),
          schedule: events.Schedule.expression(schedule.expression),
          targets: [
            new eventsTargets.LambdaFunction(fn.fn, { retryAttempts: 2, maxEventAge: Duration.hours(1) }),
          ],
        });
        return;
      }
      case 'internal':
        // Reached only through lambda:InvokeFunction by the functions that bind it (`invokes`); no trigger.
        return;
    }
  }
}
