// The HTTP API: payload 2.0, one $default stage with throttling and JSON access logs, CORS preflight answered by
// API Gateway, and a JWT authorizer for the routes whose manifest says `auth: true`.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteSpec } from '../../../layers/common/manifest';
import { acknowledge } from '../nag';
import type { AppSettings } from '../settings';
import { retentionDays } from '../stateful-stack';

/** Sustained and burst request rates for the whole stage: the brief's 400 req/s peak with room for a flash sale. */
export const API_THROTTLE = { rateLimit: 1_000, burstLimit: 2_000 } as const;

const ACCESS_LOG_FORMAT = apigateway.AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    method: '$context.httpMethod',
    path: '$context.path',
    routeKey: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    error: '$context.error.message',
  }),
);

export interface PlatformApiProps {
  settings: AppSettings;
}

export class PlatformApi extends Construct {
  readonly api: apigw.HttpApi;
  /** The `iss` every access token must carry; the auth service signs with it. */
  readonly issuer: string;
  /** The environment's log retention, for the stage's access logs. */
  private readonly logRetention: logs.RetentionDays;
  readonly audience: string;
  private readonly authorizer: HttpJwtAuthorizer;

  constructor(scope: Construct, id: string, props: PlatformApiProps) {
    super(scope, id);
    this.api = new apigw.HttpApi(this, 'HttpApi', {
      apiName: 'ticketorleaveit',
      description: 'TicketOrLeaveIt public API',
      createDefaultStage: false,
      // Only for browser apps on other origins: the web app reaches the API through CloudFront on its own origin.
      ...(props.settings.corsOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: props.settings.corsOrigins,
              allowMethods: [apigw.CorsHttpMethod.ANY],
              allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-correlation-id'],
              // Same list as layers/common/http.ts: with CORS configured here, API Gateway replaces the function's headers.
              exposeHeaders: [
                'x-correlation-id',
                'location',
                'retry-after',
                'ratelimit',
                'ratelimit-policy',
                'x-degraded',
              ],
              maxAge: Duration.minutes(10),
            },
          }
        : {}),
    });

    // API Gateway finds the signing keys through `{issuer}/.well-known/openid-configuration` (its `jwks_uri`), so the
    // auth service must serve that document, unauthenticated, at this issuer. By default the issuer is this API's own
    // endpoint, i.e. the auth service behind it; `-c issuerUrl=https://...` points at a custom domain instead.
    this.logRetention = retentionDays(props.settings.environment.logRetentionDays);
    this.issuer = props.settings.issuerUrl ?? this.api.apiEndpoint;
    this.audience = props.settings.jwtAudience;
    this.authorizer = new HttpJwtAuthorizer('JwtAuthorizer', this.issuer, {
      jwtAudience: [this.audience],
      identitySource: ['$request.header.Authorization'],
    });
  }

  /**
   * The `$default` stage with the stage-wide throttle, one throttle per listed route key, and JSON access logs. Created
   * in its own stack after every service stack: API Gateway refuses route settings for a route that does not exist.
   */
  addStage(
    scope: Construct,
    routeThrottles: Readonly<Record<string, apigw.ThrottleSettings>>,
  ): apigw.HttpStage {
    const accessLogs = new logs.LogGroup(scope, 'AccessLogs', {
      retention: this.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new apigw.HttpStage(scope, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });
    (stage.node.defaultChild as apigw.CfnStage).routeSettings = Object.fromEntries(
      Object.entries(routeThrottles).map(([routeKey, throttle]) => [
        routeKey,
        // RouteSettings is plain JSON to the L1: CloudFormation's own casing, nothing converts it.
        { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit },
      ]),
    );
    return stage;
  }

  /**
   * Routes one manifest route to its function; `$default` becomes the API's catch-all. The route, its integration
   * and the invoke permission are created in `scope`, the function's service stack, and reference this API there;
   * the JWT authorizer is created once, next to the API.
   */
  addRoute(
    scope: Construct,
    id: string,
    route: RouteSpec,
    handler: lambda.IFunction,
    where: string,
  ): apigw.HttpRoute {
    const integration = new HttpLambdaIntegration(`${id}Integration`, handler, {
      payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
    });
    const routeKey =
      route.path === '$default'
        ? apigw.HttpRouteKey.DEFAULT
        : apigw.HttpRouteKey.with(route.path, apigw.HttpMethod[route.method]);
    const httpRoute = new apigw.HttpRoute(scope, id, {
      httpApi: this.api,
      routeKey,
      integration,
      ...(route.auth ? { authorizer: this.authorizer } : {}),
    });
    if (!route.auth) {
      acknowledge(
        httpRoute,
        'APIG4',
        `${route.path === '$default' ? 'The catch-all route' : `${route.method} ${route.path}`} is public by ` +
          `declaration (${where}, auth: false): "${route.summary}". Callers without an account must reach it.`,
      );
    }
    return httpRoute;
  }
}
