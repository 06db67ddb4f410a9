// The CDK app synthesized from the real manifests and from fixtures that use every kind of entry and bind: each
// route has its function and API route, each internal function its function and nothing that triggers it, each
// queue its DLQ and alarm, each database its proxy and migrations, functions get exactly the env and access they
// bind, and cdk-nag's AwsSolutions checks pass with reasons.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifests as realManifests } from '../../functions/manifests';
import { buildApp, type PlatformApp } from '../../infra-cdk/lib/app';
import { functionNameEnv as infraFunctionNameEnv } from '../../infra-cdk/lib/plan';
import { REPO_ROOT } from '../../infra-cdk/lib/settings';
import { envKey } from '../../layers/common/config';
import { functionNameEnv } from '../../layers/common/internal';
import type { Binds, ServiceManifest, ServiceName } from '../../layers/common/manifest';
import { queueUrlEnv, topicArnEnv } from '../../layers/common/messages';
import { messagingResources } from '../../layers/common/resources';
import { FIXTURE_FUNCTIONS_DIR, fixtureManifests } from './fixtures';

const SYNTH_TIMEOUT = { timeout: 180_000 };
type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

interface Synthesized extends PlatformApp {
  assembly: CloudAssembly;
  statefulTemplate: Template;
  statelessTemplate: Template;
}

const synthesized = new Map<readonly ServiceManifest[], Synthesized>();

afterAll(() => {
  for (const { assembly } of synthesized.values())
    rmSync(assembly.directory, { recursive: true, force: true });
});

/** Synthesizes once per manifest list, like `cdk synth` does: cdk.json's context, bundling with the local esbuild. */
function synth(manifests: readonly ServiceManifest[], functionsDir?: string): Synthesized {
  const cached = synthesized.get(manifests);
  if (cached) return cached;
  const { context } = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: object };
  // Inside the repository so that a bundle imported by a test resolves @aws-sdk/* from node_modules, like Lambda.
  const cacheDir = join(REPO_ROOT, 'node_modules/.cache');
  mkdirSync(cacheDir, { recursive: true });
  const outdir = mkdtempSync(join(cacheDir, 'tol-infra-'));
  const platform = buildApp({ manifests, functionsDir, appProps: { outdir, context } });
  const assembly = platform.app.synth();
  const result = {
    ...platform,
    assembly,
    statefulTemplate: Template.fromStack(platform.stateful),
    statelessTemplate: Template.fromStack(platform.stateless),
  };
  synthesized.set(manifests, result);
  return result;
}

function defined<T>(value: T | undefined, what: string): T {
  expect(value, what).toBeDefined();
  return value as T;
}

function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

function tagOf(resource: Resource, key: string): string | undefined {
  const tags = (resource.Properties.Tags ?? []) as { Key: string; Value: string }[];
  return tags.find((tag) => tag.Key === key)?.Value;
}

/** Functions carrying `tol:<kind>`, by its value `<service>.<name>`. */
function functionsOfKind(template: Template, kind: string): Map<string, [string, Resource]> {
  const found = new Map<string, [string, Resource]>();
  for (const [id, resource] of resourcesOf(template, 'AWS::Lambda::Function')) {
    const value = tagOf(resource, `tol:${kind}`);
    if (value) {
      expect(found.has(value), `two functions tagged tol:${kind}=${value}`).toBe(false);
      found.set(value, [id, resource]);
    }
  }
  return found;
}

/** Each manifest record and the `tol:<kind>` tag of its functions. */
const KINDS = {
  routes: 'route',
  consumers: 'consumer',
  schedules: 'schedule',
  functions: 'internal',
} as const;
type EntryKind = keyof typeof KINDS;
const ENTRY_KINDS = Object.keys(KINDS) as EntryKind[];

type EntryOf<K extends EntryKind> = NonNullable<ServiceManifest[K]>[string];

