import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableDefinitions, tableName } from '#adapters/dynamodb/table-definition.ts';
import { OPENAPI_PATH } from '#http/openapi.ts';
import { RELEASE_PUBLIC_ROUTES } from '#http/public-routes.ts';
import { identityOrigins } from '#infra/auth.ts';
import { loadConfig, resourcePrefix, type SpokeConfig } from '#infra/config.ts';
import { businessMetrics } from '#infra/observability.ts';
import { contentSecurityPolicy, HSTS_MAX_AGE_SECONDS } from '#infra/portal-security-headers.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';
import { externalModules, powertoolsVersion, SpokeFunction } from '#infra/spoke-function.ts';
import type { SpokeStack } from '#infra/stack.ts';
import { loadCostData } from '#ops/cost.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

interface Synthesized {
  app: App;
  stack: SpokeStack;
  config: SpokeConfig;
  template: Template;
  resources: Resources;
  ofType: (type: string) => [string, Resources[string]][];
}

/** Synthesizes one config once; every assertion of this file reuses the two templates. */
function synthesize(path: string): Synthesized {
  const { app, stack, config } = createSpokeApp({ config: loadConfig(path), nag: false });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  return { app, stack, config, template, resources, ofType };
}

// The full config (infra/configs/example.json): federation, custom domain, alarms to mail and a topic.
let full: Synthesized;
// The minimal config (infra/configs/minimal.json): only the required fields.
let minimal: Synthesized;
let stack: SpokeStack;
let config: SpokeConfig;
let template: Template;
let resources: Resources;
let ofType: Synthesized['ofType'];
const managedCachingDisabled = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const managedAllViewerExceptHost = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

