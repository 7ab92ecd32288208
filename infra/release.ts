import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { CfnEventBusPolicy, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { AccountPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { JsonPath, type StateMachine, Succeed, TaskInput } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { ReleaseApiEnv, ReleaseFunctionEnv } from '#config/env.ts';
import { RELEASE_PUBLIC_ROUTES } from '#http/public-routes.ts';
import type { Api } from './api.ts';
import {
  type ApprovalTimeouts,
  grantStopExecutions,
  waitRounds,
  workflowStateMachine,
} from './approval-rounds.ts';
import type { Data } from './data.ts';
import { sendMailAs } from './email.ts';
import type { Events } from './events.ts';
import { deadLetterQueue } from './queues.ts';
import type { ReleaseConfig } from './release-config.ts';
import { SpokeFunction } from './spoke-function.ts';

/** The event pattern of CodePipeline execution outcomes, as the rule and the tests read it. */
export const pipelineExecutionPattern = (pipelines: readonly string[]) => ({
  source: ['aws.codepipeline'],
  detailType: ['CodePipeline Pipeline Execution State Change'],
  detail: { pipeline: [...pipelines], state: ['SUCCEEDED', 'FAILED', 'STOPPED', 'SUPERSEDED', 'CANCELED'] },
});

/** Why each public release route needs no Cognito token (the cdk-nag acknowledgement of each). */
const publicReasons: Record<(typeof RELEASE_PUBLIC_ROUTES)[number], string> = {
  'GET /api/release-approval-links/{token}':
    'A release go/no-go link from mail opens without signing in: the KMS-signed, expiring, single-use token is the credential, and reading it decides nothing.',
  'POST /api/release-approval-links/{token}':
    'Deciding a release go/no-go through a link from mail: the KMS-signed, expiring token names the one approver and decision, and is used up by this request.',
  'POST /api/pipeline-gate/{pipeline}/runs':
    'CI/CD pipelines ask the deployment gate with a per-pipeline token (256 random bits, stored as a SHA-256 hash, checked by the function before anything else); they have no Cognito user. The function still answers only through CloudFront (origin secret).',
  'POST /api/pipeline-gate/{pipeline}/runs/{executionId}/outcome':
    'A pipeline reports its deployment outcome with the same per-pipeline token (stored hashed, checked by the function first); it has no Cognito user.',
};

/** The release functions' variables without the mail ones, for the release API (which sends none). */
const withoutMail = <E extends ReleaseFunctionEnv>(env: E) => {
  const { SUPPORT_ADDRESS: _s, MAIL_FROM: _f, PORTAL_URL: _p, MAIL_CONFIGURATION_SET: _c, ...rest } = env;
  return rest;
};

/** The change settings' variables without the SSM parameter name, which the release functions never read. */
export const withoutParameter = <E extends { CHANGE_SETTINGS_PARAMETER?: string }>(env: E) => {
  const { CHANGE_SETTINGS_PARAMETER: _, ...rest } = env;
  return rest;
};

export interface ReleaseProps {
  /** Physical-name prefix, e.g. `spoke-prod`. */
  readonly prefix: string;
  readonly data: Data;
  readonly events: Events;
  /** Everything but the link key (the change approvals' key, given as `linkKey`). */
  readonly environment: Omit<ReleaseFunctionEnv, 'LINK_KEY_ID' | 'PIPELINES' | 'RELEASE_GO_NO_GO_GROUP'>;
  readonly config: ReleaseConfig;
  readonly linkKey: Key;
  /** The HTTP API the release routes join (its JWT authorizer and CloudFront origin secret). */
  readonly api: Api;
  readonly logRetention: RetentionDays;
  /** @default a day to the reminder, a day to escalation, two more to expiry (as change approvals) */
  readonly timeouts?: ApprovalTimeouts;
}

/**
 * Release management and the deployment gate:
 *
 * - the go/no-go state machine (JSONPath, the token rounds of `approval-rounds.ts`: request →
 *   reminder → escalation → expiry) and its task function, which mails the deciders and writes
 *   the outcome on the release;
 * - the gate function for CodePipeline's Lambda invoke action, answering with
 *   `PutJobSuccessResult` / `PutJobFailureResult` (no resource-level permissions exist for them);
 *   invocable by the trusted (tooling) accounts;
 * - a rule on the default bus for "CodePipeline Pipeline Execution State Change" of the
 *   configured pipelines, with a bus policy letting the trusted accounts forward theirs.
 *
 * Failed asynchronous invocations (the gate, the events) retry twice, then wait in one
 * dead-letter queue with their bodies.
 */
export class Release extends Construct {
  readonly goNoGo: StateMachine;
  readonly task: SpokeFunction<ReleaseFunctionEnv>;
  /** The release routes and the token-guarded gate, behind the same HTTP API as the api function. */
  readonly releaseApi: SpokeFunction<ReleaseApiEnv>;
  readonly gate: SpokeFunction<ReleaseFunctionEnv>;
  readonly pipelineEvents: SpokeFunction<ReleaseFunctionEnv>;
  readonly deadLetters: Queue;
  /** For the observability construct: the functions, dead-letter queues and state machine above. */
  readonly observed: {
    readonly functions: Readonly<Record<string, LambdaFunction>>;
    readonly deadLetters: Readonly<Record<string, Queue>>;
    readonly stateMachines: Readonly<Record<string, StateMachine>>;
  };

  constructor(scope: Construct, id: string, props: ReleaseProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const stateMachineName = `${props.prefix}-release-go-no-go`;
    const releaseSettings = {
      RELEASE_GO_NO_GO_GROUP: props.config.goNoGoGroup,
      PIPELINES: JSON.stringify(props.config.pipelines),
    };
    const environment: ReleaseFunctionEnv = {
      ...props.environment,
      ...releaseSettings,
      LINK_KEY_ID: props.linkKey.keyArn,
    };
    const fn = (fnId: string, entry: string, description: string, extra: { deadLetters?: Queue } = {}) =>
      new SpokeFunction(this, fnId, {
        entry,
        description,
        environment,
        logRetention: props.logRetention,
        timeout: Duration.seconds(60),
        ...(extra.deadLetters ? { deadLetterQueue: extra.deadLetters, retryAttempts: 2 } : {}),
      })
        .bindTable(props.data.domain, 'readWrite')
        .bindTable(props.data.idempotency, 'readWrite');

    // ——— go/no-go ———
    this.task = fn(
      'GoNoGoTask',
      'functions/handlers/release-workflow.ts',
      'Spoke release go/no-go workflow task',
    );
    props.linkKey.grant(this.task, 'kms:GenerateMac');
    this.task.addToRolePolicy(
      sendMailAs(this, props.environment.MAIL_FROM, props.environment.MAIL_CONFIGURATION_SET),
    );
    this.task.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:SendTaskSuccess'],
        resources: [
          stack.formatArn({
            service: 'states',
            resource: 'stateMachine',
            resourceName: stateMachineName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    const finish = new LambdaInvoke(this, 'Finish', {
      lambdaFunction: this.task,
      payload: TaskInput.fromObject({
        action: 'finish',
        'releaseId.$': '$.releaseId',
        'decision.$': '$.outcome.decision',
      }),
      resultPath: JsonPath.DISCARD,
    }).next(new Succeed(this, 'Decided'));
    const expire = new LambdaInvoke(this, 'Expire', {
      lambdaFunction: this.task,
      payload: TaskInput.fromObject({ action: 'expire', 'releaseId.$': '$.releaseId' }),
      resultSelector: { 'decision.$': '$.Payload.decision' },
      resultPath: '$.outcome',
    }).next(finish);
    const definition = waitRounds(this, 'GoNoGo', {
      fn: this.task,
      payload: { action: 'round', 'releaseId.$': '$.releaseId' },
      timeouts: props.timeouts ?? {
        reminderAfter: Duration.hours(24),
        escalateAfter: Duration.hours(24),
        expireAfter: Duration.hours(48),
      },
      resultPath: '$.outcome',
      answered: finish,
      expired: expire,
    });
    this.goNoGo = workflowStateMachine(
      this,
      { machine: 'GoNoGo', logs: 'GoNoGoLogs' },
      {
        stateMachineName,
        definition,
        task: this.task,
        logRetention: props.logRetention,
        timeout: Duration.days(7),
      },
    );
    this.releaseApi = this.#routes(props, {
      ...withoutMail(environment),
      RELEASE_WORKFLOW_ARN: this.goNoGo.stateMachineArn,
      ORIGIN_VERIFY_SECRET: props.api.originVerify,
    });
    this.goNoGo.grantStartExecution(this.releaseApi);
    this.goNoGo.grantTaskResponse(this.releaseApi);
    grantStopExecutions(
      this.releaseApi,
      stateMachineName,
      'Moving a release on while its go/no-go is pending stops that execution, whose name is only known at runtime; the grant covers executions of the go/no-go state machine only.',
    );

    // ——— the CodePipeline gate and the pipelines' outcomes ———
    this.deadLetters = deadLetterQueue(this, 'the pipeline gate, the pipeline event function and its rule');
    this.gate = fn(
      'PipelineGate',
      'functions/handlers/pipeline-gate.ts',
      'Spoke deployment gate (CodePipeline Lambda invoke action)',
      {
        deadLetters: this.deadLetters,
      },
    );
    this.gate.addToRolePolicy(
      new PolicyStatement({
        actions: ['codepipeline:PutJobSuccessResult', 'codepipeline:PutJobFailureResult'],
        resources: ['*'],
      }),
    );
    Validations.of(this.gate.role ?? this.gate).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'codepipeline:PutJobSuccessResult and PutJobFailureResult support no resource-level permissions (the job id is the only handle); the function answers only jobs it was invoked with.',
    });
    for (const account of props.config.trustedAccounts)
      this.gate.addPermission(`InvokeFrom${account}`, {
        principal: new AccountPrincipal(account),
        action: 'lambda:InvokeFunction',
      });
    this.pipelineEvents = fn(
      'PipelineEvents',
      'functions/handlers/pipeline-events.ts',
      'Spoke pipeline outcomes: CodePipeline execution state changes close or fail the gate’s changes',
      { deadLetters: this.deadLetters },
    );
    props.events.grantPublish(this.task, this.gate, this.pipelineEvents, this.releaseApi);
    const names = props.config.pipelines.map((p) => p.name);
    if (names.length > 0)
      new Rule(this, 'PipelineExecutions', {
        description: 'CodePipeline execution outcomes of the gated pipelines into Spoke',
        eventPattern: pipelineExecutionPattern(names),
        targets: [
          new LambdaTarget(this.pipelineEvents, { retryAttempts: 2, deadLetterQueue: this.deadLetters }),
        ],
      });
    props.config.trustedAccounts.forEach((account) => {
      new CfnEventBusPolicy(this, `PipelineEventsFrom${account}`, {
        eventBusName: 'default',
        statementId: `${props.prefix}-pipelines-${account}`.slice(0, 64),
        statement: {
          Effect: 'Allow',
          Principal: { AWS: `arn:${stack.partition}:iam::${account}:root` },
          Action: 'events:PutEvents',
          Resource: `arn:${stack.partition}:events:${stack.region}:${stack.account}:event-bus/default`,
          Condition: { StringEquals: { 'events:source': 'aws.codepipeline' } },
        },
      });
    });

    this.observed = {
      functions: {
        'release-api': this.releaseApi,
        'release-workflow': this.task,
        'pipeline-gate': this.gate,
        'pipeline-events': this.pipelineEvents,
      },
      deadLetters: { 'pipeline-gate': this.deadLetters },
      stateMachines: { 'release-go-no-go': this.goNoGo },
    };
  }

  /** The release API function and its routes on the HTTP API: signed-in routes and the public ones. */
  #routes(props: ReleaseProps, environment: ReleaseApiEnv): SpokeFunction<ReleaseApiEnv> {
    const handler = new SpokeFunction(this, 'ReleaseApi', {
      entry: 'functions/handlers/release-api.ts',
      description: 'Spoke release API: releases, go/no-go, notes, calendar and the pipeline gate',
      environment,
      logRetention: props.logRetention,
    })
      .bindTable(props.data.domain, 'readWrite')
      .bindTable(props.data.idempotency, 'readWrite');
    props.linkKey.grant(handler, 'kms:VerifyMac');
    const integration = new HttpLambdaIntegration('ReleaseApi', handler);
    for (const path of [
      '/api/releases',
      '/api/releases/{proxy+}',
      '/api/release-calendar',
      '/api/pipelines',
      '/api/pipelines/{proxy+}',
    ])
      props.api.httpApi.addRoutes({
        path,
        methods: [HttpMethod.ANY],
        integration,
        authorizer: props.api.authorizer,
      });
    for (const key of RELEASE_PUBLIC_ROUTES) {
      const [method, path] = key.split(' ') as [HttpMethod, string];
      for (const route of props.api.httpApi.addRoutes({ path, methods: [method], integration }))
        Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: publicReasons[key] });
    }
    return handler;
  }
}