function entriesOf<K extends EntryKind>(
  manifests: readonly ServiceManifest[],
  kind: K,
): { service: ServiceName; name: string; key: string; entry: EntryOf<K> }[] {
  return manifests.flatMap((manifest) =>
    Object.entries(manifest[kind] ?? {}).map(([name, entry]) => ({
      service: manifest.service,
      name,
      key: `${manifest.service}.${name}`,
      entry: entry as EntryOf<K>,
    })),
  );
}

/** The env a function must have, derived from its binds independently of the CDK code. */
function expectedEnv(service: string, binds: Binds): string[] {
  const keys = ['POWERTOOLS_SERVICE_NAME', 'SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'NODE_OPTIONS'];
  keys.push('JWT_ISSUER', 'JWT_AUDIENCE');
  const databases = new Set([...(binds.database ? [service] : []), ...(binds.pingDatabases ?? [])]);
  for (const db of databases) keys.push(envKey(db, 'DB_HOST'), envKey(db, 'DB_SECRET_ARN'));
  for (const topic of binds.publishes ?? []) keys.push(topicArnEnv(topic));
  for (const queue of binds.sends ?? []) keys.push(queueUrlEnv(queue));
  if (binds.bucket) keys.push('MEDIA_BUCKET');
  if (binds.redis) keys.push('REDIS_URL');
  if (binds.mail) keys.push('MAIL_FROM');
  if (binds.logSearch) keys.push('OPENSEARCH_URL');
  for (const target of binds.invokes ?? []) keys.push(functionNameEnv(target));
  return keys.sort();
}

interface Statement {
  Action: string | string[];
  Resource?: unknown;
  Condition?: object;
}

function policyStatementsOf(template: Template, functionId: string): Statement[] {
  const fn = template.toJSON().Resources[functionId] as Resource;
  const roleRef = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleRef),
    )
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: never[] }).Statement);
}

function actionsOf(template: Template, functionId: string): Set<string> {
  return new Set(policyStatementsOf(template, functionId).flatMap((statement) => [statement.Action].flat()));
}

const apps = [
  { label: 'the real manifests', manifests: realManifests, functionsDir: undefined },
  { label: 'the fixture manifests', manifests: fixtureManifests, functionsDir: FIXTURE_FUNCTIONS_DIR },
];

