// The HTTP API's `$default` stage, in a stack deployed after every service stack: its per-route throttles name route
// keys, and API Gateway refuses route settings for a route that does not exist yet. Safe to destroy and redeploy
// (the API keeps its endpoint; only requests during the stage's re-creation fail).
import { CrossStackReferences, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import type { Construct } from 'constructs';
import type { ServiceManifest } from '../../../layers/common/manifest';
import { ROUTE_THROTTLES, sensitiveRoutes } from '../sensitive-routes';
import type { PlatformApi } from './platform-api';

export interface ApiStageStackProps extends StackProps {
  api: PlatformApi;
  manifests: readonly ServiceManifest[];
}

export class ApiStageStack extends Stack {
  readonly stage: apigw.HttpStage;
  /** Route key -> its throttle. */
  readonly routeThrottles: Readonly<Record<string, apigw.ThrottleSettings>>;

  constructor(scope: Construct, id: string, props: ApiStageStackProps) {
    super(scope, id, props);
    CrossStackReferences.of(this).consume(ReferenceStrength.WEAK);
    this.routeThrottles = Object.fromEntries(
      sensitiveRoutes(props.manifests).map((route) => [route.routeKey, ROUTE_THROTTLES[route.group]]),
    );
    this.stage = props.api.addStage(this, this.routeThrottles);
  }
}
