// The CDK app synthesized from the real manifests and from fixtures that use every kind of entry and bind: each
// route has its function and API route, each internal function its function and nothing that triggers it, each
// queue its DLQ and alarm, each database its proxy and migrations, functions get exactly the env and access they
// bind, and cdk-nag's AwsSolutions checks pass with reasons.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { manifests as realManifests } from '../../functions/manifests';
import { buildApp, type PlatformApp } from '../../infra-cdk/lib/app';
import { ENVIRONMENTS } from '../../infra-cdk/lib/environments';
import { functionPlans, LOG_SHIPPER_NAME, routeKeyOf } from '../../infra-cdk/lib/plan';
import { ROUTE_THROTTLES, sensitiveRoutes } from '../../infra-cdk/lib/sensitive-routes';
import { PROJECT, pascal, REPO_ROOT } from '../../infra-cdk/lib/settings';
import { SPA_REWRITE, WebStack } from '../../infra-cdk/lib/web-stack';
import {
  databaseHostEnv,
  databaseSecretArnEnv,
  ENV,
  functionNameEnv,
  queueUrlEnv,
  topicArnEnv,
} from '../../layers/common/env-names';
import { functionLimits } from '../../layers/common/function-defaults';
import type { Binds, RouteSpec, ServiceManifest, ServiceName } from '../../layers/common/manifest';
import { messagingResources } from '../../layers/common/resources';
import { FIXTURE_FUNCTIONS_DIR, FIXTURE_WEB_DIR, fixtureManifests } from './fixtures';

// Synthesis bundles every function with esbuild, one after the other: about two CPU-minutes for the real app, which a
// machine loaded by other test files (or other work) may stretch past ten minutes.
const SYNTH_MS = 900_000;
const SYNTH_TIMEOUT = { timeout: SYNTH_MS };
type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

interface Synthesized extends PlatformApp {
  assembly: CloudAssembly;
  statefulTemplate: Template;
  /** The shared stateless stack (HTTP API) and every service stack, as one template: see statelessView. */
  statelessTemplate: Template;
  /** The shared stateless stack, then one stack per service. */
  statelessStacks: Stack[];
  observabilityTemplate: Template;
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
  // In the run's temporary folder, with the repository's node_modules beside it so that a bundle imported by a test
  // resolves @aws-sdk/* from there, like Lambda's runtime provides it.
  const outdir = mkdtempSync(join(tmpdir(), 'tol-infra-'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(outdir, 'node_modules'), 'dir');
  // The fixture app always uploads a web app; the real one uploads web/dist when it has been built.
  const webDir = functionsDir ? FIXTURE_WEB_DIR : undefined;
  const platform = buildApp({ manifests, functionsDir, webDir, appProps: { outdir, context } });
  const assembly = platform.app.synth();
  const statelessStacks = [platform.stateless, ...platform.stateless.services.values()];
  const result = {
    ...platform,
    assembly,
    statefulTemplate: Template.fromStack(platform.stateful),
    statelessTemplate: statelessView(statelessStacks),
    statelessStacks,
    observabilityTemplate: Template.fromStack(platform.observability),
  };
  synthesized.set(manifests, result);
  return result;
}

/** `Fn::GetStackOutput` of a weak cross-stack reference: the producing stack and its output. */
type WeakReference = { 'Fn::GetStackOutput': { StackName: string; OutputName: string } };

function isWeakReference(value: unknown): value is WeakReference {
  return typeof value === 'object' && value !== null && 'Fn::GetStackOutput' in value;
}

/**
 * The stateless layer (the shared API stack and the service stacks) as one template, so that assertions about
 * functions, routes and grants look across all of it. Logical ids are unique across these stacks (construct ids carry
 * the service), which this checks; CDK's per-stack singletons (the trigger provider, CDKMetadata) are kept apart as
 * `<id>@<stack>`. Weak references between these stacks are resolved to what they point at (e.g. `{ Ref: <function> }`
 * in the producing stack); those to the stateful stack stay as they are. Outputs are merged too.
 */
function statelessView(stacks: readonly Stack[]): Template {
  const templates = stacks.map((stack) => ({
    name: stack.stackName,
    json: Template.fromStack(stack).toJSON() as {
      Resources: Record<string, unknown>;
      Outputs?: Record<string, { Value: unknown }>;
    },
  }));
  const outputs = new Map(templates.map(({ name, json }) => [name, json.Outputs ?? {}]));
  const singleton = (id: string) => id === 'CDKMetadata' || id.startsWith('AWSCDK');
  const rewrite = (value: unknown, stack: string): unknown => {
    if (Array.isArray(value)) return value.map((item) => rewrite(item, stack));
    if (typeof value !== 'object' || value === null) return value;
    if (isWeakReference(value)) {
      const { StackName, OutputName } = value['Fn::GetStackOutput'];
      const output = outputs.get(StackName)?.[OutputName];
      if (output) return rewrite(output.Value, StackName);
      expect(outputs.has(StackName), `output ${OutputName} of ${StackName}`).toBe(false);
      return value;
    }
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string' && singleton(record.Ref)) return { Ref: `${record.Ref}@${stack}` };
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && singleton(getAtt[0])) {
      return { 'Fn::GetAtt': [`${getAtt[0]}@${stack}`, ...getAtt.slice(1)] };
    }
    return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, rewrite(item, stack)]));
  };
  const resources: Record<string, unknown> = {};
  const mergedOutputs: Record<string, unknown> = {};
  for (const { name, json } of templates) {
    for (const [id, resource] of Object.entries(json.Resources)) {
      const key = singleton(id) ? `${id}@${name}` : id;
      expect(resources[key], `logical id ${key} in two stateless stacks`).toBeUndefined();
      const rewritten = rewrite(resource, name) as { DependsOn?: string[] };
      if (rewritten.DependsOn) {
        rewritten.DependsOn = rewritten.DependsOn.map((dep) => (singleton(dep) ? `${dep}@${name}` : dep));
      }
      resources[key] = rewritten;
    }
    for (const [id, output] of Object.entries(json.Outputs ?? {})) {
      expect(mergedOutputs[id], `output ${id} in two stateless stacks`).toBeUndefined();
      mergedOutputs[id] = output;
    }
  }
  return Template.fromJSON({ Resources: resources, Outputs: mergedOutputs });
}

/** `value` with every weak reference to the stateful stack replaced by what its output holds (e.g. `{ Ref: <secret> }`). */
function statefulOutputsResolved(app: Synthesized, value: unknown): unknown {
  const outputs =
    (app.statefulTemplate.toJSON() as { Outputs?: Record<string, { Value: unknown }> }).Outputs ?? {};
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== 'object' || node === null) return node;
    if (isWeakReference(node) && node['Fn::GetStackOutput'].StackName === app.stateful.stackName) {
      const output = outputs[node['Fn::GetStackOutput'].OutputName];
      expect(output, node['Fn::GetStackOutput'].OutputName).toBeDefined();
      return output?.Value;
    }
    return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item)]));
  };
  return walk(value);
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

