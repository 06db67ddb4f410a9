// Builds the whole CDK app from a list of service manifests (the real ones by default), with cdk-nag's
// AwsSolutions checks registered, so `cdk synth` and the infra tests exercise the same code path.

import { join } from 'node:path';
import { App, type AppProps, type Environment, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { manifests as realManifests } from '../../functions/manifests';
import { ENV } from '../../layers/common/env-names';
import type { ServiceManifest } from '../../layers/common/manifest';
import { ObservabilityStack } from './observability-stack';
import { validateManifests } from './plan';
import { PROJECT, REPO_ROOT, readSettings } from './settings';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';
import { WebStack } from './web-stack';

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

  const web = new WebStack(app, `${PROJECT}-Web`, {
    description:
      'TicketOrLeaveIt web app: S3 bucket and CloudFront, which also routes the API paths to the HTTP API',
    api: stateless.api.api,
    webDir: options.webDir,
    ...(env ? { env } : {}),
  });
  web.addStackDependency(stateless, 'CloudFront forwards the API paths to the HTTP API');
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
    ...(env ? { env } : {}),
  });
  observability.addStackDependency(
    stateless,
    'subscriptions and alarms name the functions and their log groups',
  );

  Tags.of(app).add('project', 'ticketorleaveit');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stateful, stateless, observability, web };
}
