import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ApiEnv } from '#config/env.ts';
import { PUBLIC_ROUTES } from '#http/public-routes.ts';
import type { Auth } from './auth.ts';
import { attachmentPrefix, type Data } from './data.ts';
import { SpokeFunction } from './spoke-function.ts';

export interface ApiProps {
  readonly auth: Auth;
  readonly data: Data;
  /** The change approval workflow the API starts, stops and answers. */
  readonly changeApproval: StateMachine;
  /** Its name, for the executions the API may stop. */
  readonly changeApprovalName: string;
  /** The key that signs approval links; the API verifies them. */
  readonly linkKey: IKey;
  readonly logRetention: RetentionDays;
}

/** Why each public route needs no token (the cdk-nag acknowledgement of each). */
const publicReasons: Record<(typeof PUBLIC_ROUTES)[number], string> = {
  'GET /api/health': 'GET /api/health is the public liveness probe; it returns no data.',
  'GET /api/openapi.json':
    'GET /api/openapi.json is the API description, generated from the route table; it holds no data.',
  'GET /api/approval-links/{token}':
    'An approval link from mail opens without signing in: the KMS-signed, expiring, single-use token is the credential, and reading it decides nothing.',
  'POST /api/approval-links/{token}':
    'Deciding through an approval link from mail: the KMS-signed, expiring token names the one approver and decision, and is used up by this request.',
};

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
      environment: {
        ...props.data.environment,
        ATTACHMENT_BUCKET: props.data.attachments.bucketName,
        CHANGE_APPROVAL_ARN: props.changeApproval.stateMachineArn,
        LINK_KEY_ID: props.linkKey.keyArn,
      },
      logRetention: props.logRetention,
    })
      .bindTable(props.data.domain, 'readWrite')
      .bindTable(props.data.idempotency, 'readWrite')
      .bindBucket(props.data.attachments, 'readWrite', attachmentPrefix);
    props.changeApproval.grantStartExecution(this.handler);
    // Executions are named at runtime, so StopExecution is granted on every execution of this one machine.
    const stack = Stack.of(this);
    const executions = `${props.changeApprovalName}:*`;
    this.handler.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:StopExecution'],
        resources: [
          stack.formatArn({
            service: 'states',
            resource: 'execution',
            resourceName: executions,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    Validations.of(this.handler.role ?? this.handler).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${stack.region}:${stack.account}:execution:${executions}]`,
      reason:
        'Cancelling a change stops its approval execution, whose name is only known at runtime; the grant covers executions of the change approval state machine only.',
    });
    props.changeApproval.grantTaskResponse(this.handler);
    props.linkKey.grant(this.handler, 'kms:VerifyMac');
    this.httpApi = new HttpApi(this, 'Http', { createDefaultStage: false });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(this, 'AccessLogs', {
            retention: props.logRetention,
            removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
          }),
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
    const throttled: { key: string; route: HttpRoute }[] = [];
    for (const key of PUBLIC_ROUTES) {
      const [method, path] = key.split(' ') as [HttpMethod, string];
      for (const route of this.httpApi.addRoutes({ path, methods: [method], integration })) {
        Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: publicReasons[key] });
        if (key.includes('approval-links')) throttled.push({ key, route });
      }
    }
    // The anonymous approval-link routes cost a Lambda call and a KMS VerifyMac each: a tighter
    // limit. API Gateway refuses route settings for a route key it does not know yet ("Unable to
    // find Route by key"), so the stage waits for the routes it names.
    (stage.node.defaultChild as CfnStage).addPropertyOverride(
      'RouteSettings',
      Object.fromEntries(
        throttled.map(({ key }) => [key, { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 }]),
      ),
    );
    for (const { route } of throttled) stage.node.addDependency(route);
    this.domainName = `${this.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
  }
}
