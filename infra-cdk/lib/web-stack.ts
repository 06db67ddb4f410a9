// The web app in AWS: its built files (web/dist) in a private S3 bucket behind CloudFront with origin access control,
// and the API's paths (/v1/*, /oauth/*, /.well-known/*) routed by the same distribution to the HTTP API, so the
// browser sees one origin. Holds no data of its own: the files are rebuilt and redeployed with the app.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  Annotations,
  Aws,
  CfnOutput,
  CrossStackReferences,
  DefaultStackSynthesizer,
  Duration,
  ReferenceStrength,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import {
  API_PATH_PREFIXES,
  WEB_SECURITY_HEADERS,
  webContentSecurityPolicy,
} from '../../layers/common/web-app-policy';
import { acknowledge, checkovSkip, wildcardResourceFinding } from './nag';
import { REPO_ROOT } from './settings';
import { mediaBucketName } from './stateful/buckets';

export interface WebStackProps extends StackProps {
  api: apigw.IHttpApi;
  /** Routes the edge keeps (declared with `edgeCacheSeconds`): path and seconds. */
  edgeCached?: readonly { path: string; seconds: number }[];
  /** The WAF web ACL (EdgeStack, us-east-1) in front of everything the distribution serves. */
  webAclArn: string;
  /** The built app (default web/dist); when it holds no index.html, nothing is uploaded and synth says so. */
  webDir?: string;
}

// Page paths (no file extension) get index.html: the app routes in the browser. Viewer-request, default behaviour
// only, so the API's own 404s are never replaced by the app the way a distribution-wide error response would.
export const SPA_REWRITE = `function handler(event) {
  var request = event.request;
  var last = request.uri.lastIndexOf('/');
  if (request.uri.indexOf('.', last) === -1) request.uri = '/index.html';
  return request;
}`;

/** A UUID, as a CloudFront path pattern (`?` is one character). */
const UUID_PATTERN = '????????-????-????-????-????????????';

/** The CloudFront path pattern of an API route path: each `{param}` (a UUID, plan.ts checks) one UUID's shape. */
export function edgePathPattern(path: string): string {
  return path.replace(/\{\w+\}/g, UUID_PATTERN);
}