/** The env a function must have, derived from its kind and binds independently of the CDK code. */
function expectedEnv(service: string, binds: Binds, kind: string): string[] {
  const keys = ['POWERTOOLS_SERVICE_NAME', ENV.serviceName, 'POWERTOOLS_LOG_LEVEL', 'NODE_OPTIONS'];
  keys.push(ENV.jwtIssuer, ENV.jwtAudience);
  if (kind === 'route') keys.push(ENV.corsAllowedOrigins);
  if (kind === 'route' && service === 'auth') keys.push(ENV.oauthWebRedirectUris);
  const databases = new Set([...(binds.database ? [service] : []), ...(binds.pingDatabases ?? [])]);
  for (const db of databases) keys.push(databaseHostEnv(db), databaseSecretArnEnv(db));
  for (const topic of binds.publishes ?? []) keys.push(topicArnEnv(topic));
  for (const queue of binds.sends ?? []) keys.push(queueUrlEnv(queue));
  if (binds.bucket) keys.push(ENV.mediaBucket);
  if (binds.redis) keys.push(ENV.redisUrl, ENV.redisAuthSecretArn);
  if (binds.payments) keys.push(ENV.stripeSecretArn);
  if (binds.totpKey) keys.push(ENV.totpEncryptionSecretArn);
  if (binds.mail) keys.push(ENV.mailFrom);
  if (binds.logSearch) keys.push(ENV.openSearchUrl);
  if (binds.logSearch === 'manage') keys.push(ENV.logRetentionDays);
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
  }, SYNTH_MS);

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

  it('throttles the $default stage, sign-in and purchase routes each on their own, and access-logs it', () => {
    const routeSettings = Object.fromEntries(
      sensitiveRoutes(manifests).map((route) => [
        route.routeKey,
        {
          ThrottlingRateLimit: ROUTE_THROTTLES[route.group].rateLimit,
          ThrottlingBurstLimit: ROUTE_THROTTLES[route.group].burstLimit,
        },
      ]),
    );
    expect(Object.keys(routeSettings).length).toBeGreaterThan(0);
    // In a stack after the service stacks: API Gateway refuses settings for routes that do not exist yet.
    for (const service of app.stateless.services.values()) expect(app.stage.dependencies).toContain(service);
    Template.fromStack(app.stage).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: routeSettings,
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

  it("runs every platform function on nodejs22.x, arm64, with active tracing and the environment's log retention", () => {
    const template = app.statelessTemplate;
    const logGroups = Object.fromEntries(resourcesOf(template, 'AWS::Logs::LogGroup'));
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    const ours = functions.filter(([, fn]) => tagOf(fn, 'tol:kind'));
    // The only other functions are the CDK Trigger's providers, which CDK owns: one in each stack with a migration.
    expect(functions.filter(([, fn]) => !tagOf(fn, 'tol:kind')).map(([id]) => id)).toEqual(
      ours
        .filter(([, fn]) => tagOf(fn, 'tol:kind') === 'migrate')
        .map(() => expect.stringMatching(/^AWSCDKTriggerCustomResourceProvider/)),
    );
    for (const [id, fn] of ours) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
      const logGroupId = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      // cdk.json names no env: dev's (prod's are asserted in environments.test.ts).
      expect((logGroups[logGroupId] as Resource).Properties.RetentionInDays, id).toBe(
        ENVIRONMENTS.dev.logRetentionDays,
      );
    }
  });

  it('sets memory and timeout to what the local runtime gives the same entry', () => {
    for (const kind of ENTRY_KINDS) {
      const deployed = functionsOfKind(app.statelessTemplate, KINDS[kind]);
      for (const { key, entry } of entriesOf(manifests, kind)) {
        const limits = functionLimits(KINDS[kind], entry);
        expect(deployed.get(key)?.[1].Properties, key).toMatchObject({
          MemorySize: limits.memoryMb,
          Timeout: limits.timeoutSeconds,
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
        expect(Object.keys(variables).sort(), key).toEqual(expectedEnv(service, binds, KINDS[kind]));
        const needsVpc = Boolean(
          binds.database || binds.pingDatabases?.length || binds.redis || binds.logSearch,
        );
        expect(fn.Properties.VpcConfig !== undefined, `${key} in VPC`).toBe(needsVpc);
      }
    }
  });

  it('lets exactly the functions that take payments read the Stripe keys, and those with totpKey the TOTP key', () => {
    const template = app.statelessTemplate;
    for (const kind of ENTRY_KINDS) {
      const deployed = functionsOfKind(template, KINDS[kind]);
      for (const { key, entry } of entriesOf(manifests, kind)) {
        const [id] = defined(deployed.get(key), key);
        const reads = (secret: string) =>
          policyStatementsOf(template, id).some(
            (statement) =>
              [statement.Action].flat().includes('secretsmanager:GetSecretValue') &&
              JSON.stringify(statement.Resource ?? '').includes(secret),
          );
        expect(reads('StripeKeys'), key).toBe(Boolean(entry.binds?.payments));
        expect(reads('TotpEncryptionKey'), key).toBe(Boolean(entry.binds?.totpKey));
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
        // cdk.json names no env: dev's sizes (prod's are asserted in environments.test.ts).
        MultiAZ: ENVIRONMENTS.dev.databases.multiAz,
        BackupRetentionPeriod: ENVIRONMENTS.dev.databases.backupRetentionDays,
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

  it('connects every function as its service app user; only the migrate function can read the master secret', () => {
    const secretIds = (login: 'secret' | 'appSecret') =>
      new Map(
        [...app.stateful.databases].map(([service, database]) => [
          service,
          (app.stateful.resolve(database[login].secretArn) as { Ref: string }).Ref,
        ]),
      );
    const masters = secretIds('secret');
    const appUsers = secretIds('appSecret');
    const naming = (text: string, ids: Map<ServiceName, string>) =>
      [...ids].filter(([, id]) => text.includes(`"Ref":"${id}"`)).map(([service]) => service);
    const functions = resourcesOf(app.statelessTemplate, 'AWS::Lambda::Function').filter(([, fn]) =>
      tagOf(fn, 'tol:kind'),
    );
    for (const [id, fn] of functions) {
      const kind = tagOf(fn, 'tol:kind');
      const name = tagOf(fn, `tol:${kind}`) ?? id;
      const service = tagOf(fn, 'tol:service') as ServiceName;
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      // What the function is told (env) and what it may read (IAM), with the stateful stack's outputs resolved.
      const env = JSON.stringify(statefulOutputsResolved(app, variables));
      const grants = JSON.stringify(
        statefulOutputsResolved(app, policyStatementsOf(app.statelessTemplate, id)),
      );
      if (kind === 'migrate') {
        expect(naming(env, masters), name).toEqual([service]);
        expect(naming(grants, masters), name).toEqual([service]);
        expect(statefulOutputsResolved(app, variables[ENV.dbAppSecretArn]), name).toEqual({
          Ref: appUsers.get(service),
        });
        continue;
      }
      expect(naming(env, masters), name).toEqual([]);
      expect(naming(grants, masters), name).toEqual([]);
      for (const [db, secretId] of appUsers) {
        const value = variables[databaseSecretArnEnv(db)];
        if (value !== undefined) expect(statefulOutputsResolved(app, value), name).toEqual({ Ref: secretId });
      }
      expect(naming(grants, appUsers).sort(), name).toEqual(naming(env, appUsers).sort());
    }
  });

  it('rotates each app user with alternating users, the secret its RDS Proxy authenticates, and the master too', () => {
    const json = app.statefulTemplate.toJSON() as {
      Resources: Record<string, Resource>;
      Mappings: Record<string, Record<string, { applicationId: string }>>;
    };
    const schedules = resourcesOf(app.statefulTemplate, 'AWS::SecretsManager::RotationSchedule');
    const rotatesAtOnce = new Map<string, unknown>();
    const rotationApplication = (secretId: string) => {
      const matching = schedules.filter(
        ([, schedule]) => (schedule.Properties.SecretId as { Ref: string }).Ref === secretId,
      );
      expect(matching, `rotation of ${secretId}`).toHaveLength(1);
      const [, schedule] = defined(matching[0], secretId);
      expect(schedule.Properties.RotationRules).toEqual({ ScheduleExpression: 'rate(30 days)' });
      rotatesAtOnce.set(secretId, schedule.Properties.RotateImmediatelyOnUpdate);
      const [applicationId] = (schedule.Properties.RotationLambdaARN as { 'Fn::GetAtt': [string] })[
        'Fn::GetAtt'
      ];
      const application = defined(json.Resources[applicationId], applicationId);
      const mapping = (application.Properties.Location as { ApplicationId: { 'Fn::FindInMap': [string] } })
        .ApplicationId['Fn::FindInMap'][0];
      return defined(json.Mappings[mapping]?.aws?.applicationId, mapping);
    };
    for (const [service, database] of app.stateful.databases) {
      const appSecretId = (app.stateful.resolve(database.appSecret.secretArn) as { Ref: string }).Ref;
      const masterId = (app.stateful.resolve(database.secret.secretArn) as { Ref: string }).Ref;
      expect(rotationApplication(appSecretId), service).toMatch(
        /SecretsManagerRDSPostgreSQLRotationMultiUser$/,
      );
      // The first rotation logs in as the app user, which exists only once the migrate function has run.
      expect(rotatesAtOnce.get(appSecretId), service).toBe(false);
      expect(rotationApplication(masterId), service).toMatch(
        /SecretsManagerRDSPostgreSQLRotationSingleUser$/,
      );
      // The app secret starts as <service>_app and names the master secret the rotation clones the user with.
      const attachment = defined(json.Resources[appSecretId], appSecretId);
      const secret = defined(
        json.Resources[(attachment.Properties.SecretId as { Ref: string }).Ref],
        `secret of ${appSecretId}`,
      );
      const { SecretStringTemplate } = secret.Properties.GenerateSecretString as {
        SecretStringTemplate: { 'Fn::Join': [string, (string | { Ref: string })[]] };
      };
      const [, parts] = SecretStringTemplate['Fn::Join'];
      const rendered = parts.map((part) => (typeof part === 'string' ? part : `<${part.Ref}>`)).join('');
      expect(JSON.parse(rendered), service).toEqual({
        username: `${service}_app`,
        dbname: service,
        masterarn: `<${masterId}>`,
      });
      const proxy = defined(
        resourcesOf(app.statefulTemplate, 'AWS::RDS::DBProxy').find(
          ([id]) => id === (app.stateful.resolve(database.proxy.dbProxyName) as { Ref: string }).Ref,
        ),
        `proxy of ${service}`,
      );
      expect(
        (proxy[1].Properties.Auth as { SecretArn: { Ref: string } }[])
          .map((auth) => auth.SecretArn.Ref)
          .sort(),
        service,
      ).toEqual([appSecretId, masterId].sort());
    }
  });

  it('requires TLS and an AUTH token from Secrets Manager on Redis, which only redis binders read', () => {
    const [[, group]] = resourcesOf(app.statefulTemplate, 'AWS::ElastiCache::ReplicationGroup') as [
      [string, Resource],
    ];
    const tokenId = (app.stateful.resolve(app.stateful.cache.authSecret.secretArn) as { Ref: string }).Ref;
    expect(group.Properties).toMatchObject({
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
    });
    // A dynamic reference, resolved by CloudFormation: the template never holds the token.
    expect(group.Properties.AuthToken).toEqual({
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: tokenId }, ':SecretString:::}}']],
    });
    for (const [id, fn] of resourcesOf(app.statelessTemplate, 'AWS::Lambda::Function')) {
      const kind = tagOf(fn, 'tol:kind');
      if (!kind) continue;
      const name = tagOf(fn, `tol:${kind}`) ?? id;
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      const readsToken = JSON.stringify(
        statefulOutputsResolved(app, policyStatementsOf(app.statelessTemplate, id)),
      ).includes(`"Ref":"${tokenId}"`);
      expect(readsToken, name).toBe(variables[ENV.redisUrl] !== undefined);
      if (variables[ENV.redisUrl] === undefined) continue;
      expect(statefulOutputsResolved(app, variables[ENV.redisAuthSecretArn]), name).toEqual({ Ref: tokenId });
      const url = JSON.stringify(statefulOutputsResolved(app, variables[ENV.redisUrl]));
      expect(url, name).toContain('rediss://');
      expect(url, name).not.toContain('@');
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
    const stacks = app.app.node.children.filter(Stack.isStack);
    expect(stacks.map((stack) => stack.stackName).sort()).toEqual(
      [app.stateful, ...app.statelessStacks, app.stage, app.observability, app.web, app.edge]
        .map((stack) => stack.stackName)
        .sort(),
    );
    // Each stack's errors and warnings as the synthesis above recorded them. (Annotations.fromStack would read the same
    // after synthesizing the whole app again, validation plugins and all, on every call: minutes for this app.)
    for (const stack of stacks) {
      const findings = app.assembly
        .getStackArtifact(stack.artifactId)
        .messages.filter(
          (message) =>
            (message.level === 'error' || message.level === 'warning') &&
            /AwsSolutions-/.test(String(message.entry.data)),
        )
        .map((message) => `${message.id}: ${String(message.entry.data)}`);
      expect(findings, stack.stackName).toEqual([]);
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

describe.each(apps)(
  'the stateless stacks of the CDK app built from $label',
  ({ manifests, functionsDir }) => {
    let app: Synthesized;
    beforeAll(() => {
      app = synth(manifests, functionsDir);
    }, SYNTH_MS);

    it('keep only the HTTP API and the JWT authorizer in the shared stack', () => {
      const resources = Template.fromStack(app.stateless).toJSON().Resources as Record<string, Resource>;
      const hasAuth = manifests.some((manifest) =>
        Object.values(manifest.routes).some((route) => route.auth),
      );
      expect(
        Object.values(resources)
          .map((resource) => resource.Type)
          .filter((type) => type !== 'AWS::CDK::Metadata')
          .sort(),
      ).toEqual(['AWS::ApiGatewayV2::Api', ...(hasAuth ? ['AWS::ApiGatewayV2::Authorizer'] : [])].sort());
    });

    it('give each service a stack of its own with its functions, log groups, routes, event sources, schedules and migration', () => {
      expect([...app.stateless.services.keys()]).toEqual(manifests.map((manifest) => manifest.service));
      for (const manifest of manifests) {
        const { service } = manifest;
        const stack = defined(app.stateless.services.get(service), service);
        expect(stack.stackName).toBe(`${PROJECT}-Stateless-${pascal(service)}`);
        const template = Template.fromStack(stack);
        const resources = template.toJSON().Resources as Record<string, Resource>;
        const functions = resourcesOf(template, 'AWS::Lambda::Function').filter(([, fn]) =>
          tagOf(fn, 'tol:kind'),
        );
        expect(
          functions
            .map(([, fn]) => `${tagOf(fn, 'tol:kind')}:${tagOf(fn, `tol:${tagOf(fn, 'tol:kind')}`)}`)
            .sort(),
          service,
        ).toEqual(
          [
            ...ENTRY_KINDS.flatMap((kind) =>
              Object.keys(manifest[kind] ?? {}).map((name) => `${KINDS[kind]}:${service}.${name}`),
            ),
            ...(manifest.logShipper ? [`log-shipper:${service}.${LOG_SHIPPER_NAME}`] : []),
            ...(manifest.database ? [`migrate:${service}.migrate`] : []),
          ].sort(),
        );
        for (const [id, fn] of functions) {
          const logGroupId = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
          expect(resources[logGroupId]?.Type, id).toBe('AWS::Logs::LogGroup');
        }
        const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route');
        expect(routes.map(([, route]) => route.Properties.RouteKey).sort(), service).toEqual(
          Object.values(manifest.routes).map(routeKeyOf).sort(),
        );
        for (const [id, route] of routes) {
          // On the shared API, read from the shared stack's outputs.
          expect(route.Properties.ApiId, id).toEqual({
            'Fn::GetStackOutput': expect.objectContaining({ StackName: app.stateless.stackName }),
          });
        }
        expect(resourcesOf(template, 'AWS::ApiGatewayV2::Integration')).toHaveLength(routes.length);
        expect(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).toHaveLength(
          Object.keys(manifest.consumers ?? {}).length,
        );
        expect(
          resourcesOf(template, 'AWS::Events::Rule')
            .map(([, rule]) => rule.Properties.Name)
            .sort(),
        ).toEqual(
          Object.values(manifest.schedules ?? {})
            .map((schedule) => schedule.name)
            .sort(),
        );
        expect(resourcesOf(template, 'Custom::Trigger')).toHaveLength(manifest.database ? 1 : 0);
      }
    });

    it('read other stacks only through weak references, and depend on another service only when invoking it', () => {
      // No Fn::ImportValue anywhere: no stack is ever kept from changing by another stack's import.
      for (const stack of app.assembly.stacks) {
        expect(JSON.stringify(stack.template), stack.stackName).not.toContain('Fn::ImportValue');
      }
      for (const manifest of manifests) {
        const stack = defined(app.stateless.services.get(manifest.service), manifest.service);
        const invoked = new Set(
          functionPlans(manifest)
            .flatMap((plan) => plan.binds.invokes ?? [])
            .map((target) => target.split('.')[0] as ServiceName)
            .filter((service) => service !== manifest.service),
        );
        expect(stack.dependencies.map((dependency) => dependency.stackName).sort(), manifest.service).toEqual(
          [
            app.stateful.stackName,
            app.stateless.stackName,
            // Route functions allow the distribution's origin in CORS_ALLOWED_ORIGINS.
            ...(Object.keys(manifest.routes).length > 0 ? [app.web.stackName] : []),
            ...[...invoked].map((service) => app.stateless.services.get(service)?.stackName),
          ].sort(),
        );
      }
    });
  },
);

describe('the CDK app built from the real manifests, room to grow', () => {
  let app: Synthesized;
  beforeAll(() => {
    app = synth(realManifests);
  }, SYNTH_MS);

  it('keeps every stack under 400 resources and 150 outputs, and every template under 800 KB', () => {
    // CloudFormation's limits are 500 resources, 200 outputs and 1 MB of template (from S3).
    const sizes = app.assembly.stacks.map((stack) => {
      const template = stack.template as { Resources?: object; Outputs?: object };
      return {
        stack: stack.stackName,
        resources: Object.keys(template.Resources ?? {}).length,
        outputs: Object.keys(template.Outputs ?? {}).length,
        bytes: readFileSync(join(app.assembly.directory, stack.templateFile)).length,
      };
    });
    expect(sizes.length).toBeGreaterThanOrEqual(3 + realManifests.length);
    for (const size of sizes) {
      expect(size.resources, `${size.stack} resources`).toBeLessThanOrEqual(400);
      expect(size.outputs, `${size.stack} outputs`).toBeLessThanOrEqual(150);
      expect(size.bytes, `${size.stack} template bytes`).toBeLessThan(800_000);
    }
  });
});

describe('the CDK app built from the fixture manifests, messaging and access', () => {
  let app: Synthesized;
  beforeAll(() => {
    app = synth(fixtureManifests, FIXTURE_FUNCTIONS_DIR);
  }, SYNTH_MS);
  const messaging = messagingResources(fixtureManifests);

  it('gives every consumer queue a DLQ with its receive count and a visibility of 6x the function timeout', () => {
    const queues = resourcesOf(app.statefulTemplate, 'AWS::SQS::Queue');
    const main = queues.filter(([, queue]) => queue.Properties.RedrivePolicy);
    const deadLetter = queues.filter(([, queue]) => !queue.Properties.RedrivePolicy);
    expect(main).toHaveLength(messaging.queues.length);
    // Plus the log shipper's dead-letter queue, which is nobody's redrive target.
    expect(deadLetter).toHaveLength(messaging.queues.length + 1);
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

  it("alarms as soon as a message lands in any DLQ (the log shipper's included)", () => {
    const alarms = resourcesOf(app.statefulTemplate, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(messaging.queues.length + 1);
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
    for (const action of ['s3:PutObject', 'sns:Publish', 'secretsmanager:GetSecretValue']) {
      expect(createEvent).toContain(action);
    }
    // The proxies authenticate with the secret's password: an IAM connect grant would be dead weight.
    expect(createEvent).not.toContain('rds-db:connect');
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
    const plans = [
      ...ENTRY_KINDS.flatMap((kind) =>
        entriesOf(fixtureManifests, kind).map(({ service, entry }) => ({
          service,
          binds: entry.binds ?? {},
        })),
      ),
      ...fixtureManifests.flatMap((manifest) =>
        manifest.logShipper ? [{ service: manifest.service, binds: manifest.logShipper.binds ?? {} }] : [],
      ),
    ];
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

  it("reads another service's internal function through a weak reference to that service's stack", () => {
    const events = Template.fromStack(defined(app.stateless.services.get('events'), 'events stack'));
    const [, caller] = defined(functionsOfKind(events, 'route').get('events.updateEvent'), 'caller');
    const variables = (caller.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.FUNCTION_NAME_TICKETS_SOLDCOUNT).toEqual({
      'Fn::GetStackOutput': expect.objectContaining({ StackName: `${PROJECT}-Stateless-Tickets` }),
    });
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
    // Nobody else may reach the domain, but for the ops functions (tested below).
    for (const kind of Object.values(KINDS)) {
      for (const [key, [id]] of functionsOfKind(template, kind)) {
        if (key === 'platform.health' || key.startsWith('ops.')) continue;
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
    // Imported by Node itself (this process's Node 22), as Lambda does: not through vitest's module runner, which would
    // transform the bundle first (and warn about the URLs bundled code builds).
    const exported = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '--eval',
        'process.stdout.write(typeof (await import(process.argv[1])).handler)',
        pathToFileURL(join(events, 'index.mjs')).href,
      ],
      { encoding: 'utf8' },
    );
    expect(exported).toBe('function');
  });
});

/** The template's log shipper: its function id, and the ids of every other platform function with its log group. */
function shipperAndSources(template: Template) {
  const functions = resourcesOf(template, 'AWS::Lambda::Function').filter(([, fn]) => tagOf(fn, 'tol:kind'));
  const shippers = functions.filter(([, fn]) => tagOf(fn, 'tol:kind') === 'log-shipper');
  expect(shippers, 'exactly one log shipper').toHaveLength(1);
  const [shipperId, shipper] = shippers[0] as [string, Resource];
  const logGroupOf = (fn: Resource) =>
    (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
  return {
    shipperId,
    shipper,
    shipperLogGroup: logGroupOf(shipper),
    sources: functions
      .filter(([id]) => id !== shipperId)
      .map(([id, fn]) => ({
        id,
        fn,
        logGroup: logGroupOf(fn),
        name: tagOf(fn, `tol:${tagOf(fn, 'tol:kind')}`),
      })),
  };
}

describe.each(apps)(
  'logging, metrics and alarms of the CDK app built from $label',
  ({ manifests, functionsDir }) => {
    let app: Synthesized;
    beforeAll(() => {
      app = synth(manifests, functionsDir);
    }, SYNTH_MS);

    it("subscribes every function's log group to the log shipper, except the shipper's own", () => {
      const { shipperId, shipperLogGroup, sources } = shipperAndSources(app.statelessTemplate);
      // They live in the observability stack and name the functions' log groups through weak references.
      const template = app.observabilityTemplate;
      const filters = resourcesOf(template, 'AWS::Logs::SubscriptionFilter');
      const outputs = app.statelessTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
      /** What a weak reference in the observability stack resolves to in the stateless stack. */
      const resolve = (value: unknown): unknown => {
        const output = (value as { 'Fn::GetStackOutput'?: { OutputName: string } })['Fn::GetStackOutput']
          ?.OutputName;
        return output ? outputs[output]?.Value : value;
      };
      expect(sources.length).toBeGreaterThan(0);
      const logGroupOf = (filter: Resource) =>
        (resolve(filter.Properties.LogGroupName) as { Ref?: string }).Ref;
      for (const source of sources) {
        const own = filters.filter(([, filter]) => logGroupOf(filter) === source.logGroup);
        expect(own, `subscription filter of ${source.name}`).toHaveLength(1);
        const properties = (own[0] as [string, Resource])[1].Properties;
        expect(resolve(properties.DestinationArn)).toEqual({ 'Fn::GetAtt': [shipperId, 'Arn'] });
        expect(properties.FilterPattern).toBe('');
      }
      expect(filters).toHaveLength(sources.length);
      expect(filters.filter(([, filter]) => logGroupOf(filter) === shipperLogGroup)).toEqual([]);
      // CloudWatch Logs may invoke the shipper (one permission, this account's log groups) before any filter exists.
      const permissions = resourcesOf(template, 'AWS::Lambda::Permission').filter(
        ([, permission]) => permission.Properties.Principal === 'logs.amazonaws.com',
      );
      expect(permissions).toHaveLength(1);
      const [permissionId, permission] = permissions[0] as [string, Resource];
      expect(resolve(permission.Properties.FunctionName)).toEqual({ 'Fn::GetAtt': [shipperId, 'Arn'] });
      expect(permission.Properties.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
      for (const [id, filter] of filters) expect(filter.DependsOn, id).toContain(permissionId);
    });

    it('lets the shipper index into the log domain and send what it cannot deliver to its alarmed DLQ', () => {
      const template = app.statelessTemplate;
      const { shipperId, shipper } = shipperAndSources(template);
      const variables = (shipper.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(variables)).toEqual(
        expect.arrayContaining(['OPENSEARCH_URL', 'QUEUE_URL_LOG_SHIPPER_DLQ']),
      );
      expect(shipper.Properties.VpcConfig).toBeDefined();
      const actions = actionsOf(template, shipperId);
      for (const action of ['es:ESHttpPost', 'es:ESHttpPut', 'sqs:SendMessage'])
        expect(actions).toContain(action);
      expect(actions).not.toContain('es:ESHttpDelete');
      // Lambda's own retries of a failed invocation end in the same queue.
      const invokeConfigs = resourcesOf(template, 'AWS::Lambda::EventInvokeConfig');
      expect(invokeConfigs).toHaveLength(1);
      expect((invokeConfigs[0] as [string, Resource])[1].Properties).toMatchObject({
        FunctionName: { Ref: shipperId },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: expect.anything() } },
      });
      const queue = variables.QUEUE_URL_LOG_SHIPPER_DLQ;
      expect(JSON.stringify(queue)).toContain('LogShipperDlq');
      const dlqAlarms = resourcesOf(app.statefulTemplate, 'AWS::CloudWatch::Alarm').filter(([id]) =>
        id.startsWith('LogShipperDlq'),
      );
      expect(dlqAlarms).toHaveLength(1);
      expect((dlqAlarms[0] as [string, Resource])[1].Properties).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [expect.anything()],
      });
    });

    it('lets only the retention job delete log indices, and tells it how many days to keep', () => {
      const template = app.statelessTemplate;
      const [id, fn] = defined(
        functionsOfKind(template, 'schedule').get('ops.expireLogIndices'),
        'retention job',
      );
      expect(actionsOf(template, id)).toContain('es:ESHttpDelete');
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.LOG_RETENTION_DAYS).toBe('30');
      for (const [otherId, other] of resourcesOf(template, 'AWS::Lambda::Function')) {
        if (otherId === id) continue;
        expect(actionsOf(template, otherId), tagOf(other, 'tol:kind')).not.toContain('es:ESHttpDelete');
      }
    });

    it("alarms on every function's errors and throttles, API 5xx rate and p99 latency, database CPU and connections", () => {
      const outputs = app.statelessTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
      const resolve = (value: unknown): unknown => {
        const output = (value as { 'Fn::GetStackOutput'?: { OutputName: string } })['Fn::GetStackOutput']
          ?.OutputName;
        return output ? outputs[output]?.Value : value;
      };
      const alarms = resourcesOf(app.observabilityTemplate, 'AWS::CloudWatch::Alarm').map(
        ([, alarm]): Record<string, unknown> => ({
          ...alarm.Properties,
          Dimensions: (alarm.Properties.Dimensions as { Name: string; Value: unknown }[] | undefined)?.map(
            (dimension) => ({ ...dimension, Value: resolve(dimension.Value) }),
          ),
        }),
      );
      for (const alarm of alarms)
        expect(alarm.AlarmActions, JSON.stringify(alarm.AlarmDescription)).toHaveLength(1);
      const { shipperId, sources } = shipperAndSources(app.statelessTemplate);
      for (const id of [shipperId, ...sources.map((source) => source.id)]) {
        for (const metric of ['Errors', 'Throttles']) {
          const found = alarms.filter(
            (alarm) =>
              alarm.MetricName === metric &&
              alarm.Namespace === 'AWS/Lambda' &&
              JSON.stringify(alarm.Dimensions) ===
                JSON.stringify([{ Name: 'FunctionName', Value: { Ref: id } }]),
          );
          expect(found, `${metric} alarm of ${id}`).toHaveLength(1);
          expect(found[0]).toMatchObject({
            Threshold: 1,
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          });
        }
      }

      const rate = alarms.filter((alarm) =>
        JSON.stringify(alarm.Metrics ?? []).includes('100 * errors / requests'),
      );
      expect(rate).toHaveLength(1);
      const rateMetrics = JSON.stringify(rate[0]?.Metrics);
      expect(rateMetrics).toContain('"MetricName":"5xx"');
      expect(rateMetrics).toContain('"MetricName":"Count"');
      expect(rate[0]).toMatchObject({ Threshold: 2, ComparisonOperator: 'GreaterThanThreshold' });
      expect(
        alarms.filter(
          (alarm) =>
            alarm.MetricName === 'Latency' &&
            alarm.Namespace === 'AWS/ApiGateway' &&
            alarm.ExtendedStatistic === 'p99',
        ),
      ).toHaveLength(1);

      const databases = manifests
        .filter((manifest) => manifest.database)
        .map((manifest) => `tol-${manifest.service}`);
      for (const identifier of databases) {
        for (const metric of [
          'CPUUtilization',
          'DatabaseConnections',
          'FreeStorageSpace',
          'FreeableMemory',
        ]) {
          const found = alarms.filter(
            (alarm) =>
              alarm.Namespace === 'AWS/RDS' &&
              alarm.MetricName === metric &&
              JSON.stringify(alarm.Dimensions) ===
                JSON.stringify([{ Name: 'DBInstanceIdentifier', Value: identifier }]),
          );
          expect(found, `${metric} alarm of ${identifier}`).toHaveLength(1);
        }
      }
      // A consumer down or behind, a schedule EventBridge cannot invoke, the log domain red: each alarms.
      const named = (namespace: string, metric: string) =>
        alarms.filter((alarm) => alarm.Namespace === namespace && alarm.MetricName === metric);
      expect(named('AWS/SQS', 'ApproximateAgeOfOldestMessage')).toHaveLength(
        messagingResources(manifests).queues.length,
      );
      const rules = manifests.flatMap((manifest) =>
        Object.values(manifest.schedules ?? {}).map((s) => s.name),
      );
      expect(
        named('AWS/Events', 'FailedInvocations')
          .map((alarm) => JSON.stringify(alarm.Dimensions))
          .sort(),
      ).toEqual(rules.map((rule) => JSON.stringify([{ Name: 'RuleName', Value: rule }])).sort());
      expect(named('AWS/ES', 'ClusterStatus.red')).toHaveLength(1);
      // Payments the reconciliation could not repair.
      expect(named('TicketOrLeaveIt', 'PaymentsUnreconciled')).toHaveLength(1);
    });

    it('draws one CloudWatch dashboard with the API, the business figures, functions, queues, databases and logs', () => {
      const dashboards = resourcesOf(app.observabilityTemplate, 'AWS::CloudWatch::Dashboard');
      expect(dashboards).toHaveLength(1);
      const body = JSON.stringify((dashboards[0] as [string, Resource])[1].Properties.DashboardBody);
      for (const figure of [
        'TicketsSold',
        'OrdersRefused',
        'EmailsSent',
        'RemindersQueued',
        'LogLinesShipped',
        'LogLinesDeadLettered',
        'TicketOrLeaveIt',
        '5xx',
        'p99',
        'CPUUtilization',
        'DatabaseConnections',
        'ApproximateNumberOfMessagesVisible',
        'ApproximateAgeOfOldestMessage',
        'FreeableMemory',
        'FreeStorageSpace',
      ]) {
        expect(body, figure).toContain(figure);
      }
    });
  },
);

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

  it('rejects an edge cache on a route whose answer is not the same for everyone, or whose path the edge cannot match', () => {
    const route = (over: Partial<RouteSpec>): RouteSpec => ({
      method: 'GET',
      path: '/v1/events/{id}',
      handler: 'page.ts',
      summary: 'page',
      auth: false,
      responses: {},
      request: { params: z.object({ id: z.uuid() }) },
      edgeCacheSeconds: 1,
      ...over,
    });
    const message = problemsOf([
      {
        service: 'events',
        description: 'x',
        database: false,
        routes: {
          page: route({}),
          mine: route({ path: '/v1/me/events/{id}', auth: true }),
          change: route({ method: 'POST', path: '/v1/events/{id}/change' }),
          fraction: route({ path: '/v1/events/{id}/half', edgeCacheSeconds: 0.5 }),
          slug: route({
            path: '/v1/events/by-slug/{slug}',
            request: { params: z.object({ slug: z.string() }) },
          }),
        },
      },
    ]);
    expect(message).toContain('events.mine: only anonymous GET routes can be cached at the edge');
    expect(message).toContain('events.change: only anonymous GET routes can be cached at the edge');
    expect(message).toContain('events.fraction: edgeCacheSeconds must be 1-60 whole seconds');
    expect(message).toContain('events.slug: an edge-cached route takes UUID path parameters only');
    expect(message).not.toContain('events.page');
  });

  it("rejects services invoking each other's internal functions, whose stacks would depend on each other", () => {
    const message = problemsOf([
      {
        service: 'events',
        description: 'x',
        database: false,
        routes: {},
        functions: { capacity: internal({ invokes: ['tickets.soldCount'] }) },
      },
      {
        service: 'tickets',
        description: 'x',
        database: false,
        routes: {},
        functions: { soldCount: internal(), refund: internal({ invokes: ['events.capacity'] }) },
      },
    ]);
    expect(message).toContain(
      "services invoke each other's internal functions in a cycle: events -> tickets -> events " +
        '(events.capacity invokes tickets.soldCount, tickets.refund invokes events.capacity)',
    );
    // No function calls itself back: only the stacks would.
    expect(message).not.toContain('internal functions invoke each other in a cycle');
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

describe('the web app in the CDK app built from the fixture manifests', () => {
  let app: Synthesized;
  let template: Template;
  let distribution: Record<string, unknown>;
  beforeAll(() => {
    app = synth(fixtureManifests, FIXTURE_FUNCTIONS_DIR);
    template = Template.fromStack(app.web);
    const [[, resource] = ['', undefined]] = resourcesOf(template, 'AWS::CloudFront::Distribution');
    distribution = defined(resource, 'distribution').Properties.DistributionConfig as Record<string, unknown>;
  }, SYNTH_MS);

  const API_PATHS = ['/v1/*', '/oauth/*', '/.well-known/*'];
  const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
  const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
  type Origin = { Id: string; DomainName: unknown; S3OriginConfig?: object; OriginAccessControlId?: unknown };
  type Behavior = Record<string, unknown> & { TargetOriginId: string; PathPattern?: string };

  const originsByKind = () => {
    const origins = distribution.Origins as Origin[];
    return {
      site: defined(
        origins.find((origin) => origin.OriginAccessControlId !== undefined),
        's3 origin',
      ),
      api: defined(
        origins.find((origin) => JSON.stringify(origin.DomainName).includes('execute-api')),
        'api origin',
      ),
    };
  };

  it('serves the app from a private bucket that only this distribution may read, through origin access control', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    const { site } = originsByKind();
    expect(site.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    const siteBucketId = app.web.getLogicalId(app.web.bucket.node.defaultChild as CfnElement);
    expect(JSON.stringify(site.DomainName)).toContain(siteBucketId);
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    const policies = resourcesOf(template, 'AWS::S3::BucketPolicy').filter(
      ([, policy]) => JSON.stringify(policy.Properties.Bucket) === JSON.stringify({ Ref: siteBucketId }),
    );
    const statements = policies.flatMap(
      ([, policy]) =>
        (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
    const read = defined(
      statements.find((statement) =>
        JSON.stringify(statement.Principal).includes('cloudfront.amazonaws.com'),
      ),
      'cloudfront read statement',
    );
    expect(read.Action).toBe('s3:GetObject');
    expect(JSON.stringify(read.Condition)).toContain('AWS:SourceArn');
    expect(JSON.stringify(read.Condition)).toContain(
      app.web.getLogicalId(app.web.distribution.node.defaultChild as CfnElement),
    );
  });

  it('routes /v1/*, /oauth/* and /.well-known/* to the HTTP API uncached, with every viewer header but Host', () => {
    const { api } = originsByKind();
    expect(JSON.stringify(api.DomainName)).toContain('Fn::GetStackOutput');
    const behaviors = (distribution.CacheBehaviors as Behavior[]).filter(
      (behavior) => !behavior.PathPattern?.includes('?'),
    );
    expect(behaviors.map((behavior) => behavior.PathPattern).sort()).toEqual([...API_PATHS].sort());
    for (const behavior of behaviors) {
      expect(behavior, behavior.PathPattern).toMatchObject({
        TargetOriginId: api.Id,
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        ViewerProtocolPolicy: 'https-only',
        AllowedMethods: expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
      });
    }
    // No error answer replaced by a page (the API's problem+json reaches clients), and none kept at the edge.
    const errors = distribution.CustomErrorResponses as Record<string, unknown>[];
    expect(errors.map((error) => error.ErrorCode)).toEqual([
      400, 403, 405, 414, 416, 500, 501, 502, 503, 504,
    ]);
    for (const error of errors) {
      expect(error.ErrorCachingMinTTL, String(error.ErrorCode)).toBe(0);
      expect(error.ResponsePagePath).toBeUndefined();
    }
  });

  it('keeps an edge-cached route (the event page) its second at the edge, before /v1/* and on its exact path only', () => {
    const { api } = originsByKind();
    const behaviors = distribution.CacheBehaviors as Behavior[];
    const patterns = behaviors.map((behavior) => behavior.PathPattern);
    const cached = ['/v1/events/????????-????-????-????-????????????'];
    expect(patterns[0]).toEqual(cached[0]);
    expect(patterns.filter((pattern) => pattern?.includes('?'))).toEqual(cached);
    const [[policyId, policy] = ['', undefined]] = resourcesOf(template, 'AWS::CloudFront::CachePolicy');
    const config = defined(policy, 'cache policy').Properties.CachePolicyConfig as {
      MaxTTL: number;
      MinTTL: number;
      DefaultTTL: number;
      ParametersInCacheKeyAndForwardedToOrigin: { HeadersConfig: { Headers: string[] } };
    };
    // The function's s-maxage decides, up to the declared second; the token is part of the key, so the PATCH and
    // DELETE on the same path still reach the API with it and nobody is served a copy made for someone else's token.
    expect(config).toMatchObject({ MinTTL: 0, DefaultTTL: 0, MaxTTL: 1 });
    expect(config.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig.Headers.sort()).toEqual([
      'authorization',
      'origin',
    ]);
    for (const behavior of behaviors.filter((item) => cached.includes(item.PathPattern ?? ''))) {
      expect(behavior, behavior.PathPattern).toMatchObject({
        TargetOriginId: api.Id,
        CachePolicyId: { Ref: policyId },
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        AllowedMethods: expect.arrayContaining(['GET', 'PATCH', 'DELETE']),
      });
    }
  });

  it('answers every other path with the app: files as they are, page paths with index.html', () => {
    const { site } = originsByKind();
    const defaults = distribution.DefaultCacheBehavior as Behavior;
    expect(defaults).toMatchObject({ TargetOriginId: site.Id, ViewerProtocolPolicy: 'redirect-to-https' });
    expect(distribution.DefaultRootObject).toBe('index.html');
    const rewrite = new Function(`${SPA_REWRITE}; return handler;`)() as (event: {
      request: { uri: string };
    }) => { uri: string };
    const uriOf = (uri: string) => rewrite({ request: { uri } }).uri;
    expect(uriOf('/events/7f0c9e2a')).toBe('/index.html');
    expect(uriOf('/')).toBe('/index.html');
    expect(uriOf('/assets/index-3b2f.js')).toBe('/assets/index-3b2f.js');
    expect(uriOf('/favicon.svg')).toBe('/favicon.svg');
  });

  it('sends the security headers and a CSP without inline scripts with the app', () => {
    const [[, policy] = ['', undefined]] = resourcesOf(template, 'AWS::CloudFront::ResponseHeadersPolicy');
    const config = defined(policy, 'response headers policy').Properties.ResponseHeadersPolicyConfig as {
      SecurityHeadersConfig: Record<string, Record<string, unknown>>;
    };
    const csp = JSON.stringify(config.SecurityHeadersConfig.ContentSecurityPolicy);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(config.SecurityHeadersConfig).toMatchObject({
      FrameOptions: { FrameOption: 'DENY' },
      ContentTypeOptions: { Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000 },
    });
    expect((distribution.DefaultCacheBehavior as Behavior).ResponseHeadersPolicyId).toEqual({
      Ref: resourcesOf(template, 'AWS::CloudFront::ResponseHeadersPolicy')[0]?.[0],
    });
  });

  it('logs requests, uploads the built app and invalidates the cache on each deploy', () => {
    expect(distribution.Logging).toMatchObject({ Prefix: 'cloudfront/' });
    const [[, deployment] = ['', undefined]] = resourcesOf(template, 'Custom::CDKBucketDeployment');
    expect(defined(deployment, 'deployment').Properties).toMatchObject({
      DestinationBucketName: { Ref: app.web.getLogicalId(app.web.bucket.node.defaultChild as CfnElement) },
      DistributionPaths: ['/*'],
    });
  });

  it("lets browsers call the API from the distribution's origin only, with no CORS preflight at API Gateway", () => {
    const apiTemplate = Template.fromStack(app.stateless).toJSON().Resources as Record<string, Resource>;
    const [httpApi] = Object.values(apiTemplate).filter(
      (resource) => resource.Type === 'AWS::ApiGatewayV2::Api',
    );
    expect(defined(httpApi, 'http api').Properties.CorsConfiguration).toBeUndefined();
    for (const { key } of entriesOf(fixtureManifests, 'routes')) {
      const [, fn] = defined(functionsOfKind(app.statelessTemplate, 'route').get(key), key);
      const cors = JSON.stringify((fn.Properties.Environment as { Variables: object }).Variables).match(
        /"CORS_ALLOWED_ORIGINS":(\{.*?\}\]\]\})/,
      )?.[1];
      expect(cors, key).toContain('https://');
      expect(cors, key).toContain(app.web.stackName);
    }
  });
});

describe('edge protection in the CDK app built from the fixture manifests', () => {
  let app: Synthesized;
  beforeAll(() => {
    app = synth(fixtureManifests, FIXTURE_FUNCTIONS_DIR);
  }, SYNTH_MS);

  it('puts a WAF web ACL in us-east-1 in front of the distribution, read across regions from its stack', () => {
    expect(app.edge.region).toBe('us-east-1');
    expect(app.web.dependencies).toContain(app.edge);
    const [[, distribution] = ['', undefined]] = resourcesOf(
      Template.fromStack(app.web),
      'AWS::CloudFront::Distribution',
    );
    const config = defined(distribution, 'distribution').Properties.DistributionConfig as {
      WebACLId: unknown;
    };
    expect(config.WebACLId).toEqual({
      'Fn::GetStackOutput': { StackName: app.edge.stackName, OutputName: 'WebAclArn', Region: 'us-east-1' },
    });
    const edge = Template.fromStack(app.edge);
    edge.hasOutput('WebAclArn', { Value: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } });
    const [[, acl] = ['', undefined]] = resourcesOf(edge, 'AWS::WAFv2::WebACL');
    const properties = defined(acl, 'web acl').Properties as {
      Scope: string;
      Rules: { Name: string; Statement: Record<string, { Name?: string; Limit?: number }> }[];
    };
    expect(properties.Scope).toBe('CLOUDFRONT');
    const managed = properties.Rules.flatMap((rule) => rule.Statement.ManagedRuleGroupStatement?.Name ?? []);
    expect(managed.sort()).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    const rate = Object.fromEntries(
      properties.Rules.flatMap((rule) =>
        rule.Statement.RateBasedStatement ? [[rule.Name, rule.Statement.RateBasedStatement]] : [],
      ),
    ) as Record<string, { Limit: number; ScopeDownStatement?: unknown }>;
    // The fixtures have a purchase route but no authorization server: a purchase rule, no sign-in rule.
    expect(Object.keys(rate).sort()).toEqual(['RateAll', 'RatePurchase']);
    expect(rate.RatePurchase?.Limit).toBeLessThan(rate.RateAll?.Limit ?? 0);
    expect(JSON.stringify(rate.RatePurchase?.ScopeDownStatement)).toContain('/purchases');
    edge.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'BlockedRequests',
      AlarmActions: [Match.anyValue()],
    });
  });

  it('rate-limits sign-in and purchases of the real manifests, each matched by method and path', () => {
    const routes = sensitiveRoutes(realManifests);
    const keys = routes.map((route) => `${route.group} ${route.routeKey}`);
    expect(keys).toContain('sign-in POST /v1/oauth/token');
    expect(keys.filter((key) => key.startsWith('sign-in POST /v1/auth/')).length).toBeGreaterThan(0);
    expect(keys.filter((key) => key.startsWith('purchase POST ')).length).toBe(1);
    expect(keys.some((key) => key.includes(' GET '))).toBe(false);
  });
});

describe('the web stack without a built app', () => {
  it('deploys the bucket and distribution empty and says how to build the app', () => {
    const app = new App();
    const apiStack = new Stack(app, 'Api');
    const api = new apigw.HttpApi(apiStack, 'HttpApi');
    const web = new WebStack(app, 'Web', {
      api,
      webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/edge/1',
      webDir: mkdtempSync(join(tmpdir(), 'tol-no-web-')),
    });
    const template = Template.fromStack(web);
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    template.resourceCountIs('Custom::CDKBucketDeployment', 0);
    expect(Annotations.fromStack(web).findInfo('*', Match.stringLikeRegexp('npm run web:build')).length).toBe(
      1,
    );
  });
});
