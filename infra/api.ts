import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
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
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ApiEnv } from '#config/env.ts';
import { ORIGIN_VERIFY_HEADER } from '#http/origin.ts';
import { PUBLIC_ROUTES } from '#http/public-routes.ts';
import { grantStopExecutions } from './approval-rounds.ts';
import type { Auth } from './auth.ts';
import { attachmentPrefix, type Data } from './data.ts';
import type { ChangeSettingsEnv, ProblemSettingsEnv } from './settings.ts';
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
  /** Approver groups, quorum, link validity and the SSM parameter of the large change settings. */
  readonly changeSettings?: ChangeSettingsEnv;
  /** Tickets one person may open per minute and per hour (account config `tickets`). */
  readonly openLimits?: Pick<ApiEnv, 'TICKET_OPEN_LIMIT_PER_MINUTE' | 'TICKET_OPEN_LIMIT_PER_HOUR'>;
  /** Who manages the CMDB, and the risk weight of a critical service (account config `cmdb`). */
  readonly cmdb?: Pick<ApiEnv, 'CMDB_MANAGER_GROUP' | 'CMDB_CRITICAL_RISK_WEIGHT'>;
  /** Problem managers, the fix policy and the suggestion threshold (account config `problems`). */
  readonly problemSettings?: ProblemSettingsEnv;
  /** How long a satisfaction survey stays open (account config `reporting`). */
  readonly satisfaction?: Pick<ApiEnv, 'SATISFACTION_DAYS' | 'SATISFACTION_FOLLOW_UP_AT_OR_BELOW'>;
  /** Business-value assumptions of reports (account config `reporting`). */
  readonly value?: Pick<ApiEnv, 'DEFLECTION_HANDLING_MINUTES' | 'MONTHLY_COST_USD'>;
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
  'GET /api/request-approval-links/{token}':
    'A catalog request approval link from mail opens without signing in: the KMS-signed, expiring, single-use token is the credential, and reading it decides nothing.',
  'POST /api/request-approval-links/{token}':
    'Deciding a catalog request through a link from mail: the KMS-signed, expiring token names the one approver and decision, and is used up by this request.',
  'GET /api/satisfaction-links/{token}':
    'A satisfaction survey link from the resolution mail opens without signing in: the KMS-signed, expiring, single-use token is the credential, and reading it rates nothing.',
  'POST /api/satisfaction-links/{token}':
    'Rating a resolved ticket through its survey link: the KMS-signed, expiring token names the one ticket and its requester, and is used up by this request.',
};

/**
 * The portal's backend: an HTTP API in front of one api function. Every route but the health
 * probe is behind a JWT authorizer that trusts only the Spoke user pool and the portal client,
 * so an unauthenticated request never reaches Lambda.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly handler: SpokeFunction<ApiEnv>;
  /** The JWT authorizer of every non-public route, for routes other constructs add (search). */
  readonly authorizer: HttpJwtAuthorizer;
  /** The CloudFront origin secret, for functions other constructs put behind this API. */
  readonly originVerify: string;
  /** Host name of the API, the CloudFront origin of `/api/*`. */
  readonly domainName: string;
  /**
   * The headers CloudFront must add to every request it forwards here: the function refuses
   * requests without them, so nobody reaches it around CloudFront.
   */
  readonly originHeaders: Record<string, string>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    // Generated by Secrets Manager at deploy time; CloudFormation resolves it into CloudFront's
    // origin header and the function's environment, so it is in neither the code nor the template.
    const originSecret = new Secret(this, 'OriginSecret', {
      description: 'Spoke: the x-spoke-origin-verify header CloudFront adds to API requests',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    Validations.of(originSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The origin header only proves a request came through this CloudFront distribution, whose configuration shows it to anyone allowed to read it; it is no credential to rotate on a schedule (docs/configuration.md says how to replace it).',
    });
    const originVerify = originSecret.secretValue.unsafeUnwrap();
    this.originVerify = originVerify;
    this.originHeaders = { [ORIGIN_VERIFY_HEADER]: originVerify };
    this.handler = new SpokeFunction(this, 'Handler', {
      entry: 'functions/handlers/api.ts',
      description: 'Spoke HTTP API',
      environment: {
        ...props.data.environment,
        ...props.changeSettings,
        ...props.openLimits,
        ...props.cmdb,
        ...props.problemSettings,
        ...props.satisfaction,
        ...props.value,
        ATTACHMENT_BUCKET: props.data.attachments.bucketName,
        CHANGE_APPROVAL_ARN: props.changeApproval.stateMachineArn,
        LINK_KEY_ID: props.linkKey.keyArn,
        ORIGIN_VERIFY_SECRET: originVerify,
      },
      logRetention: props.logRetention,
    })
      .bindTable(props.data.domain, 'readWrite')
      .bindTable(props.data.idempotency, 'readWrite')
      .bindBucket(props.data.attachments, 'readWrite', attachmentPrefix);
    props.changeApproval.grantStartExecution(this.handler);
    // Executions are named at runtime, so StopExecution is granted on every execution of this one machine.
    grantStopExecutions(
      this.handler,
      props.changeApprovalName,
      'Cancelling a change stops its approval execution, whose name is only known at runtime; the grant covers executions of the change approval state machine only.',
    );
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
    this.authorizer = authorizer;
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
    const stack = Stack.of(this);
    this.domainName = `${this.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
  }
}