describe.each(apps)('the CDK app built from $label', ({ manifests, functionsDir }) => {
  let app: Synthesized;
  beforeAll(() => {
    app = synth(manifests, functionsDir);
  }, 180_000);

  it(
    'deploys exactly one function per manifest route, consumer, schedule and internal function',
    SYNTH_TIMEOUT,
    () => {
      for (const kind of ENTRY_KINDS) {
        const deployed = [...functionsOfKind(app.statelessTemplate, KINDS[kind]).keys()].sort();
        expect(deployed, kind).toEqual(
          entriesOf(manifests, kind)
            .map((entry) => entry.key)
            .sort(),
        );
      }
    },
  );

  it('routes every manifest route by its key, with the JWT authorizer exactly on auth: true routes', () => {
    const template = app.statelessTemplate;
    const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route');
    const integrations = Object.fromEntries(resourcesOf(template, 'AWS::ApiGatewayV2::Integration'));
    const routeFunctions = functionsOfKind(template, 'route');
    const expected = entriesOf(manifests, 'routes');
    expect(routes).toHaveLength(expected.length);
    for (const { key, entry } of expected) {
      const routeKey = entry.path === '$default' ? '$default' : `${entry.method} ${entry.path}`;
      const match = routes.filter(([, route]) => route.Properties.RouteKey === routeKey);
      expect(match, routeKey).toHaveLength(1);
      const [, route] = match[0] as [string, Resource];
      expect(route.Properties.AuthorizationType ?? 'NONE', routeKey).toBe(entry.auth ? 'JWT' : 'NONE');
      expect(route.Properties.AuthorizerId !== undefined, routeKey).toBe(entry.auth);
      const integrationId = JSON.stringify(route.Properties.Target).match(/"Ref":"([^"]+)"/)?.[1] ?? '';
      const uri = (integrations[integrationId] as Resource).Properties.IntegrationUri;
      expect(uri, routeKey).toEqual({ 'Fn::GetAtt': [routeFunctions.get(key)?.[0], 'Arn'] });
      expect((integrations[integrationId] as Resource).Properties.PayloadFormatVersion).toBe('2.0');
    }
  });

  it('throttles and access-logs the $default stage', () => {
    app.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: Match.objectLike({
        ThrottlingRateLimit: Match.anyValue(),
        ThrottlingBurstLimit: Match.anyValue(),
      }),
      AccessLogSettings: Match.objectLike({
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('requestId'),
      }),
    });
  });

  it('runs every platform function on nodejs22.x, arm64, with active tracing and a one-month log group', () => {
    const template = app.statelessTemplate;
    const logGroups = Object.fromEntries(resourcesOf(template, 'AWS::Logs::LogGroup'));
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    const ours = functions.filter(([, fn]) => tagOf(fn, 'tol:kind'));
    // The only other function is the CDK Trigger's provider, which CDK owns.
    expect(functions.filter(([, fn]) => !tagOf(fn, 'tol:kind')).map(([id]) => id)).toEqual(
      ours.some(([, fn]) => tagOf(fn, 'tol:kind') === 'migrate')
        ? [expect.stringMatching(/^AWSCDKTriggerCustomResourceProvider/)]
        : [],
    );
    for (const [id, fn] of ours) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
      const logGroupId = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect((logGroups[logGroupId] as Resource).Properties.RetentionInDays, id).toBe(30);
    }
  });

  it('sets memory and timeout from the manifest, 512 MB and 10 s by default', () => {
    for (const kind of ENTRY_KINDS) {
      const deployed = functionsOfKind(app.statelessTemplate, KINDS[kind]);
      for (const { key, entry } of entriesOf(manifests, kind)) {
        expect(deployed.get(key)?.[1].Properties, key).toMatchObject({
          MemorySize: entry.memoryMb ?? 512,
          Timeout: entry.timeoutSeconds ?? 10,
        });
      }
    }
  });

  it('gives each function env vars for what it binds and nothing else, and the VPC only when it needs one', () => {
    const template = app.statelessTemplate;
    for (const kind of ENTRY_KINDS) {
      const deployed = functionsOfKind(template, KINDS[kind]);
      for (const { service, key, entry } of entriesOf(manifests, kind)) {
        const [, fn] = defined(deployed.get(key), key);
        const variables = (fn.Properties.Environment as { Variables: object }).Variables;
        const binds = entry.binds ?? {};
        expect(Object.keys(variables).sort(), key).toEqual(expectedEnv(service, binds));
        const needsVpc = Boolean(
          binds.database || binds.pingDatabases?.length || binds.redis || binds.logSearch,
        );
        expect(fn.Properties.VpcConfig !== undefined, `${key} in VPC`).toBe(needsVpc);
      }
    }
  });

  it('gives every database an encrypted, protected PostgreSQL 17 instance behind a TLS-only RDS Proxy', () => {
    const template = app.statefulTemplate;
    const instances = resourcesOf(template, 'AWS::RDS::DBInstance');
    expect(instances).toHaveLength(manifests.filter((manifest) => manifest.database).length);
    const targetGroups = resourcesOf(template, 'AWS::RDS::DBProxyTargetGroup');
    const proxies = Object.fromEntries(resourcesOf(template, 'AWS::RDS::DBProxy'));
    for (const [id, instance] of instances) {
      expect(instance.Properties, id).toMatchObject({
        Engine: 'postgres',
        EngineVersion: '17',
        StorageEncrypted: true,
        DeletionProtection: true,
        MultiAZ: true,
        BackupRetentionPeriod: 7,
      });
      expect(template.toJSON().Resources[id].DeletionPolicy).toBe('Snapshot');
      const targets = targetGroups.filter(([, group]) =>
        JSON.stringify(group.Properties.DBInstanceIdentifiers).includes(`"Ref":"${id}"`),
      );
      expect(targets, `proxy for ${id}`).toHaveLength(1);
      const [, target] = defined(targets[0], `proxy target of ${id}`);
      const proxyId = (target.Properties.DBProxyName as { Ref: string }).Ref;
      expect((proxies[proxyId] as Resource).Properties.RequireTLS).toBe(true);
    }
  });

  it('migrates each database from a trigger that runs before the functions using that database deploy', () => {
    const template = app.statelessTemplate;
    const migrations = functionsOfKind(template, 'migrate');
    const triggers = resourcesOf(template, 'Custom::Trigger');
    const resources = template.toJSON().Resources as Record<string, Resource>;
    const databaseServices = manifests
      .filter((manifest) => manifest.database)
      .map((manifest) => manifest.service);
    expect([...migrations.keys()].sort()).toEqual(
      databaseServices.map((service) => `${service}.migrate`).sort(),
    );
    expect(triggers).toHaveLength(databaseServices.length);
    for (const kind of ENTRY_KINDS) {
      const deployed = functionsOfKind(template, KINDS[kind]);
      for (const { service, key, entry } of entriesOf(manifests, kind)) {
        if (!entry.binds?.database) continue;
        const [migrateId] = migrations.get(`${service}.migrate`) ?? [];
        // The trigger invokes a version of the migrate function.
        const [triggerId] =
          triggers.find(([, trigger]) => {
            const version = resources[(trigger.Properties.HandlerArn as { Ref: string }).Ref];
            return (version?.Properties.FunctionName as { Ref?: string } | undefined)?.Ref === migrateId;
          }) ?? [];
        expect(triggerId, `trigger of ${service}.migrate`).toBeDefined();
        const [functionId] = deployed.get(key) ?? [];
        const dependsOn = resources[functionId ?? '']?.DependsOn;
        expect(dependsOn, key).toContain(triggerId);
      }
    }
  });

  it('passes cdk-nag AwsSolutions, each acknowledgment with a concrete reason', () => {
    // cdk-nag 3 is a validation plugin: a failure would have thrown in synth; check the report and the tree too.
    const report = new AwsSolutionsChecks().validateScope(app.app);
    expect(
      report.violations.map(
        (violation) => `${violation.ruleName} ${violation.violatingResources[0]?.constructPath}`,
      ),
    ).toEqual([]);
    const written = JSON.parse(readFileSync(join(app.assembly.directory, 'validation-report.json'), 'utf8'));
    expect(
      written.pluginReports.flatMap((plugin: { violations?: unknown[] }) => plugin.violations ?? []),
    ).toEqual([]);
    for (const stack of [app.stateful, app.stateless]) {
      expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual(
        [],
      );
      expect(
        Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ).toEqual([]);
    }
    for (const construct of app.app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          if (!id.includes('AwsSolutions-')) continue;
          expect(reason.length, `${construct.node.path} ${id}`).toBeGreaterThan(80);
        }
      }
    }
  });
});

