import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Annotations, DefaultStackSynthesizer, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  type ResponseHeadersPolicyProps,
  S3OriginAccessControl,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { Bucket, CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, type ISource, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { privateBucket } from './buckets.ts';
import { HSTS_MAX_AGE_SECONDS, portalSecurityHeaders } from './portal-security-headers.ts';
import { projectRoot } from './spoke-function.ts';

/** Where `npm run build:web` puts the portal. */
export const webDist = resolve(projectRoot, 'web/dist');

/** What the portal reads at start-up to find its identity provider and API (see web/). */
export interface PortalRuntimeConfig {
  readonly authority: string;
  readonly clientId: string;
  readonly apiBase: '/api';
}

export interface PortalProps {
  /**
   * Physical-name prefix, e.g. `spoke-prod`. CloudFront names are unique per account, not per
   * region, so the names built from it carry the region too.
   */
  readonly prefix: string;
  readonly accessLogs: IBucket;
  /** Origins the portal's CSP allows for sign-in: the OIDC issuer and the managed login domain. */
  readonly identityOrigins: readonly string[];
  /** Origin of the attachments bucket, which the portal uploads to with presigned PUTs. */
  readonly transferOrigin?: string;
  /** A custom domain; without it the portal lives on its `*.cloudfront.net` name. */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
}

/**
 * Maps the portal's security headers (shared with the local static host) onto a CloudFront
 * response headers policy: the headers CloudFront models natively go to `securityHeadersBehavior`
 * (it refuses them as custom headers), every other one to `customHeadersBehavior`.
 */
export function responseHeadersPolicyProps(headers: Record<string, string>): ResponseHeadersPolicyProps {
  const {
    'content-security-policy': csp,
    'strict-transport-security': hsts,
    'x-frame-options': frame,
    'referrer-policy': referrer,
    'x-content-type-options': nosniff,
    ...custom
  } = headers;
  const referrerPolicy = Object.values(HeadersReferrerPolicy).find((policy) => policy === referrer);
  const frameOption = Object.values(HeadersFrameOption).find((option) => option === frame);
  if (!csp || !hsts || !referrerPolicy || !frameOption || nosniff !== 'nosniff') {
    throw new Error(
      'The portal security headers lack a CSP, HSTS, a known referrer policy, frame option or nosniff.',
    );
  }
  return {
    comment: 'Spoke portal security headers (infra/portal-security-headers.ts)',
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
      strictTransportSecurity: {
        accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS),
        includeSubdomains: /includeSubDomains/i.test(hsts),
        preload: /preload/i.test(hsts),
        override: true,
      },
      frameOptions: { frameOption, override: true },
      referrerPolicy: { referrerPolicy, override: true },
      contentTypeOptions: { override: true },
    },
    customHeadersBehavior: {
      customHeaders: Object.entries(custom).map(([header, value]) => ({ header, value, override: true })),
    },
  };
}

const spaRewrite = `function handler(event) {
  var request = event.request;
  if (!/\\.[a-zA-Z0-9]+$/.test(request.uri)) request.uri = '/index.html';
  return request;
}`;

/**
 * The portal: the built web app in a private bucket, served by CloudFront through origin
 * access control with the shared security headers, and `/api/*` passed uncached to the HTTP API.
 *
 * Client-side routes are rewritten to `/index.html` by a viewer-request function on the default
 * behaviour rather than by 403/404 error responses, because error responses are distribution-wide
 * and would turn the API's own 403/404 answers into the portal's index page.
 */