beforeAll(() => {
  full = synthesize('infra/configs/example.json');
  minimal = synthesize('infra/configs/minimal.json');
  ({ stack, config, template, resources, ofType } = full);
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

  it('protects every table with PITR, retained once created (deletion protection is the config switch)', () => {
    for (const definition of tableDefinitions) {
      template.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'RetainExceptOnCreate',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({
          TableName: tableName(resourcePrefix(config), definition),
          Replicas: [
            Match.objectLike({
              DeletionProtectionEnabled: config.deletionProtection,
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            }),
          ],
        }),
      });
    }
  });

  it('puts the JWT authorizer on every route except the public ones (health, openapi.json, approval and survey links)', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);
    const [authorizer] = ofType('AWS::ApiGatewayV2::Authorizer').map(([, a]) => a.Properties);
    const publicRoutes = [
      'GET /api/health',
      `GET ${OPENAPI_PATH}`,
      'GET /api/approval-links/{token}',
      'POST /api/approval-links/{token}',
      'GET /api/request-approval-links/{token}',
      'POST /api/request-approval-links/{token}',
      'GET /api/satisfaction-links/{token}',
      'POST /api/satisfaction-links/{token}',
      ...RELEASE_PUBLIC_ROUTES,
    ];
    const releaseRoutes = [
      '/api/releases',
      '/api/releases/{proxy+}',
      '/api/release-calendar',
      '/api/pipelines',
      '/api/pipelines/{proxy+}',
    ];

    expect(routes.map((route) => route.RouteKey).sort()).toEqual(
      [
        'ANY /api/{proxy+}',
        'GET /api/search',
        ...releaseRoutes.map((path) => `ANY ${path}`),
        ...publicRoutes,
      ].sort(),
    );
    // The release routes (signed-in and public) reach the release API function.
    const releaseApi = stack.getLogicalId(stack.release.releaseApi.node.defaultChild as never);
    const integrations = ofType('AWS::ApiGatewayV2::Integration');
    for (const route of routes.filter((r) => /release|pipeline/.test(String(r.RouteKey)))) {
      const target = JSON.stringify(route.Target);
      const [, integration] = integrations.find(([id]) => target.includes(`"${id}"`)) ?? [];
      expect(JSON.stringify(integration?.Properties), String(route.RouteKey)).toContain(releaseApi);
    }
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
      IncludeExecutionData: false,
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

    // Opt-in functions are deployed only when the config turns them on (test/infra/cmdb.test.ts).
    const optIn = config.cmdb.discovery.enabled ? [] : ['functions/handlers/cmdb-discovery.ts'];
    const handlers = readdirSync(join(import.meta.dirname, '../../functions/handlers'))
      .map((f) => `functions/handlers/${f}`)
      .filter((f) => !optIn.includes(f));
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

  it('lets only the inbound-email, notification, change-workflow, sla, catalog-workflow, release go/no-go, cloud-operations and monthly-report functions send mail, as the configured From address only', () => {
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
    const slaRole = stack.getLogicalId(stack.sla.handler.executionRole.node.defaultChild as never);
    const catalogRole = stack.getLogicalId(stack.catalog.task.executionRole.node.defaultChild as never);
    const releaseRole = stack.getLogicalId(stack.release.task.executionRole.node.defaultChild as never);
    const operationsRole = stack.getLogicalId(
      stack.cloudOperations.handler.executionRole.node.defaultChild as never,
    );
    const monthlyRole = stack.getLogicalId(stack.reporting.monthly.executionRole.node.defaultChild as never);
    expect(sending).toHaveLength(8);
    for (const statement of sending) {
      expect(statement.Action).toBe('ses:SendRawEmail');
      expect(statement.Condition).toEqual({ StringEquals: { 'ses:FromAddress': config.support.mailFrom } });
      expect(JSON.stringify(statement.Resource)).not.toContain('*');
    }
    expect(sending.map((s) => s.roles)).toEqual(
      expect.arrayContaining([
        [{ Ref: inboundRole }],
        [{ Ref: notifyRole }],
        [{ Ref: changeRole }],
        [{ Ref: slaRole }],
        [{ Ref: operationsRole }],
        [{ Ref: catalogRole }],
        [{ Ref: releaseRole }],
        [{ Ref: monthlyRole }],
      ]),
    );
  });

  it('lets the EventBridge Scheduler role invoke only the SLA function and write only its dead-letter queue, and the SLA function manage only its group’s schedules', () => {
    const logicalId = (c: { node: { defaultChild?: unknown } }) =>
      stack.getLogicalId(c.node.defaultChild as never);
    const schedulerRole = logicalId(stack.sla.schedulerRole);
    const trust = resources[schedulerRole]?.Properties.AssumeRolePolicyDocument as {
      Statement: { Principal: unknown; Condition: unknown }[];
    };
    expect(trust.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': config.account } },
      }),
    ]);
    const statementsOf = (role: string) =>
      ofType('AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]))
        .flatMap(
          ([, p]) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
        );
    const fn = logicalId(stack.sla.handler);
    const queue = logicalId(stack.sla.deadLetters);
    const granted = statementsOf(schedulerRole);
    expect(granted.find((st) => st.Action === 'lambda:InvokeFunction')?.Resource).toEqual({
      'Fn::GetAtt': [fn, 'Arn'],
    });
    expect(granted.flatMap((st) => [st.Action].flat())).toEqual(
      expect.arrayContaining(['lambda:InvokeFunction', 'sqs:SendMessage']),
    );
    for (const st of granted) expect(JSON.stringify(st.Resource)).toMatch(new RegExp(`${fn}|${queue}`));
    const slaRole = logicalId(stack.sla.handler.executionRole);
    const own = statementsOf(slaRole);
    const scheduling = own.find((st) => JSON.stringify(st.Action).includes('scheduler:'));
    expect(scheduling?.Action).toEqual([
      'scheduler:CreateSchedule',
      'scheduler:DeleteSchedule',
      'scheduler:UpdateSchedule',
    ]);
    expect(JSON.stringify(scheduling?.Resource)).toContain(`:schedule/${resourcePrefix(config)}-sla/*`);
    const passing = own.find((st) => st.Action === 'iam:PassRole');
    expect(passing).toMatchObject({
      Resource: { 'Fn::GetAtt': [schedulerRole, 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    });
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', {
      Name: `${resourcePrefix(config)}-sla`,
    });
  });

  it('keeps a user’s email address until the new one is verified, and lets the portal write no email without federation', () => {
    for (const { template } of [full, minimal]) {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      });
    }
    const [, client] = minimal.ofType('AWS::Cognito::UserPoolClient')[0] ?? [];
    expect(client?.Properties.WriteAttributes).toBeDefined();
    expect(client?.Properties.WriteAttributes).not.toContain('email');
    expect(client?.Properties.SupportedIdentityProviders).toEqual(['COGNITO']);
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
      RetentionDays: config.retention.auditEventDays,
    });
  });

  it('lets exactly the api, inbound-email, housekeeping, change-workflow, problem-events, service-status, sla, catalog-workflow, asset-import, release and cloud-operations functions put events, on the Spoke bus only', () => {
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
      [
        stack.api.handler,
        stack.email.handler,
        stack.housekeeping.handler,
        stack.workflows.changeTask,
        stack.problemEvents.handler,
        stack.serviceStatus.handler,
        stack.sla.handler,
        stack.catalog.task,
        stack.assetImports.handler,
        stack.release.task,
        stack.release.gate,
        stack.release.pipelineEvents,
        stack.release.releaseApi,
        stack.cloudOperations.handler,
      ]
        .map(roleId)
        .sort(),
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
    expect(cors[0]?.AllowedOrigins).toEqual([`https://${config.portal?.domainName}`]);
    const minimalBucket = minimal.stack.getLogicalId(
      minimal.stack.data.attachments.node.defaultChild as never,
    );
    const minimalCors = (
      minimal.resources[minimalBucket]?.Properties.CorsConfiguration as { CorsRules: unknown[] } | undefined
    )?.CorsRules;
    expect(JSON.stringify(minimalCors)).toContain(
      minimal.stack.getLogicalId(minimal.stack.portal.distribution.node.defaultChild as never),
    );
    expect(bucket.LifecycleConfiguration).toEqual({
      Rules: [expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })],
    });
  });

  it('grants the api function attachment objects under tickets/ and asset-imports/ only', () => {
    const bucketId = stack.getLogicalId(stack.data.attachments.node.defaultChild as never);
    const apiRole = stack.getLogicalId(stack.api.handler.executionRole.node.defaultChild as never);
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: apiRole }]))
      .flatMap(
        ([, policy]) =>
          (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
      )
      .filter((statement) => JSON.stringify(statement.Resource).includes(bucketId));

    const under = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, prefix]] });
    // One statement (CDK merges the two grants of the same actions): attachments and asset imports.
    expect(statements).toEqual([expect.objectContaining({ Action: ['s3:GetObject', 's3:PutObject'] })]);
    const resources = ([] as unknown[]).concat(statements[0]?.Resource);
    expect(resources).toHaveLength(2);
    expect(resources).toEqual(expect.arrayContaining([under('/tickets/*'), under('/asset-imports/*')]));
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
    const tables = [stack.data.domain.table, stack.data.idempotency.table].map((t) =>
      stack.getLogicalId(t.node.defaultChild as never),
    );
    const granted = JSON.stringify(tableStatements(stack.housekeeping.handler).map((s) => s.Resource));
    for (const table of tables) expect(granted).toContain(table);
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

  it('alarms on every function’s errors and throttles, every dead-letter queue, failed workflows, API server errors and the SES bounce and complaint rates, to one encrypted topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const topic = stack.getLogicalId(stack.observability.alarmTopic.node.defaultChild as never);
    const functions = stack.node.findAll().filter((c) => c instanceof SpokeFunction);
    const metric = (name: string) => alarms.filter((a) => a.MetricName === name);

    expect(metric('Errors')).toHaveLength(functions.length);
    expect(metric('Throttles')).toHaveLength(functions.length);
    expect(metric('ApproximateNumberOfMessagesVisible')).toHaveLength(10);
    expect(metric('ExecutionsFailed')).toHaveLength(3);
    expect(metric('5xx')).toEqual([
      expect.objectContaining({
        Dimensions: [
          { Name: 'ApiId', Value: { Ref: stack.getLogicalId(stack.api.httpApi.node.defaultChild as never) } },
        ],
      }),
    ]);
    expect(metric('Reputation.BounceRate')).toEqual([expect.objectContaining({ Threshold: 0.05 })]);
    expect(metric('Reputation.ComplaintRate')).toEqual([expect.objectContaining({ Threshold: 0.001 })]);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topic }, config.alarms.topicArn]);
    const minimalTopic = minimal.stack.getLogicalId(
      minimal.stack.observability.alarmTopic.node.defaultChild as never,
    );
    for (const [, alarm] of minimal.ofType('AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: minimalTopic }]);
    }
    minimal.template.resourceCountIs('AWS::SNS::Subscription', 1); // the mail-feedback function only
    expect(resources[topic]?.Properties.KmsMasterKeyId).toBeDefined();
    expect(ofType('AWS::CloudWatch::Dashboard')).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: config.alarms.email,
      TopicArn: { Ref: topic },
    });
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged error or warning, for both configs', () => {
    for (const { app } of [full, minimal]) {
      const report = new AwsSolutionsChecks().validateScope(app);
      const findings = report.violations.map(
        (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      );

      expect(findings).toEqual([]);
    }
  });
});

