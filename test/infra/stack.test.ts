import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableDefinitions, tableName } from '#adapters/dynamodb/table-definition.ts';
import { OPENAPI_PATH } from '#http/openapi.ts';
import { identityOrigins } from '#infra/auth.ts';
import { resourcePrefix, type SpokeConfig } from '#infra/config.ts';
import { contentSecurityPolicy, HSTS_MAX_AGE_SECONDS } from '#infra/portal-security-headers.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';
import { SpokeFunction } from '#infra/spoke-function.ts';
import type { SpokeStack } from '#infra/stack.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

let app: App;
let stack: SpokeStack;
let config: SpokeConfig;
let template: Template;
let resources: Resources;

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const managedCachingDisabled = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const managedAllViewerExceptHost = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

beforeAll(() => {
  ({ app, stack, config } = createSpokeApp({ nag: false }));
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Resources;
});

describe('SpokeStack security properties', () => {
  it('blocks public access and refuses plain HTTP on every bucket', () => {
    const buckets = ofType('AWS::S3::Bucket');
    const policies = ofType('AWS::S3::BucketPolicy').map(([, policy]) => policy.Properties);

    expect(buckets.length).toBeGreaterThanOrEqual(4);
    for (const [id, bucket] of buckets) {
      expect(bucket.Properties.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption, id).toBeDefined();
      const policy = policies.find((p) => JSON.stringify(p.Bucket) === JSON.stringify({ Ref: id }));
      expect(JSON.stringify(policy?.PolicyDocument), id).toMatch(
        /"Condition":\{"Bool":\{"aws:SecureTransport":"false"\}\},"Effect":"Deny"/,
      );
    }
  });

  it('protects every table with PITR and deletion protection, retained', () => {
    for (const definition of tableDefinitions) {
      template.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          TableName: tableName(resourcePrefix(config), definition),
          Replicas: [
            Match.objectLike({
              DeletionProtectionEnabled: true,
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            }),
          ],
        }),
      });
    }
  });

  it('puts the JWT authorizer on every route except the public ones (health, openapi.json, approval links)', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);
    const [authorizer] = ofType('AWS::ApiGatewayV2::Authorizer').map(([, a]) => a.Properties);
    const publicRoutes = [
      'GET /api/health',
      `GET ${OPENAPI_PATH}`,
      'GET /api/approval-links/{token}',
      'POST /api/approval-links/{token}',
    ];

    expect(routes.map((route) => route.RouteKey).sort()).toEqual(
      ['ANY /api/{proxy+}', ...publicRoutes].sort(),
    );
    for (const route of routes) {
      expect(route.AuthorizationType, String(route.RouteKey)).toBe(
        publicRoutes.includes(String(route.RouteKey)) ? 'NONE' : 'JWT',
      );
      expect(route.AuthorizerId, String(route.RouteKey)).toSatisfy((id: unknown) =>
        publicRoutes.includes(String(route.RouteKey)) ? id === undefined : id !== undefined,
      );
    }
    expect(authorizer?.AuthorizerType).toBe('JWT');
    expect(JSON.stringify(authorizer?.JwtConfiguration)).toContain(
      stack.getLogicalId(stack.auth.portalClient.node.defaultChild as never),
    );
  });

  it('logs API access', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('runs the change approval as a STANDARD, JSONPath-only state machine with full logging and tracing', () => {
    const [[, machine] = []] = ofType('AWS::StepFunctions::StateMachine');
    const definition = JSON.stringify(machine?.Properties.DefinitionString);

    expect(machine?.Properties.StateMachineType).toBe('STANDARD');
    expect(definition).not.toMatch(/JSONata|\\"Assign\\"/);
    expect(machine?.Properties.LoggingConfiguration).toMatchObject({
      Level: 'ALL',
      IncludeExecutionData: true,
    });
    expect(machine?.Properties.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('waits for every approval round with a task token and a TimeoutSeconds, and times out into reminder, escalation, expiry', () => {
    const machine = ofType('AWS::StepFunctions::StateMachine')[0]?.[1];
    if (!machine) throw new Error('No state machine');
    const parts = (machine.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const definition = JSON.parse(
      parts.map((part) => (typeof part === 'string' ? part : 'ref')).join(''),
    ) as {
      States: Record<string, Record<string, unknown>>;
    };
    const states: Record<string, Record<string, unknown>> = {};
    const visit = (all: Record<string, Record<string, unknown>>) => {
      for (const [name, state] of Object.entries(all)) {
        states[name] = state;
        for (const branch of (state.Branches as { States: typeof all }[] | undefined) ?? [])
          visit(branch.States);
      }
    };
    visit(definition.States);
    const tokenTasks = Object.entries(states).filter(([, s]) =>
      String(s.Resource).endsWith('.waitForTaskToken'),
    );

    expect(tokenTasks.map(([name]) => name).sort()).toEqual(
      ['Manager', 'Cab', 'HighRiskCab', 'ServiceOwner', 'Ecab']
        .flatMap((step) => ['Request', 'Reminder', 'Escalation'].map((round) => `${step}${round}`))
        .sort(),
    );
    for (const [name, state] of tokenTasks) {
      expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
      expect(JSON.stringify(state.Parameters), name).toContain('"taskToken.$":"$$.Task.Token"');
    }
    expect(states.CabRequest?.TimeoutSeconds).toBe(24 * 3600);
    expect(states.EcabRequest?.TimeoutSeconds).toBe(3600);
    const next = (name: string) =>
      ((states[name]?.Catch ?? []) as { ErrorEquals: string[]; Next: string }[]).find((c) =>
        c.ErrorEquals.includes('States.Timeout'),
      )?.Next;
    expect([next('CabRequest'), next('CabReminder'), next('CabEscalation')]).toEqual([
      'CabReminder',
      'CabEscalation',
      'CabExpire',
    ]);
    expect(states.Route?.Choices).toHaveLength(4);
    expect(states.CabAndOwnerApproval?.Type).toBe('Parallel');
    expect(states.CabAndOwnerApproval?.Branches).toHaveLength(2);
  });

  it('runs every Spoke function on Node 24, arm64, traced', () => {
    const functions = stack.node.findAll().filter((c) => c instanceof SpokeFunction);

    const handlers = readdirSync(join(import.meta.dirname, '../../functions/handlers')).map(
      (f) => `functions/handlers/${f}`,
    );
    expect(
      functions
        .map((fn) => relative(join(import.meta.dirname, '../..'), (fn as SpokeFunction<never>).entry))
        .sort(),
    ).toEqual(handlers.sort());
    for (const fn of functions) {
      const id = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
      expect(resources[id]?.Properties, id).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it('scans inbound mail, stores it raw under raw/ before invoking the function asynchronously', () => {
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: Match.objectLike({
        ScanEnabled: true,
        Recipients: config.support.addresses,
        Actions: [
          { S3Action: Match.objectLike({ ObjectKeyPrefix: 'raw/' }) },
          { LambdaAction: Match.objectLike({ InvocationType: 'Event' }) },
        ],
      }),
    });
  });

  it('sends failed inbound-email invocations to an encrypted dead-letter queue after retries', () => {
    const queueId = stack.getLogicalId(stack.email.deadLetters.node.defaultChild as never);

    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
  });

  it('lets only the inbound-email, notification and change-workflow functions send mail, as the configured From address only', () => {
    const statements = ofType('AWS::IAM::Policy').flatMap(([, policy]) =>
      (
        policy.Properties.PolicyDocument as {
          Statement: { Action: unknown; Condition?: unknown; Resource: unknown }[];
        }
      ).Statement.map((statement) => ({ ...statement, roles: policy.Properties.Roles })),
    );
    const sending = statements.filter((s) => JSON.stringify(s.Action).includes('ses:Send'));
    const inboundRole = stack.getLogicalId(stack.email.handler.executionRole.node.defaultChild as never);

    const notifyRole = stack.getLogicalId(
      stack.notifications.handler.executionRole.node.defaultChild as never,
    );
    const changeRole = stack.getLogicalId(
      stack.workflows.changeTask.executionRole.node.defaultChild as never,
    );
    expect(sending).toHaveLength(3);
    for (const statement of sending) {
      expect(statement.Action).toBe('ses:SendRawEmail');
      expect(statement.Condition).toEqual({ StringEquals: { 'ses:FromAddress': config.support.mailFrom } });
      expect(JSON.stringify(statement.Resource)).not.toContain('*');
    }
    expect(sending.map((s) => s.roles)).toEqual(
      expect.arrayContaining([[{ Ref: inboundRole }], [{ Ref: notifyRole }], [{ Ref: changeRole }]]),
    );
  });

  it('keeps a user’s email address until the new one is verified, and lets the portal write no email', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
    });
    const [, client] = ofType('AWS::Cognito::UserPoolClient')[0] ?? [];
    expect(client?.Properties.WriteAttributes).toBeDefined();
    expect(client?.Properties.WriteAttributes).not.toContain('email');
  });

  it('serves the portal through origin access control with the shared CSP and HSTS', () => {
    const [[, distribution] = []] = ofType('AWS::CloudFront::Distribution');
    const config0 = distribution?.Properties.DistributionConfig as {
      Origins: { S3OriginConfig?: unknown; OriginAccessControlId?: unknown }[];
      CacheBehaviors: Record<string, unknown>[];
      CustomErrorResponses?: unknown;
    };
    const s3Origin = config0.Origins.find((origin) => origin.S3OriginConfig);

    expect(s3Origin?.OriginAccessControlId).toBeDefined();
    expect(config0.CustomErrorResponses).toBeUndefined();
    expect(config0.CacheBehaviors).toContainEqual(
      expect.objectContaining({
        PathPattern: '/api/*',
        CachePolicyId: managedCachingDisabled,
        OriginRequestPolicyId: managedAllViewerExceptHost,
      }),
    );
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: {
            ContentSecurityPolicy: contentSecurityPolicy({
              identityOrigin: identityOrigins(config.region, config.auth.domainPrefix).join(' '),
              transferOrigin: `https://*.s3.${config.region}.amazonaws.com`,
            }),
            Override: true,
          },
          StrictTransportSecurity: {
            AccessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS,
            IncludeSubdomains: true,
            Preload: true,
            Override: true,
          },
          FrameOptions: { FrameOption: 'DENY', Override: true },
        }),
      }),
    });
  });

  it('has one event bus, spoke-<stage>-events, archived', () => {
    const busId = stack.getLogicalId(stack.events.bus.node.defaultChild as never);

    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: `${resourcePrefix(config)}-events` });
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      RetentionDays: 30,
    });
  });

  it('lets exactly the api, inbound-email and housekeeping functions put events, on the Spoke bus only', () => {
    const busArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.events.bus.node.defaultChild as never), 'Arn'] };
    const roleId = (fn: SpokeFunction) => stack.getLogicalId(fn.executionRole.node.defaultChild as never);
    const publishers = new Set<string>();
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] })
        .Statement;
      for (const statement of statements) {
        const actions = ([] as unknown[]).concat(statement.Action);
        if (!actions.some((action) => String(action).startsWith('events:'))) continue;
        expect(actions).toEqual(['events:PutEvents']);
        expect(statement.Resource).toEqual(busArn);
        for (const role of policy.Properties.Roles as { Ref: string }[]) publishers.add(role.Ref);
      }
    }

    expect([...publishers].sort()).toEqual(
      [stack.api.handler, stack.email.handler, stack.housekeeping.handler].map(roleId).sort(),
    );
  });

  it('keeps attachments in a private bucket that only the portal origin may PUT to and GET from', () => {
    const bucketId = stack.getLogicalId(stack.data.attachments.node.defaultChild as never);
    const bucket = resources[bucketId]?.Properties as Record<string, unknown>;
    const cors = (bucket.CorsConfiguration as { CorsRules: Record<string, unknown>[] }).CorsRules;

    expect(cors).toHaveLength(1);
    expect(cors[0]).toMatchObject({
      AllowedMethods: ['PUT', 'GET'],
      AllowedHeaders: ['content-type', 'x-amz-checksum-sha256'],
    });
    expect(cors[0]?.AllowedOrigins).toHaveLength(1);
    expect(JSON.stringify(cors[0]?.AllowedOrigins)).not.toContain('*');
    expect(JSON.stringify(cors[0]?.AllowedOrigins)).toContain(
      stack.getLogicalId(stack.portal.distribution.node.defaultChild as never),
    );
    expect(bucket.LifecycleConfiguration).toEqual({
      Rules: [expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })],
    });
  });

  it('grants the api function attachment objects under tickets/ only', () => {
    const bucketId = stack.getLogicalId(stack.data.attachments.node.defaultChild as never);
    const apiRole = stack.getLogicalId(stack.api.handler.executionRole.node.defaultChild as never);
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: apiRole }]))
      .flatMap(
        ([, policy]) =>
          (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
      )
      .filter((statement) => JSON.stringify(statement.Resource).includes(bucketId));

    expect(statements).toEqual([
      expect.objectContaining({
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/tickets/*']] },
      }),
    ]);
  });

  it("runs ticket housekeeping every 15 minutes with the api function's table access", () => {
    const fnId = stack.getLogicalId(stack.housekeeping.handler.node.defaultChild as never);
    const tableStatements = (fn: SpokeFunction) => {
      const role = stack.getLogicalId(fn.executionRole.node.defaultChild as never);
      return ofType('AWS::IAM::Policy')
        .filter(([, policy]) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: role }]))
        .flatMap(
          ([, policy]) =>
            (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
        )
        .filter((statement) => JSON.stringify(statement.Action).includes('dynamodb:'));
    };

    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } })],
    });
    expect(tableStatements(stack.housekeeping.handler)).toEqual(tableStatements(stack.api.handler));
    expect(tableStatements(stack.housekeeping.handler)).toHaveLength(2);
  });

  it('sends quarantine release requests from the bus to the inbound-email function, with a dead-letter queue', () => {
    const handler = stack.getLogicalId(stack.email.handler.node.defaultChild as never);
    const rule = ofType('AWS::Events::Rule').find(([, r]) =>
      JSON.stringify(r.Properties.EventPattern).includes('mail.release_requested'),
    );
    expect(rule).toBeDefined();
    const [target] = (rule?.[1].Properties.Targets ?? []) as { Arn: unknown; DeadLetterConfig?: unknown }[];
    expect(target?.Arn).toEqual({ 'Fn::GetAtt': [handler, 'Arn'] });
    expect(target?.DeadLetterConfig).toBeDefined();
  });

  it('reports bounces and complaints of all outbound mail through an encrypted topic to the feedback function', () => {
    const setName = stack.resolve(stack.mailFeedback.configurationSet.configurationSetName);
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: setName,
      EventDestination: Match.objectLike({ Enabled: true, MatchingEventTypes: ['bounce', 'complaint'] }),
    });
    const topic = stack.getLogicalId(stack.mailFeedback.topic.node.defaultChild as never);
    expect(resources[topic]?.Properties.KmsMasterKeyId).toBeDefined();
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: topic },
    });
    for (const fn of [stack.email.handler, stack.notifications.handler]) {
      const id = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
      const environment = resources[id]?.Properties.Environment as
        | { Variables: Record<string, unknown> }
        | undefined;
      expect(environment?.Variables.MAIL_CONFIGURATION_SET).toEqual(setName);
    }
  });

  it('alarms on every function’s errors and throttles, every dead-letter queue, failed workflows and the bounce rate, to one encrypted topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const topic = stack.getLogicalId(stack.observability.alarmTopic.node.defaultChild as never);
    const functions = stack.node.findAll().filter((c) => c instanceof SpokeFunction);
    const metric = (name: string) => alarms.filter((a) => a.MetricName === name);

    expect(metric('Errors')).toHaveLength(functions.length);
    expect(metric('Throttles')).toHaveLength(functions.length);
    expect(metric('ApproximateNumberOfMessagesVisible')).toHaveLength(2);
    expect(metric('ExecutionsFailed')).toHaveLength(1);
    expect(metric('Reputation.BounceRate')).toEqual([expect.objectContaining({ Threshold: 0.05 })]);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
    expect(resources[topic]?.Properties.KmsMasterKeyId).toBeDefined();
    expect(ofType('AWS::CloudWatch::Dashboard')).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: config.alarms.email,
      TopicArn: { Ref: topic },
    });
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );

    expect(findings).toEqual([]);
  });
});
