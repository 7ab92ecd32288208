import { Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ApiEnv } from '#config/env.ts';
import { OPENAPI_PATH } from '#http/openapi.ts';
import type { Auth } from './auth.ts';
import { attachmentPrefix, type Data } from './data.ts';
import { SpokeFunction } from './spoke-function.ts';

export interface ApiProps {
  readonly auth: Auth;
  readonly data: Data;
  readonly logRetention: RetentionDays;
}

/** The one public route: a load balancer or uptime probe must reach it without a token. */
export const healthPath = '/api/health';

/** The API's OpenAPI document, public so tools and people can read it without signing in. */
export const openApiPath = OPENAPI_PATH;

/**
 * The portal's backend: an HTTP API in front of one api function. Every route but the health
 * probe is behind a JWT authorizer that trusts only the Spoke user pool and the portal client,
 * so an unauthenticated request never reaches Lambda.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly handler: SpokeFunction<ApiEnv>;
  /** Host name of the API, the CloudFront origin of `/api/*`. */
  readonly domainName: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.handler = new SpokeFunction(this, 'Handler', {
      entry: 'functions/handlers/api.ts',
      description: 'Spoke HTTP API',
      environment: { ...props.data.environment, ATTACHMENT_BUCKET: props.data.attachments.bucketName },
      logRetention: props.logRetention,
    })
      .bindTable(props.data.domain, 'readWrite')
      .bindTable(props.data.idempotency, 'readWrite')
      .bindBucket(props.data.attachments, 'readWrite', attachmentPrefix);
    this.httpApi = new HttpApi(this, 'Http', { createDefaultStage: false });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(this, 'AccessLogs', { retention: props.logRetention }),
        ),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    const integration = new HttpLambdaIntegration('Handler', this.handler);
    const authorizer = new HttpJwtAuthorizer('Cognito', props.auth.issuer, {
      jwtAudience: [props.auth.portalClient.userPoolClientId],
    });
    this.httpApi.addRoutes({ path: '/api/{proxy+}', methods: [HttpMethod.ANY], integration, authorizer });
    const [health] = this.httpApi.addRoutes({ path: healthPath, methods: [HttpMethod.GET], integration });
    if (health) {
      Validations.of(health).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'GET /api/health is the public liveness probe; it returns no data.',
      });
    }
    const [openApi] = this.httpApi.addRoutes({ path: openApiPath, methods: [HttpMethod.GET], integration });
    if (openApi) {
      Validations.of(openApi).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'GET /api/openapi.json is the API description, generated from the route table; it holds no data.',
      });
    }
    const stack = Stack.of(this);
    this.domainName = `${this.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
  }
}