export class Portal extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly securityHeaders: ResponseHeadersPolicy;
  /** The portal's public URL, without a trailing slash. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: PortalProps) {
    super(scope, id);
    this.bucket = privateBucket(this, 'Site', { accessLogs: props.accessLogs });
    const accountWide = `${props.prefix}-${Stack.of(this).region}`;
    this.securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      ...responseHeadersPolicyProps(
        portalSecurityHeaders({
          identityOrigin: props.identityOrigins.join(' '),
          ...(props.transferOrigin ? { transferOrigin: props.transferOrigin } : {}),
        }),
      ),
      responseHeadersPolicyName: `${accountWide}-portal-headers`,
    });
    const custom = props.customDomain;
    this.distribution = new Distribution(this, 'Cdn', {
      comment: 'Spoke portal',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket, {
          originAccessControl: new S3OriginAccessControl(this, 'SiteAccess', {
            originAccessControlName: `${accountWide}-portal`,
          }),
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.securityHeaders,
        functionAssociations: [
          {
            eventType: FunctionEventType.VIEWER_REQUEST,
            function: new EdgeFunction(this, 'SpaRewrite', {
              code: FunctionCode.fromInline(spaRewrite),
              runtime: FunctionRuntime.JS_2_0,
              comment: 'Serves index.html for client-side routes',
            }),
          },
        ],
      },
      domainNames: custom && [custom.domainName],
      certificate: custom && Certificate.fromCertificateArn(this, 'Certificate', custom.certificateArn),
      minimumProtocolVersion: custom && SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.accessLogs,
      logFilePrefix: 'cloudfront/',
    });
    this.url = `https://${custom ? custom.domainName : this.distribution.distributionDomainName}`;
    this.acknowledge(custom !== undefined);
  }

  /** Sends `/api/*` to the HTTP API: never cached, every viewer header but Host forwarded. */
  routeApi(apiDomainName: string): void {
    this.distribution.addBehavior(
      '/api/*',
      new HttpOrigin(apiDomainName, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
      {
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: this.securityHeaders,
      },
    );
  }

  /**
   * Uploads the built portal and its `config.json`. When `web/dist` has not been built the
   * synth still succeeds, with a warning, and only `config.json` is deployed.
   */
  publish(runtimeConfig: PortalRuntimeConfig): BucketDeployment {
    const sources: ISource[] = [Source.jsonData('config.json', runtimeConfig)];
    if (existsSync(webDist)) {
      sources.unshift(Source.asset(webDist));
    } else {
      Annotations.of(this).addWarningV2(
        'spoke:portal-not-built',
        `${webDist} does not exist: run "npm run build:web" before deploying, or the portal serves only config.json.`,
      );
    }
    const deployment = new BucketDeployment(this, 'Deployment', {
      sources,
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
    this.acknowledgeDeploymentHandler(deployment);
    return deployment;
  }

  /**
   * The upload runs in aws-cdk-lib's own custom-resource function, whose runtime and role
   * CDK decides; its findings are acknowledged one by one, on that function only.
   */
  private acknowledgeDeploymentHandler(deployment: BucketDeployment): void {
    const role = deployment.handlerRole;
    const handler = role.node.scope;
    if (!handler) return;
    const stack = Stack.of(this);
    const placeholders: Record<string, string> = {
      Qualifier: DefaultStackSynthesizer.DEFAULT_QUALIFIER,
      'AWS::AccountId': stack.account,
      'AWS::Region': stack.region,
    };
    const assetBucket = DefaultStackSynthesizer.DEFAULT_FILE_ASSETS_BUCKET_NAME.replace(
      /\$\{([\w:]+)\}/g,
      (_, name: string) => placeholders[name] ?? name,
    );
    const siteBucketId = stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    const because = 'aws-cdk-lib BucketDeployment handler';
    const findings: Record<string, string> = {
      'AwsSolutions-L1': `${because}: its runtime is pinned by aws-cdk-lib, not by Spoke.`,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]': `${because}: CDK attaches the basic execution role for its logs.`,
      'AwsSolutions-IAM5[Action::s3:GetObject*]': `${because}: reads the asset zip from the CDK assets bucket.`,
      'AwsSolutions-IAM5[Action::s3:GetBucket*]': `${because}: reads the asset and portal buckets' metadata.`,
      'AwsSolutions-IAM5[Action::s3:List*]': `${because}: lists the portal bucket to prune stale files.`,
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]': `${because}: prunes files no longer in web/dist.`,
      'AwsSolutions-IAM5[Action::s3:Abort*]': `${because}: aborts failed multipart uploads of large files.`,
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${assetBucket}/*]`]: `${because}: asset keys are content hashes in the CDK bootstrap bucket.`,
      [`AwsSolutions-IAM5[Resource::<${siteBucketId}.Arn>/*]`]: `${because}: it writes every file of the portal bucket.`,
      'AwsSolutions-IAM5[Resource::*]': `${because}: CDK grants cloudfront:CreateInvalidation/GetInvalidation on * to invalidate the portal after upload.`,
    };
    for (const [id, reason] of Object.entries(findings)) {
      Validations.of(id === 'AwsSolutions-L1' ? handler : role).acknowledge({ id, reason });
    }
  }

  private acknowledge(hasCustomDomain: boolean): void {
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'Employees sign in from wherever they work; access is controlled by Cognito, not by country.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        "A WAF web ACL has a fixed monthly cost against Spoke's near-zero idle cost. Every API route needs a Cognito JWT except health, openapi.json and the approval-link routes, whose KMS-signed single-use token is the credential; the stage is throttled, and the link routes more tightly.",
    });
    if (!hasCustomDomain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without portal.domainName the default *.cloudfront.net certificate is used, whose TLS policy CloudFront fixes; a custom domain gets TLSv1.2_2021.',
      });
    }
  }
}