describe('SpokeStack for a cloud team', () => {
  const outputs = (s: Synthesized) =>
    s.template.toJSON().Outputs as Record<string, { Value: unknown; Description?: string }>;
  const dnsOutputs = (s: Synthesized) =>
    Object.entries(outputs(s))
      .filter(([id]) => id.startsWith('DnsRecord'))
      .map(([, output]) => s.stack.resolve(output.Value));

  it('creates an SES domain identity with Easy DKIM for each support domain', () => {
    template.resourceCountIs('AWS::SES::EmailIdentity', config.support.domains.length);
    for (const domain of config.support.domains) {
      template.hasResourceProperties('AWS::SES::EmailIdentity', {
        EmailIdentity: domain,
        DkimAttributes: { SigningEnabled: true },
      });
    }
    expect(minimal.config.support.domains).toEqual(['dev.help.example.com']);
    minimal.template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'dev.help.example.com',
    });
  });

  it('lists every DNS record to create as an output: MX to SES inbound, three DKIM CNAMEs, DMARC, the portal', () => {
    const identity = stack.getLogicalId(stack.email.identities[0]?.node.defaultChild as never);
    const records = dnsOutputs(full);

    expect(records).toEqual([
      'help.example.com MX 10 inbound-smtp.eu-west-1.amazonaws.com',
      ...[1, 2, 3].map((n) => ({
        'Fn::Join': [
          ' ',
          [
            { 'Fn::GetAtt': [identity, `DkimDNSTokenName${n}`] },
            'CNAME',
            { 'Fn::GetAtt': [identity, `DkimDNSTokenValue${n}`] },
          ],
        ],
      })),
      '_dmarc.help.example.com TXT "v=DMARC1; p=none"',
      {
        'Fn::Join': [
          ' ',
          [
            'servicedesk.example.com CNAME',
            {
              'Fn::GetAtt': [
                stack.getLogicalId(stack.portal.distribution.node.defaultChild as never),
                'DomainName',
              ],
            },
          ],
        ],
      },
    ]);
    expect(dnsOutputs(minimal)[0]).toBe('dev.help.example.com MX 10 inbound-smtp.eu-west-1.amazonaws.com');
    expect(dnsOutputs(minimal)).toHaveLength(5);
  });

  it('serves the portal on the custom domain with the us-east-1 certificate and TLS 1.2', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['servicedesk.example.com'],
        ViewerCertificate: Match.objectLike({
          AcmCertificateArn: config.portal?.certificateArn,
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        }),
      }),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: ['https://servicedesk.example.com/auth/callback'],
    });
  });

  it('federates Entra ID over SAML and Okta over OIDC, mapping email and groups, with no client secret in the template', () => {
    const providers = ofType('AWS::Cognito::UserPoolIdentityProvider').map(([, p]) => p.Properties);
    const [saml, oidc] = providers;

    expect(providers.map((p) => [p.ProviderName, p.ProviderType])).toEqual([
      ['EntraID', 'SAML'],
      ['Okta', 'OIDC'],
    ]);
    expect(saml?.AttributeMapping).toEqual({
      email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
      'custom:idp_groups': 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
    });
    expect(oidc?.AttributeMapping).toEqual({ email: 'email', 'custom:idp_groups': 'groups' });
    expect((oidc?.ProviderDetails as Record<string, unknown> | undefined)?.client_secret).toBe(
      '{{resolve:secretsmanager:spoke/prod/okta-client-secret:SecretString:::}}',
    );
    const [, client] = ofType('AWS::Cognito::UserPoolClient')[0] ?? [];
    expect(client?.Properties.SupportedIdentityProviders).toEqual(['COGNITO', 'EntraID', 'Okta']);
    expect(client?.Properties.WriteAttributes).toEqual(
      expect.arrayContaining(['email', 'custom:idp_groups']),
    );
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith([Match.objectLike({ Name: 'idp_groups', Mutable: true })]),
    });
  });

  it('maps IdP groups to Spoke groups with a pre token generation trigger configured from the config', () => {
    const trigger = stack.auth.preTokenGeneration;
    expect(trigger).toBeDefined();
    const fnId = stack.getLogicalId(trigger?.node.defaultChild as never);

    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { PreTokenGeneration: { 'Fn::GetAtt': [fnId, 'Arn'] } },
    });
    const variables = (
      resources[fnId]?.Properties.Environment as { Variables: Record<string, string> } | undefined
    )?.Variables;
    expect(JSON.parse(variables?.GROUP_MAPPING ?? '')).toEqual(config.auth.federation?.groups);
    expect(minimal.stack.auth.preTokenGeneration).toBeUndefined();
    minimal.template.resourceCountIs('AWS::Cognito::UserPoolIdentityProvider', 0);
  });

  it('expires raw mail after retention.rawMailDays and its old versions 30 days later, on a versioned bucket', () => {
    const bucketId = stack.getLogicalId(stack.email.rawMail.node.defaultChild as never);
    const bucket = resources[bucketId]?.Properties as Record<string, unknown>;

    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.LifecycleConfiguration).toEqual({
      Rules: expect.arrayContaining([
        expect.objectContaining({
          Prefix: 'raw/',
          ExpirationInDays: config.retention.rawMailDays,
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          Status: 'Enabled',
        }),
      ]),
    });
    const minimalBucket = minimal.stack.getLogicalId(minimal.stack.email.rawMail.node.defaultChild as never);
    expect(JSON.stringify(minimal.resources[minimalBucket]?.Properties.LifecycleConfiguration)).toContain(
      '"ExpirationInDays":365',
    );
  });

  it('gives every function that touches tickets the business hours and time zone', () => {
    for (const fn of [stack.api.handler, stack.email.handler, stack.housekeeping.handler]) {
      const id = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
      expect(
        (resources[id]?.Properties.Environment as { Variables: Record<string, unknown> } | undefined)
          ?.Variables,
      ).toMatchObject({ TIME_ZONE: 'Europe/Dublin', BUSINESS_HOURS: 'mon,tue,wed,thu,fri 08:00-18:00' });
    }
  });

  it('names its stack and every named resource after the stage (and instance)', () => {
    expect(full.stack.stackName).toBe('Spoke-prod');
    expect(minimal.stack.stackName).toBe('Spoke-dev');
    minimal.template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: 'spoke-dev-eu-west-1-health',
    });
    expect(minimal.stack.account).toBe(minimal.config.account);
    expect(minimal.stack.region).toBe(minimal.config.region);
  });
});