export class WebStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://<distribution domain>`: the origin browsers see for the app and the API. */
  readonly origin: string;
  readonly deployment?: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    CrossStackReferences.of(this).consume(ReferenceStrength.WEAK);

    const logs = new s3.Bucket(this, 'EdgeLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront's standard logs are written with an ACL; the bucket owner still owns every object.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    checkovSkip(logs, 'CKV_AWS_18', 'The edge log bucket itself: access logs of a log bucket would loop.');
    checkovSkip(logs, 'CKV_AWS_21', 'Append-only CloudFront and access logs expired after a year.');
    this.bucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'site/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    checkovSkip(
      this.bucket,
      'CKV_AWS_21',
      'The built web app, replaced from the repository on every deploy.',
    );

    // Presigned uploads and image URLs name the media bucket by its virtual-hosted name (regional, or global).
    const media = mediaBucketName();
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'AppHeaders', {
      comment: 'TicketOrLeaveIt web app: CSP without inline scripts and the other security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: webContentSecurityPolicy([
            `https://${media}.s3.${Aws.REGION}.${Aws.URL_SUFFIX}`,
            `https://${media}.s3.${Aws.URL_SUFFIX}`,
          ]),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
      customHeadersBehavior: {
        customHeaders: (['cross-origin-opener-policy', 'permissions-policy'] as const).map((header) => ({
          header,
          value: WEB_SECURITY_HEADERS[header],
          override: true,
        })),
      },
    });

    // The API: nothing cached, every viewer header but Host forwarded (API Gateway routes by its own host name),
    // HTTPS only (a redirect would turn a POST into a GET).
    const api = new origins.HttpOrigin(`${props.api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: api,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };

    // Routes declared with edgeCacheSeconds (the event page during a sale): one copy per path, query, Origin and
    // Authorization, kept as long as the function's s-maxage says, at most the declared seconds; listed before /v1/*
    // so they match first. Authorization is in the key because CloudFront forwards it only then, and the other
    // methods on the same path (PATCH, DELETE) need it; anonymous viewers (the web app sends no token to these
    // routes) share one copy. Their paths take UUIDs only, so no other route falls under their patterns.
    const edgeCached = props.edgeCached ?? [];
    const edgeBehaviors: [string, cloudfront.BehaviorOptions][] = [];
    if (edgeCached.length > 0) {
      const cachePolicy = new cloudfront.CachePolicy(this, 'EdgeCachedApi', {
        comment: 'API routes shared by every viewer for a second or so (edgeCacheSeconds)',
        minTtl: Duration.seconds(0),
        defaultTtl: Duration.seconds(0),
        maxTtl: Duration.seconds(Math.max(...edgeCached.map((route) => route.seconds))),
        headerBehavior: cloudfront.CacheHeaderBehavior.allowList('origin', 'authorization'),
        queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
        cookieBehavior: cloudfront.CacheCookieBehavior.none(),
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
      });
      for (const route of edgeCached)
        edgeBehaviors.push([edgePathPattern(route.path), { ...apiBehavior, cachePolicy }]);
    }

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'TicketOrLeaveIt: the web app and, on the same origin, the API',
      webAclId: props.webAclArn,
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
        functionAssociations: [
          {
            eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
            function: new cloudfront.Function(this, 'SpaRewrite', {
              code: cloudfront.FunctionCode.fromInline(SPA_REWRITE),
              runtime: cloudfront.FunctionRuntime.JS_2_0,
              comment: 'Page paths of the web app get index.html',
            }),
          },
        ],
      },
      // CloudFront keeps an error answer 10 s by default, whatever its Cache-Control says (but for 404, 410, 414,
      // 501): one throttled or failed fetch of the edge-cached event page would be everyone's answer for 10 s. No
      // error answer is kept, and none is replaced (no page path), so the API's problem+json reaches the client.
      errorResponses: [400, 403, 405, 414, 416, 500, 501, 502, 503, 504].map((httpStatus) => ({
        httpStatus,
        ttl: Duration.seconds(0),
      })),
      additionalBehaviors: Object.fromEntries([
        ...edgeBehaviors,
        ...API_PATH_PREFIXES.map((prefix): [string, cloudfront.BehaviorOptions] => [
          `${prefix}*`,
          apiBehavior,
        ]),
      ]),
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
    new CfnOutput(this, 'Url', { value: this.origin, description: 'The web app and, under /v1, the API' });

    acknowledge(
      this.distribution,
      'CFR1',
      'Tickets are sold worldwide and nothing served here is restricted by country; the API applies its own rate ' +
        'limits and authorization to every request that comes through.',
    );
    checkovSkip(
      this.distribution,
      'CKV_AWS_174',
      'No custom domain yet: the default *.cloudfront.net certificate, whose policy CloudFront fixes.',
    );
    acknowledge(
      this.distribution,
      'CFR4',
      'Without a custom domain the distribution answers on *.cloudfront.net with the default certificate, whose ' +
        'security policy CloudFront fixes; TLSv1.2_2021 applies as soon as a domain and ACM certificate are added.',
    );

    const dir = props.webDir ?? join(REPO_ROOT, 'web', 'dist');
    if (existsSync(join(dir, 'index.html'))) {
      // The upload runs in a Lambda function with the AWS CLI layer CDK ships as an asset: no Docker at synth.
      this.deployment = new s3deploy.BucketDeployment(this, 'Files', {
        sources: [s3deploy.Source.asset(dir)],
        destinationBucket: this.bucket,
        distribution: this.distribution,
        distributionPaths: ['/*'],
        memoryLimit: 512,
      });
      this.acknowledgeDeployment();
    } else {
      Annotations.of(this).addInfo(
        `No web app at ${dir} (run \`npm run web:build\` first): the bucket and distribution deploy empty.`,
      );
    }
  }

  /** cdk-nag findings on the function CDK's BucketDeployment brings (a singleton per stack, outside our props). */
  private acknowledgeDeployment(): void {
    const handler = this.node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (!handler) return;
    acknowledge(
      handler,
      'L1',
      "CDK's BucketDeployment picks its upload function's runtime (Python, running the AWS CLI layer) and moves " +
        'it with aws-cdk-lib upgrades; it runs only during deploys, never on a request path.',
    );
    acknowledge(
      handler,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'Grants only logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents for the upload function, which ' +
        'CDK creates for BucketDeployment; AWS keeps the managed policy current.',
    );
    const role = handler.node.tryFindChild('ServiceRole');
    if (!role) return;
    const assets = `arn:<AWS::Partition>:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-<AWS::Region>/*`;
    const why =
      'CDK grants the BucketDeployment upload function these to copy the app from the CDK asset bucket into the site ' +
      'bucket and prune what the new build no longer has; ';
    const findings: [string, string][] = [
      ['IAM5[Action::s3:GetBucket*]', 'reading the source and destination buckets.'],
      ['IAM5[Action::s3:GetObject*]', 'reading the zipped build from the asset bucket.'],
      ['IAM5[Action::s3:List*]', 'listing the site bucket to find files to prune.'],
      ['IAM5[Action::s3:Abort*]', 'aborting a multipart upload that fails.'],
      ['IAM5[Action::s3:DeleteObject*]', 'deleting files of the previous build.'],
      [
        `IAM5[Resource::${assets}]`,
        'the asset bucket holds the zip under a content-hash key unknown before synth.',
      ],
      [
        wildcardResourceFinding(this, `${this.bucket.bucketArn}/*`),
        'every file of the site bucket is replaced.',
      ],
      [
        'IAM5[Resource::*]',
        'CloudFront invalidations are granted on * by CDK (after the upload, so users get the new build).',
      ],
    ];
    for (const [finding, reason] of findings) acknowledge(role, finding, why + reason);
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy)
      checkovSkip(
        policy,
        'CKV_AWS_111',
        "CDK's BucketDeployment grants cloudfront:CreateInvalidation on * to its deploy-time upload function.",
      );
  }
}