describe('the CDK app built from the fixture manifests, messaging and access', () => {
  let app: Synthesized;
  beforeAll(() => {
    app = synth(fixtureManifests, FIXTURE_FUNCTIONS_DIR);
  }, 180_000);
  const messaging = messagingResources(fixtureManifests);

  it('gives every consumer queue a DLQ with its receive count and a visibility of 6x the function timeout', () => {
    const queues = resourcesOf(app.statefulTemplate, 'AWS::SQS::Queue');
    const main = queues.filter(([, queue]) => queue.Properties.RedrivePolicy);
    const deadLetter = queues.filter(([, queue]) => !queue.Properties.RedrivePolicy);
    expect(main).toHaveLength(messaging.queues.length);
    expect(deadLetter).toHaveLength(messaging.queues.length);
    for (const [id, queue] of main) {
      const target = JSON.stringify(
        (queue.Properties.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn,
      );
      expect(
        deadLetter.some(([dlqId]) => target.includes(`"${dlqId}"`)),
        id,
      ).toBe(true);
    }
    const byName = (prefix: string) => main.find(([id]) => id.startsWith(prefix))?.[1].Properties;
    expect(byName('MessagingTicketsCatalogueQueue')).toMatchObject({
      RedrivePolicy: { maxReceiveCount: 3 },
      VisibilityTimeout: 120,
    });
    expect(byName('MessagingTicketEmailsQueue')).toMatchObject({
      RedrivePolicy: { maxReceiveCount: 5 },
      VisibilityTimeout: 90,
    });
    for (const [id, queue] of queues) expect(queue.Properties.SqsManagedSseEnabled, id).toBe(true);
  });

  it('alarms as soon as a message lands in any DLQ', () => {
    const alarms = resourcesOf(app.statefulTemplate, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(messaging.queues.length);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [expect.anything()],
      });
    }
  });

  it('subscribes each queue to its topics with raw message delivery, on KMS-encrypted topics', () => {
    const subscriptions = resourcesOf(app.statefulTemplate, 'AWS::SNS::Subscription');
    const expected = messaging.queues.flatMap((queue) => queue.subscribesTo);
    expect(subscriptions).toHaveLength(expected.length);
    for (const [, subscription] of subscriptions) {
      expect(subscription.Properties).toMatchObject({ Protocol: 'sqs', RawMessageDelivery: true });
    }
    for (const [id, topic] of resourcesOf(app.statefulTemplate, 'AWS::SNS::Topic')) {
      expect(topic.Properties.KmsMasterKeyId, id).toBeDefined();
    }
  });

  it('feeds each consumer from its queue with partial batch failures and the manifest batch size', () => {
    const consumers = functionsOfKind(app.statelessTemplate, 'consumer');
    const mappings = resourcesOf(app.statelessTemplate, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(consumers.size);
    for (const { key, entry } of entriesOf(fixtureManifests, 'consumers')) {
      const [functionId] = consumers.get(key) ?? [];
      const mapping = mappings.find(
        ([, candidate]) => (candidate.Properties.FunctionName as { Ref: string }).Ref === functionId,
      );
      expect(mapping?.[1].Properties, key).toMatchObject({
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: entry.batchSize ?? 10,
        MaximumBatchingWindowInSeconds: 1,
      });
    }
  });

  it('fires each schedule from an EventBridge rule named and timed by the manifest', () => {
    const schedules = functionsOfKind(app.statelessTemplate, 'schedule');
    const rules = resourcesOf(app.statelessTemplate, 'AWS::Events::Rule');
    expect(rules).toHaveLength(schedules.size);
    for (const { key, entry } of entriesOf(fixtureManifests, 'schedules')) {
      const [functionId] = schedules.get(key) ?? [];
      const rule = rules.find(([, candidate]) =>
        JSON.stringify(candidate.Properties.Targets).includes(`"${functionId}"`),
      );
      expect(rule?.[1].Properties, key).toMatchObject({
        Name: entry.name,
        ScheduleExpression: entry.expression,
      });
    }
  });

  it('grants each function the actions its binds need and no others', () => {
    const routes = functionsOfKind(app.statelessTemplate, 'route');
    const consumers = functionsOfKind(app.statelessTemplate, 'consumer');
    const actions = (key: string, from = routes) =>
      actionsOf(app.statelessTemplate, from.get(key)?.[0] ?? '');

    const picture = actions('users.picture');
    expect(picture).toContain('s3:GetObject');
    expect(picture).not.toContain('s3:PutObject');
    expect(picture).not.toContain('secretsmanager:GetSecretValue');

    const createEvent = actions('events.createEvent');
    for (const action of ['s3:PutObject', 'sns:Publish', 'secretsmanager:GetSecretValue', 'rds-db:connect']) {
      expect(createEvent).toContain(action);
    }
    expect(actions('events.getEvent')).not.toContain('sns:Publish');
    expect(actions('tickets.purchase')).toContain('sqs:SendMessage');
    expect(actions('platform.notFound')).toEqual(
      new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']),
    );

    const mail = policyStatementsOf(
      app.statelessTemplate,
      consumers.get('notifications.ticketEmails')?.[0] ?? '',
    ).find((statement) => [statement.Action].flat().includes('ses:SendEmail'));
    expect(mail?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'no-reply@ticketorleaveit.com' } });
  });

  it('opens the RDS proxies, Redis and OpenSearch only to the functions that bind them', () => {
    const ingress = resourcesOf(app.statelessTemplate, 'AWS::EC2::SecurityGroupIngress').map(
      ([, rule]) => rule.Properties,
    );
    const plans = ENTRY_KINDS.flatMap((kind) =>
      entriesOf(fixtureManifests, kind).map(({ service, entry }) => ({
        service,
        binds: entry.binds ?? {},
      })),
    );
    const databaseBinds =
      plans.reduce(
        (sum, { service, binds }) =>
          sum + new Set([...(binds.database ? [service] : []), ...(binds.pingDatabases ?? [])]).size,
        0,
      ) + fixtureManifests.filter((manifest) => manifest.database).length; // one per migrate function
    expect(ingress.filter((rule) => rule.FromPort === 5432)).toHaveLength(databaseBinds);
    expect(ingress.filter((rule) => rule.FromPort === 6379)).toHaveLength(
      plans.filter((plan) => plan.binds.redis).length,
    );
    expect(ingress.filter((rule) => rule.FromPort === 443)).toHaveLength(
      plans.filter((plan) => plan.binds.logSearch).length,
    );
    expect(
      ingress.every((rule) => rule.SourceSecurityGroupId !== undefined && rule.CidrIp === undefined),
    ).toBe(true);
  });

  it('deploys each internal function unrouted, with no event source, rule or resource-policy permission', () => {
    const template = app.statelessTemplate;
    const internal = functionsOfKind(template, 'internal');
    expect([...internal.keys()]).toEqual(['tickets.soldCount']);
    const [id, fn] = defined(internal.get('tickets.soldCount'), 'tickets.soldCount');
    expect(tagOf(fn, 'tol:kind')).toBe('internal');
    expect(tagOf(fn, 'tol:service')).toBe('tickets');
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    expect(fn.Properties.VpcConfig, 'binds the database').toBeDefined();
    const mentions = (type: string) =>
      resourcesOf(template, type)
        .filter(([, resource]) => JSON.stringify(resource.Properties).includes(`"${id}"`))
        .map(([resourceId]) => resourceId);
    expect(mentions('AWS::ApiGatewayV2::Integration')).toEqual([]);
    expect(mentions('AWS::ApiGatewayV2::Route')).toEqual([]);
    expect(mentions('AWS::Lambda::Permission')).toEqual([]);
    expect(mentions('AWS::Lambda::EventSourceMapping')).toEqual([]);
    expect(mentions('AWS::Events::Rule')).toEqual([]);
  });

  it('gives a caller its target function name and lambda:InvokeFunction on exactly that function', () => {
    const template = app.statelessTemplate;
    const [targetId] = defined(functionsOfKind(template, 'internal').get('tickets.soldCount'), 'target');
    const [callerId, caller] = defined(
      functionsOfKind(template, 'route').get('events.updateEvent'),
      'caller',
    );
    const variables = (caller.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.FUNCTION_NAME_TICKETS_SOLDCOUNT).toEqual({ Ref: targetId });
    const invoke = policyStatementsOf(template, callerId).filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('lambda:')),
    );
    expect(invoke).toHaveLength(1);
    expect(invoke[0]).toMatchObject({ Effect: 'Allow', Action: 'lambda:InvokeFunction' });
    expect([invoke[0]?.Resource].flat()).toEqual([{ 'Fn::GetAtt': [targetId, 'Arn'] }]);
  });

  it('lets no function without an invokes bind call another function', () => {
    const template = app.statelessTemplate;
    const callers = new Set(
      ENTRY_KINDS.flatMap((kind) =>
        entriesOf(fixtureManifests, kind)
          .filter(({ entry }) => entry.binds?.invokes?.length)
          .map(({ key }) => `${KINDS[kind]}:${key}`),
      ),
    );
    expect([...callers]).toEqual(['route:events.updateEvent']);
    for (const kind of [...Object.values(KINDS), 'migrate']) {
      for (const [key, [id]] of functionsOfKind(template, kind)) {
        if (callers.has(`${kind}:${key}`)) continue;
        const lambdaActions = [...actionsOf(template, id)].filter((action) => action.startsWith('lambda:'));
        expect(lambdaActions, `${kind} ${key}`).toEqual([]);
      }
    }
  });

  it('gives a logSearch binder OPENSEARCH_URL and es:ESHttpGet/Post/Put on the log domain only', () => {
    const template = app.statelessTemplate;
    const routes = functionsOfKind(template, 'route');
    const [healthId, health] = defined(routes.get('platform.health'), 'platform.health');
    const variables = (health.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(variables.OPENSEARCH_URL)).toMatch(/^\{"Fn::Join":\["",\["https:\/\/",/);
    expect(JSON.stringify(variables.OPENSEARCH_URL)).toContain('DomainEndpoint');
    const es = policyStatementsOf(template, healthId).filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('es:')),
    );
    expect(es).toHaveLength(1);
    expect([es[0]?.Action].flat().sort()).toEqual(['es:ESHttpGet', 'es:ESHttpPost', 'es:ESHttpPut']);
    const resources = [es[0]?.Resource].flat().map((resource) => JSON.stringify(resource));
    expect(resources).toHaveLength(2);
    expect(resources[0]).toMatch(/:es:.*:domain\/tol-logs"\]\]\}$/);
    expect(resources[1]).toMatch(/:es:.*:domain\/tol-logs\/\*"\]\]\}$/);
    // Nobody else may reach the domain.
    for (const kind of Object.values(KINDS)) {
      for (const [key, [id]] of functionsOfKind(template, kind)) {
        if (key === 'platform.health') continue;
        expect(
          [...actionsOf(template, id)].filter((action) => action.startsWith('es:')),
          key,
        ).toEqual([]);
      }
    }
  });

  it('bundles each migrate function as ESM with the common and the service migrations, loadable on Node 22', async () => {
    const migrations = functionsOfKind(app.statelessTemplate, 'migrate');
    const assetDir = (key: string) => {
      const code = migrations.get(key)?.[1].Properties.Code as { S3Key: string };
      return join(app.assembly.directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    };
    const events = assetDir('events.migrate');
    expect(readdirSync(join(events, 'migrations')).sort()).toEqual([
      '0000000000001_outbox-and-inbox.sql',
      '0000000000100_events.sql',
    ]);
    // tickets has an empty migrations folder, notifications none: both still get the common migrations.
    for (const service of ['tickets', 'notifications']) {
      expect(readdirSync(join(assetDir(`${service}.migrate`), 'migrations'))).toEqual([
        '0000000000001_outbox-and-inbox.sql',
      ]);
    }
    expect(existsSync(join(events, 'index.mjs.map'))).toBe(true);
    const bundle = (await import(pathToFileURL(join(events, 'index.mjs')).href)) as { handler?: unknown };
    expect(typeof bundle.handler).toBe('function');
  });
});

describe('manifest validation', () => {
  it('rejects, before synthesizing anything, binds to things nobody declares and an authenticated catch-all', () => {
    const broken: ServiceManifest[] = [
      {
        service: 'users',
        description: 'broken',
        database: false,
        routes: {
          me: {
            method: 'GET',
            path: '/v1/me',
            handler: 'me.ts',
            summary: 'me',
            auth: true,
            responses: {},
            binds: { database: true, publishes: ['nope'], sends: ['nowhere'], pingDatabases: ['platform'] },
          },
          fallback: {
            method: 'GET',
            path: '$default',
            handler: 'fallback.ts',
            summary: 'catch-all',
            auth: true,
            responses: {},
          },
        },
      },
    ];
    expect(() => buildApp({ manifests: broken })).toThrow(/Invalid service manifests/);
    let message = '';
    try {
      buildApp({ manifests: broken });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const problem of [
      'users.me binds a database but users has none',
      'users.me pings the database of platform, which has none',
      'users.me publishes to unknown topic nope',
      'users.me sends to unknown queue nowhere',
      'users.fallback: the $default route cannot require auth',
    ]) {
      expect(message).toContain(problem);
    }
  });

  /** The message validateManifests throws for `manifests`, or '' when it accepts them. */
  function problemsOf(manifests: readonly ServiceManifest[]): string {
    try {
      buildApp({ manifests });
    } catch (error) {
      return (error as Error).message;
    }
    return '';
  }

  const internal = (binds: Binds = {}) => ({ handler: 'x.ts', summary: 'x', binds });

  it('rejects an invokes bind naming no declared internal function, and invoke cycles', () => {
    const message = problemsOf([
      {
        service: 'events',
        description: 'caller',
        database: false,
        routes: {
          update: {
            method: 'PATCH',
            path: '/v1/events/{id}',
            handler: 'update.ts',
            summary: 'update',
            auth: true,
            responses: {},
            // A route of tickets is not an internal function; `soldcount` differs in case.
            binds: { invokes: ['tickets.soldCount', 'tickets.soldcount', 'tickets.purchase', 'soldCount'] },
          },
        },
      },
      {
        service: 'tickets',
        description: 'callee',
        database: false,
        routes: {
          purchase: {
            method: 'POST',
            path: '/v1/purchases',
            handler: 'purchase.ts',
            summary: 'buy',
            auth: true,
            responses: {},
          },
        },
        functions: {
          soldCount: internal({ invokes: ['users.lookup'] }),
          itself: internal({ invokes: ['tickets.itself'] }),
        },
      },
      {
        service: 'users',
        description: 'callee that calls back',
        database: false,
        routes: {},
        functions: { lookup: internal({ invokes: ['tickets.soldCount'] }) },
      },
    ]);
    expect(message).toMatch(/Invalid service manifests/);
    for (const problem of [
      'events.update invokes unknown internal function tickets.soldcount',
      'events.update invokes unknown internal function tickets.purchase',
      'events.update invokes unknown internal function soldCount',
      'internal functions invoke each other in a cycle: tickets.soldCount -> users.lookup -> tickets.soldCount',
    ]) {
      expect(message).toContain(problem);
    }
    expect(message).not.toContain('unknown internal function tickets.soldCount');
    // Only the first cycle is reported; the self-invocation is one too.
    expect(
      problemsOf([
        {
          service: 'tickets',
          description: 'x',
          database: false,
          routes: {},
          functions: { itself: internal({ invokes: ['tickets.itself'] }) },
        },
      ]),
    ).toContain('internal functions invoke each other in a cycle: tickets.itself -> tickets.itself');
  });

  it('rejects internal functions sharing an env var, and schedule names EventBridge would refuse or share', () => {
    const schedule = (name: string) => ({
      name,
      handler: 'x.ts',
      summary: 'x',
      expression: 'rate(1 hour)',
      localEverySeconds: 60,
    });
    const message = problemsOf([
      {
        service: 'tickets',
        description: 'x',
        database: false,
        routes: {},
        functions: { 'sold-count': internal(), sold_count: internal() },
        schedules: { a: schedule('tickets sweep'), b: schedule('shared'), c: schedule('x'.repeat(65)) },
      },
      {
        service: 'users',
        description: 'x',
        database: false,
        routes: {},
        schedules: { d: schedule('shared') },
      },
    ]);
    for (const problem of [
      'internal functions tickets.sold-count and tickets.sold_count both map to FUNCTION_NAME_TICKETS_SOLD_COUNT',
      'tickets schedule tickets sweep: a rule name is 1-64 letters, digits, ".", "-" or "_"',
      `tickets schedule ${'x'.repeat(65)}: a rule name is 1-64`,
      'schedule name shared is used by tickets and users',
    ]) {
      expect(message).toContain(problem);
    }
  });
});

describe('internal function env names', () => {
  it('are the same in the CDK app as in the runtime that reads them', () => {
    for (const target of ['tickets.soldCount', 'events.capacity-check', 'users.by_id']) {
      expect(infraFunctionNameEnv(target)).toBe(functionNameEnv(target));
    }
    expect(infraFunctionNameEnv('tickets.soldCount')).toBe('FUNCTION_NAME_TICKETS_SOLDCOUNT');
  });
});