describe('the cost model’s fixed parts', () => {
  it('counts the alarms, Spoke metrics and KMS keys the full config deploys', () => {
    const { assumptions } = loadCostData();

    expect(assumptions.alarms).toBe(ofType('AWS::CloudWatch::Alarm').length);
    expect(assumptions.customMetrics).toBe(businessMetrics.length);
    expect(assumptions.kmsKeys).toBe(ofType('AWS::KMS::Key').length);
    expect(assumptions.dashboards).toBe(ofType('AWS::CloudWatch::Dashboard').length);
  });
});

describe('SpokeStack telemetry', () => {
  it('loads Powertools from the AWS layer of the installed release, and names each deployment’s service after its stack', () => {
    const parameters = template.toJSON().Parameters as Record<string, { Type: string; Default: string }>;
    const [layerParameter] = Object.entries(parameters).filter(([, p]) =>
      p.Default.startsWith('/aws/service/powertools/typescript/generic/all/'),
    );
    const functions = stack.node.findAll().filter((c) => c instanceof SpokeFunction);

    expect(layerParameter?.[1]).toEqual({
      Type: 'AWS::SSM::Parameter::Value<String>',
      Default: `/aws/service/powertools/typescript/generic/all/${powertoolsVersion()}`,
    });
    expect(powertoolsVersion()).toMatch(/^2\.\d+\.\d+$/);
    for (const fn of functions) {
      const id = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
      expect(resources[id]?.Properties, id).toMatchObject({
        Layers: [{ Ref: layerParameter?.[0] }],
        Environment: { Variables: expect.objectContaining({ POWERTOOLS_SERVICE_NAME: 'Spoke-prod' }) },
      });
    }
    expect(externalModules).toEqual(['@aws-sdk/*', '@aws-lambda-powertools/*']);
  });

  it('shows tickets created, mails processed and quarantined, approvals and errors on the dashboard', () => {
    const [[, dashboard] = []] = ofType('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(stack.resolve(dashboard?.Properties.DashboardBody));

    for (const metric of businessMetrics) {
      expect(body).toContain(`\\"Spoke\\",\\"${metric}\\",\\"service\\",\\"Spoke-prod\\"`);
    }
    expect(body).toContain('ExecutionsSucceeded');
  });
});
