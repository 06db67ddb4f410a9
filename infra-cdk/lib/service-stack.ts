// One service's code, in a stack of its own: one function per manifest route, consumer, schedule and internal function
// (plus the log shipper), each with its log group, role and security group; the routes, integrations and invoke
// permissions on the shared HTTP API; queue event sources; schedule rules; and the migrate function and trigger of
// the service's database. One stack per service keeps each far below CloudFormation's 500 resources (every function
// brings a role, a log group, alarms and permissions: the whole platform would not fit in one) and lets a service's
// code deploy on its own. Safe to destroy and redeploy.

import { join } from 'node:path';
import { CrossStackReferences, Duration, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { consumerBatchSize } from '../../layers/common/function-defaults';
import type { ServiceManifest, ServiceName } from '../../layers/common/manifest';
import { type FunctionPlan, functionPlans, needsVpc } from './plan';
import { copyPackageFiles, type PlatformBindings, ServiceFunction } from './service-function';
import { pascal } from './settings';
import type { StatefulStack } from './stateful-stack';
import { DatabaseMigration } from './stateless/database-migration';
import type { PlatformApi } from './stateless/platform-api';

export interface ServiceStackProps extends StackProps {
  manifest: ServiceManifest;
  stateful: StatefulStack;
  /** The shared HTTP API (in the shared stateless stack) the routes attach to. */
  api: PlatformApi;
  platform: PlatformBindings;
  /** Folder holding `<service>/<handler>` and `<service>/migrations`. */
  functionsDir: string;
}

export class ServiceStack extends Stack {
  readonly service: ServiceName;
  /** This service's manifest functions by `<kind>:<service>.<name>`. */
  readonly functions = new Map<string, ServiceFunction>();
  /** This service's internal functions by `<service>.<name>`, the targets of `invokes` binds. */
  readonly internalFunctions = new Map<string, lambda.IFunction>();
  readonly migration?: DatabaseMigration;
  /** The function the log subscription filters feed, when this service declares it. */
  readonly logShipper?: ServiceFunction;
  private readonly manifest: ServiceManifest;
  private readonly props: ServiceStackProps;
  private readonly created: { plan: FunctionPlan; id: string; fn: ServiceFunction }[] = [];
  private connected = false;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    // Weak references (Fn::GetStackOutput), as in the other stacks: the stateful resources, the shared API and another
    // service's internal functions are read from their stacks' outputs, so none of those stacks is ever blocked from
    // changing by an export this one imports.
    CrossStackReferences.of(this).consume(ReferenceStrength.WEAK);
    const { manifest, stateful, platform } = props;
    this.manifest = manifest;
    this.props = props;
    this.service = manifest.service;

    const database = stateful.databases.get(manifest.service);
    if (manifest.database && database) {
      this.migration = new DatabaseMigration(this, `${pascal(manifest.service)}Migration`, {
        service: manifest.service,
        database,
        functionsDir: props.functionsDir,
        platform,
      });
    }

    // Construct ids keep the service prefix: logical ids stay unique across all stacks, and the observability stack
    // names alarms and subscription filters after them.
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
        ...(plan.files.length > 0 ? { commandHooks: copyPackageFiles(plan.files) } : {}),
      });
      this.functions.set(`${plan.kind}:${plan.service}.${plan.name}`, fn);
      if (plan.kind === 'internal') this.internalFunctions.set(`${plan.service}.${plan.name}`, fn.fn);
      if (plan.kind === 'log-shipper') this.logShipper = fn;
      this.created.push({ plan, id, fn });
    }
  }

  /** Every platform function of this service: the manifest's and the migrate function. */
  get allFunctions(): ServiceFunction[] {
    return [...this.functions.values(), ...(this.migration ? [this.migration.function] : [])];
  }

  /**
   * The second pass, once every service stack exists: an `invokes` bind needs its target, which another service's
   * stack may create later. Applies the binds, then the triggers (route, event source, schedule).
   */
  connect(): void {
    if (this.connected) return;
    this.connected = true;
    for (const { plan, id, fn } of this.created) {
      fn.bind(plan.binds);
      this.wire(id, plan, fn);
      // Code that reads this service's tables deploys only after its migrations have run.
      if (this.migration && plan.binds.database) this.migration.trigger.executeBefore(fn.fn);
    }
    if (this.logShipper) {
      const queue = this.props.stateful.logShipperQueue;
      if (!queue) throw new Error('the log shipper is declared but the stateful stack has no queue for it');
      this.logShipper.bindLogShipperDeadLetterQueue(queue.name, queue.queue);
    }
  }

  private wire(id: string, plan: FunctionPlan, fn: ServiceFunction): void {
    const { manifest } = this;
    const where = `functions/${plan.service}/manifest.ts ${plan.kind} ${plan.name}`;
    switch (plan.kind) {
      case 'route': {
        const route = manifest.routes[plan.name];
        if (route) this.props.api.addRoute(this, `${id}Route`, route, fn.fn, where);
        return;
      }
      case 'consumer': {
        const consumer = manifest.consumers?.[plan.name];
        const queue = consumer && this.props.platform.queues.get(consumer.queue);
        if (!consumer || !queue) return;
        fn.fn.addEventSource(
          new lambdaEventSources.SqsEventSource(queue, {
            batchSize: consumerBatchSize(consumer),
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
      case 'log-shipper':
        // Fed by the log groups' subscription filters, in the observability stack.
        return;
    }
  }
}
