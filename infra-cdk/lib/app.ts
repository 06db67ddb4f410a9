// Builds the whole CDK app from a list of service manifests (the real ones by default), with cdk-nag's
// AwsSolutions checks registered, so `cdk synth` and the infra tests exercise the same code path.

import { join } from 'node:path';
import { App, type AppProps, type Environment, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { manifests as realManifests } from '../../functions/manifests';
import { ENV } from '../../layers/common/env-names';
import type { ServiceManifest } from '../../layers/common/manifest';
import { EDGE_REGION, EdgeStack, webAclArnFrom } from './edge-stack';
import { ObservabilityStack } from './observability-stack';
import { validateManifests } from './plan';
import { PROJECT, REPO_ROOT, readSettings } from './settings';
import { applySizing } from './sizing';
import { BackupCopyStack } from './stateful/backup';
import { StatefulStack } from './stateful-stack';
import { ApiStageStack } from './stateless/api-stage-stack';
import { StatelessStack } from './stateless-stack';
import { WebStack } from './web-stack';

const UNTAGGABLE = ['AWS::RDS::DBProxyTargetGroup', 'AWS::CloudWatch::Dashboard'];

/** The service whose routes are the OAuth authorization server (authorize, token, revoke). */
const OAUTH_SERVICE = 'auth';

export interface BuildAppOptions {
  manifests?: readonly ServiceManifest[];
  /** Where `<service>/<handler>` files live; tests point this at their fixtures. Default: `functions/`. */
  functionsDir?: string;
  /** Passed to `new App()`: context, outdir. */
  appProps?: AppProps;
  /** The built web app to upload; default web/dist. */
  webDir?: string;
}

export interface PlatformApp {
  app: App;
  stateful: StatefulStack;
  stateless: StatelessStack;
  observability: ObservabilityStack;
  web: WebStack;
  /** The HTTP API's stage, after every service stack (per-route throttles). */
  stage: ApiStageStack;
  /** The WAF web ACL in us-east-1 that the distribution uses. */
  edge: EdgeStack;
  /** prod only: the vault in the second region that receives backup copies. */
  backupCopy?: BackupCopyStack;
}

/**
 * Stacks stay environment-agnostic (no lookups, synth works offline) unless the CLI's account and region are known,
 * in which case they are pinned to them.
 */
function environment(): Environment | undefined {
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  return account && region ? { account, region } : undefined;
}

export function buildApp(options: BuildAppOptions = {}): PlatformApp {
  const manifests = options.manifests ?? realManifests;
  validateManifests(manifests);
  const app = new App(options.appProps);
  const settings = readSettings(app.node);
  const env = environment();

  const profile = settings.environment;
  const backupCopy = profile.backupPlan
    ? new BackupCopyStack(app, `${PROJECT}-BackupCopy`, {
        description: `TicketOrLeaveIt backup copies: the vault in ${settings.backupCopyRegion} (deploy before the data stack)`,
        terminationProtection: true,
        region: settings.backupCopyRegion,
        env: { region: settings.backupCopyRegion, ...(env ? { account: env.account } : {}) },
      })
    : undefined;
  if (env && backupCopy && env.region === settings.backupCopyRegion)
    throw new Error(
      `backupCopyRegion ${settings.backupCopyRegion} is the deploy region: copies must leave it`,
    );

  const stateful = new StatefulStack(app, `${PROJECT}-Stateful`, {
    description: 'TicketOrLeaveIt data: VPC, PostgreSQL per service, Redis, S3, SNS/SQS, OpenSearch',
    terminationProtection: true,
    manifests,
    settings,
    ...(env ? { env } : {}),
  });
  const stateless = new StatelessStack(app, `${PROJECT}-Stateless`, {
    description: 'TicketOrLeaveIt code: HTTP API, functions, event sources, schedules, migrations',
    manifests,
    stateful,
    settings,
    functionsDir: options.functionsDir ?? join(REPO_ROOT, 'functions'),
    ...(env ? { env } : {}),
  });
  stateless.addStackDependency(
    stateful,
    "functions use the data stack's network, databases, topics and queues",
  );
  if (backupCopy) stateful.addStackDependency(backupCopy, 'the backup plan copies into its vault');
  applySizing(stateless, stateful, profile);

  const stage = new ApiStageStack(app, `${PROJECT}-Stateless-Stage`, {
    description: 'TicketOrLeaveIt HTTP API stage: stage and per-route throttles, access logs',
    api: stateless.api,
    manifests,
    ...(env ? { env } : {}),
  });
  stage.addStackDependency(stateless, 'the stage belongs to the shared HTTP API');
  for (const service of stateless.services.values())
    stage.addStackDependency(service, 'route throttles name routes that must exist');

  const edge = new EdgeStack(app, `${PROJECT}-Edge`, {
    description: 'TicketOrLeaveIt edge protection: the WAF web ACL CloudFront uses (us-east-1)',
    manifests,
    alarmEmail: settings.alarmEmail,
    env: { region: EDGE_REGION, ...(env ? { account: env.account } : {}) },
  });

  const web = new WebStack(app, `${PROJECT}-Web`, {
    description:
      'TicketOrLeaveIt web app: S3 bucket and CloudFront, which also routes the API paths to the HTTP API',
    api: stateless.api.api,
    edgeCached: manifests.flatMap((manifest) =>
      Object.values(manifest.routes).flatMap((route) =>
        route.edgeCacheSeconds ? [{ path: route.path, seconds: route.edgeCacheSeconds }] : [],
      ),
    ),
    webAclArn: webAclArnFrom(edge.stackName),
    webDir: options.webDir,
    ...(env ? { env } : {}),
  });
  // Not on the stage stack: the auth functions name the distribution's origin, and the stage waits for them.
  web.addStackDependency(stateless, 'CloudFront forwards the API paths to the HTTP API');
  web.addStackDependency(edge, 'the distribution reads the web ACL from its output');
  // Browsers reach the API through the distribution (same origin); other origins only when deploys name them.
  const corsOrigins = [web.origin, ...settings.corsOrigins].join(',');
  for (const [key, fn] of stateless.functions) {
    if (!key.startsWith('route:')) continue;
    fn.fn.addEnvironment(ENV.corsAllowedOrigins, corsOrigins);
    // The web app signs in with the authorization code flow and gets its code back on its own origin.
    if (fn.service === OAUTH_SERVICE)
      fn.fn.addEnvironment(ENV.oauthWebRedirectUris, `${web.origin}/callback`);
  }

  const observability = new ObservabilityStack(app, `${PROJECT}-Observability`, {
    description: 'TicketOrLeaveIt monitoring: log shipping subscriptions, alarms, dashboard',
    stateful,
    stateless,
    scheduleRules: manifests.flatMap((manifest) =>
      Object.values(manifest.schedules ?? {}).map((schedule) => schedule.name),
    ),
    ...(env ? { env } : {}),
  });
  observability.addStackDependency(
    stateless,
    'subscriptions and alarms name the functions and their log groups',
  );

  // Not on the types CloudFormation cannot tag, though CDK thinks it can (cfn-lint E3002).
  Tags.of(app).add('project', 'ticketorleaveit', { excludeResourceTypes: UNTAGGABLE });
  Tags.of(app).add('environment', profile.name, { excludeResourceTypes: UNTAGGABLE });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stateful, stateless, observability, web, stage, edge, ...(backupCopy ? { backupCopy } : {}) };
}
