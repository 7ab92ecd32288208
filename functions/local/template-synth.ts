import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CfnResource } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { IConstruct } from 'constructs';
import { parseConfig, type SpokeConfig } from '#infra/config.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';
import { projectRoot, SpokeFunction } from '#infra/spoke-function.ts';
import {
  ISSUER_PLACEHOLDER,
  LOCAL_ACCOUNT,
  LOCAL_CLIENT_ID,
  type LocalTemplate,
  PORTAL_PLACEHOLDER_ORIGIN,
  type TemplateBucket,
  type TemplateFunction,
  type TemplateRoute,
  type TemplateSchedule,
  type TemplateScheduler,
  type TemplateStreamMapping,
  type Throttle,
} from './local-template.ts';
import { asyncDelivery, readEventRules } from './template-events.ts';

/**
 * The synthesis half of the local cloud: builds the CDK app for {@link localConfig} and reads
 * the template into a {@link LocalTemplate}. It pulls in aws-cdk-lib, so the local cloud runs it
 * in a child process (`node functions/local/template-synth.ts` prints the result as JSON) and
 * keeps the result until the infrastructure code changes (`local-template.ts`).
 */

/** The config the local cloud synthesizes the stack from: nothing in it reaches AWS. */
export const localConfig: SpokeConfig = parseConfig(
  {
    stage: 'local',
    account: LOCAL_ACCOUNT,
    region: 'us-east-1',
    company: { name: 'Spoke local' },
    support: { addresses: ['support@spoke.localhost'], mailFrom: 'support@spoke.localhost' },
    auth: { domainPrefix: 'spoke-local' },
    retention: { logDays: 1 },
    // The demo's change board: Morgan owns the services the seeded changes touch.
    changes: { serviceOwners: { Email: 'morgan.manager@example.com', VPN: 'morgan.manager@example.com' } },
    // A demo pipeline for `npm run pipeline:fake`: its deployments are Wi-Fi firmware standard changes.
    release: { pipelines: [{ name: 'wifi-firmware-rollout', template: 'wifi-firmware', windowMinutes: 30 }] },
    // AWS Config discovery is on locally (no recorder to pay for): `npm run cmdb:replay` feeds it.
    cmdb: { discovery: { enabled: true } },
    // Cloud operations with everything on: CloudTrail checks (the demo pipeline's role let
    // through), and the on-call address mailed when an incident opens.
    cloudOperations: {
      cloudTrail: {
        enabled: true,
        allowPrincipals: ['arn:aws:iam::123456789012:role/spoke-deploy-pipeline'],
      },
      incidents: { notify: { addresses: ['oncall@example.com'] } },
    },
    // The demo's manager gets the monthly report mail (in a month's first week).
    reporting: { monthlyReportTo: ['morgan.manager@example.com'] },
  },
  'functions/local/template-synth.ts',
);

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Resources = Record<string, Resource>;

/** Synthesizes the Spoke app without bundling or cdk-nag and reads what the local cloud runs from it. */
export function synthesizeLocalTemplate(config: SpokeConfig = localConfig): LocalTemplate {
  const outdir = mkdtempSync(join(tmpdir(), 'spoke-template-'));
  try {
    const { app, stack } = createSpokeApp({
      config,
      nag: false,
      outdir,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const resources = (app.synth().getStackByName(stack.stackName).template as { Resources: Resources })
      .Resources;
    const entries = new Map(
      stack.node
        .findAll()
        .filter((construct) => construct instanceof SpokeFunction)
        .map((fn) => [
          stack.getLogicalId(fn.node.defaultChild as CfnFunction),
          relative(projectRoot, fn.entry),
        ]),
    );
    // Buckets without a name get `<stack>-<construct path>` locally: readable and stable.
    const bucketNames = new Map(
      stack.node
        .findAll()
        .filter((c): c is CfnResource => c instanceof CfnResource && c.cfnResourceType === 'AWS::S3::Bucket')
        .map((bucket) => [
          stack.getLogicalId(bucket),
          `${stack.stackName}-${(bucket.node.scope?.node.path ?? bucket.node.path).split('/').slice(1).join('-')}`.toLowerCase(),
        ]),
    );
    const resolve = localResolver(resources, { region: stack.region, account: config.account, bucketNames });
    const ofType = (type: string) =>
      Object.entries(resources).filter(([, resource]) => resource.Type === type) as [
        string,
        Resource & { Properties: Record<string, unknown> },
      ][];
    const one = (type: string) => {
      const found = ofType(type);
      if (found.length !== 1)
        throw new Error(`The local cloud expects one ${type}, the template has ${found.length}`);
      return found[0] as [string, Resource & { Properties: Record<string, unknown> }];
    };

    const functions: Record<string, TemplateFunction> = {};
    for (const [logicalId, entry] of entries) {
      const props = resources[logicalId]?.Properties ?? {};
      const variables =
        (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      functions[logicalId] = {
        logicalId,
        entry,
        arn: String(resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] })),
        environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(resolve(v))])),
        timeoutSeconds: Number(props.Timeout ?? 3),
        memoryMb: Number(props.MemorySize ?? 128),
        ...asyncDelivery(logicalId, props, { ofType, resolve }),
      };
    }
    const functionOf = (arn: unknown, what: string): string => {
      const id = Object.values(functions).find((fn) => fn.arn === resolve(arn))?.logicalId;
      if (!id) throw new Error(`${what} invokes ${JSON.stringify(arn)}, which is not a SpokeFunction`);
      return id;
    };

    const [apiId] = one('AWS::ApiGatewayV2::Api');
    const authorizers = Object.fromEntries(
      ofType('AWS::ApiGatewayV2::Authorizer').map(([id, { Properties: p }]) => {
        const jwt = p.JwtConfiguration as { Issuer: unknown; Audience: unknown[] };
        if (p.AuthorizerType !== 'JWT') throw new Error(`Authorizer ${id} is not a JWT authorizer`);
        return [
          id,
          { issuer: String(resolve(jwt.Issuer)), audience: jwt.Audience.map((a) => String(resolve(a))) },
        ];
      }),
    );
    const integrations = Object.fromEntries(
      ofType('AWS::ApiGatewayV2::Integration').map(([id, { Properties: p }]) => {
        if (p.IntegrationType !== 'AWS_PROXY' || p.PayloadFormatVersion !== '2.0')
          throw new Error(`Integration ${id} is not a Lambda proxy with payload 2.0`);
        return [id, functionOf(p.IntegrationUri, `Integration ${id}`)];
      }),
    );
    const routes: TemplateRoute[] = ofType('AWS::ApiGatewayV2::Route').map(([id, { Properties: p }]) => {
      const integration = String(resolve(p.Target)).replace(/^integrations\//, '');
      const functionId = integrations[integration];
      if (!functionId) throw new Error(`Route ${id} targets ${integration}, not a Lambda integration`);
      const authorizer =
        p.AuthorizationType === 'JWT' ? authorizers[String(resolve(p.AuthorizerId))] : undefined;
      if (p.AuthorizationType === 'JWT' && !authorizer)
        throw new Error(`Route ${id} names an unknown authorizer`);
      if (p.AuthorizationType !== 'JWT' && (p.AuthorizationType ?? 'NONE') !== 'NONE')
        throw new Error(`Route ${id} uses ${String(p.AuthorizationType)}, which the local gateway lacks`);
      return { routeKey: String(p.RouteKey), functionId, ...(authorizer ? { authorizer } : {}) };
    });
    const [, stage] = one('AWS::ApiGatewayV2::Stage');
    const throttleOf = (settings: unknown): Throttle | undefined => {
      const s = settings as { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number } | undefined;
      return s?.ThrottlingRateLimit === undefined || s.ThrottlingBurstLimit === undefined
        ? undefined
        : { rateLimit: s.ThrottlingRateLimit, burstLimit: s.ThrottlingBurstLimit };
    };
    const defaultThrottle = throttleOf(stage.Properties.DefaultRouteSettings);
    const routeThrottles = Object.fromEntries(
      Object.entries((stage.Properties.RouteSettings as Record<string, unknown> | undefined) ?? {}).flatMap(
        ([key, settings]) => {
          const throttle = throttleOf(settings);
          return throttle ? [[key, throttle]] : [];
        },
      ),
    );

    const [, client] = one('AWS::Cognito::UserPoolClient');
    const urls = (value: unknown) =>
      ((value as unknown[] | undefined) ?? []).map((url) => String(resolve(url)));

    const eventRules = readEventRules({ ofType, resolve, functionOf });

    const unitSeconds: Record<string, number> = {
      minute: 60,
      minutes: 60,
      hour: 3600,
      hours: 3600,
      day: 86400,
      days: 86400,
    };
    const schedules: TemplateSchedule[] = ofType('AWS::Events::Rule')
      .filter(([, { Properties: p }]) => p.ScheduleExpression !== undefined)
      .map(([id, { Properties: p }]) => {
        const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(String(p.ScheduleExpression));
        if (!rate)
          throw new Error(
            `Schedule ${id} is ${String(p.ScheduleExpression)}; the local cloud runs rate(…) only`,
          );
        return {
          logicalId: id,
          everySeconds: Number(rate[1]) * (unitSeconds[rate[2] as string] ?? 60),
          functionIds: (p.Targets as { Arn: unknown }[]).map((target) =>
            functionOf(target.Arn, `Schedule ${id}`),
          ),
        };
      });

    const schedulerRoleIds = ofType('AWS::IAM::Role')
      .filter(([, { Properties: p }]) =>
        JSON.stringify(p.AssumeRolePolicyDocument ?? {}).includes('"scheduler.amazonaws.com"'),
      )
      .map(([id]) => id);
    const scheduler: TemplateScheduler = {
      groupNames: ofType('AWS::Scheduler::ScheduleGroup').map(([id, { Properties: p }]) =>
        String(p.Name ?? id),
      ),
      roles: Object.fromEntries(
        schedulerRoleIds.map((roleId) => {
          const invokes = ofType('AWS::IAM::Policy')
            .filter(([, { Properties: p }]) =>
              ((p.Roles as unknown[] | undefined) ?? []).some(
                (r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }),
              ),
            )
            .flatMap(
              ([, { Properties: p }]) =>
                (p.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
            )
            .filter((st) => [st.Action].flat().includes('lambda:InvokeFunction'))
            .flatMap((st) => [st.Resource].flat().map((r) => functionOf(r, `Scheduler role ${roleId}`)));
          return [String(resolve({ 'Fn::GetAtt': [roleId, 'Arn'] })), invokes];
        }),
      ),
    };

    // DynamoDB stream → Lambda event source mappings, polled locally from DynamoDB Local's stream.
    const streamMappings: TemplateStreamMapping[] = ofType('AWS::Lambda::EventSourceMapping').map(
      ([id, { Properties: p }]) => {
        const source = p.EventSourceArn as { 'Fn::GetAtt'?: [string, string] } | undefined;
        const [tableId, attribute] = source?.['Fn::GetAtt'] ?? [];
        const functionRef = (p.FunctionName as { Ref?: string } | undefined)?.Ref;
        if (!tableId || attribute !== 'StreamArn' || !functionRef || !functions[functionRef])
          throw new Error(`Event source mapping ${id} is not a table stream into a SpokeFunction`);
        const filters = (p.FilterCriteria as { Filters?: { Pattern: string }[] } | undefined)?.Filters ?? [];
        return {
          logicalId: id,
          table: String(resolve({ Ref: tableId })),
          functionId: functionRef,
          batchSize: Number(p.BatchSize ?? 100),
          startingPosition: p.StartingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
          filters: filters.map((f) => f.Pattern),
          maximumRetryAttempts: Number(p.MaximumRetryAttempts ?? 0),
        };
      },
    );

    const [ruleId, receipt] = one('AWS::SES::ReceiptRule');
    const actions = (
      receipt.Properties.Rule as { Actions: Record<string, Record<string, unknown>>[]; Recipients: string[] }
    ).Actions;
    const s3Action = actions.find((action) => action.S3Action)?.S3Action;
    const lambdaAction = actions.find((action) => action.LambdaAction)?.LambdaAction;
    if (!s3Action || !lambdaAction) throw new Error(`Receipt rule ${ruleId} lacks its S3 or Lambda action`);

    const buckets: TemplateBucket[] = ofType('AWS::S3::Bucket').map(([id, { Properties: p }]) => ({
      name: String(resolve({ Ref: id })),
      cors: (
        (p.CorsConfiguration as { CorsRules?: Record<string, unknown>[] } | undefined)?.CorsRules ?? []
      ).map((rule) => ({
        allowedOrigins: urls(rule.AllowedOrigins),
        allowedMethods: urls(rule.AllowedMethods),
        allowedHeaders: urls(rule.AllowedHeaders),
        exposedHeaders: urls(rule.ExposedHeaders),
        ...(rule.MaxAge === undefined ? {} : { maxAge: Number(rule.MaxAge) }),
      })),
    }));

    const functionsByArn = Object.fromEntries(Object.values(functions).map((fn) => [fn.arn, fn.logicalId]));
    const workflowOf = (node: IConstruct) => {
      const machineId = stack.getLogicalId(node.node.defaultChild as CfnStateMachine);
      const machine = resources[machineId]?.Properties ?? {};
      if (machine.DefinitionString === undefined)
        throw new Error(`The template has no state machine ${machineId}`);
      return {
        definition: JSON.parse(String(resolve(machine.DefinitionString))) as StateMachineDefinition,
        source: { stackName: stack.stackName, logicalId: machineId },
        functionsByArn,
        region: stack.region,
        stateMachineName: String(machine.StateMachineName ?? machineId),
      };
    };
    return {
      stackName: stack.stackName,
      region: stack.region,
      functions,
      httpApi: {
        logicalId: apiId,
        routes,
        ...(defaultThrottle ? { throttle: defaultThrottle } : {}),
        routeThrottles,
      },
      portalClient: {
        clientId: LOCAL_CLIENT_ID,
        callbackUrls: urls(client.Properties.CallbackURLs),
        logoutUrls: urls(client.Properties.LogoutURLs),
      },
      eventRules,
      schedules,
      streamMappings,
      scheduler,
      receiptRule: {
        recipients: (receipt.Properties.Rule as { Recipients: string[] }).Recipients,
        bucket: String(resolve(s3Action.BucketName)),
        prefix: String(s3Action.ObjectKeyPrefix ?? ''),
        functionId: functionOf(lambdaAction.FunctionArn, `Receipt rule ${ruleId}`),
      },
      eventBuses: ofType('AWS::Events::EventBus').map(([id]) => String(resolve({ Ref: id }))),
      tables: [...ofType('AWS::DynamoDB::GlobalTable'), ...ofType('AWS::DynamoDB::Table')].map(([id]) =>
        String(resolve({ Ref: id })),
      ),
      buckets,
      parameters: Object.fromEntries(
        ofType('AWS::SSM::Parameter').map(([id, { Properties: p }]) => [
          String(resolve({ Ref: id })),
          String(p?.Value ?? ''),
        ]),
      ),
      workflow: workflowOf(stack.workflows.changeApproval),
      catalogWorkflow: workflowOf(stack.catalog.requestWorkflow),
      releaseWorkflow: workflowOf(stack.release.goNoGo),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Resolves the CloudFormation intrinsics of the template to local values, by the rules in
 * `local-template.ts`. Anything it does not know fails synthesis with the value, so a template
 * change the local cloud cannot follow stops `npm start` instead of running on a guess.
 */
function localResolver(
  resources: Resources,
  { region, account, bucketNames }: { region: string; account: string; bucketNames: Map<string, string> },
): (value: unknown) => unknown {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const typeOf = (logicalId: string): string => {
    const type = resources[logicalId]?.Type;
    if (!type) throw new Error(`The template refers to ${logicalId}, which it does not define`);
    return type;
  };
  const property = (logicalId: string, name: string) => resources[logicalId]?.Properties?.[name];
  const arn = (logicalId: string): string => {
    const type = typeOf(logicalId);
    if (type === 'AWS::Lambda::Function') return `arn:aws:lambda:${region}:${account}:function:${logicalId}`;
    if (type === 'AWS::StepFunctions::StateMachine')
      return `arn:aws:states:${region}:${account}:stateMachine:${String(property(logicalId, 'StateMachineName') ?? logicalId)}`;
    if (type === 'AWS::KMS::Key') return `arn:aws:kms:${region}:${account}:key/${logicalId}`;
    return `arn:aws:${type.split('::')[1]?.toLowerCase()}:${region}:${account}:${logicalId}`;
  };
  const ref = (logicalId: string): string => {
    if (pseudo[logicalId]) return pseudo[logicalId];
    const type = typeOf(logicalId);
    const named: Record<string, string> = {
      'AWS::DynamoDB::GlobalTable': 'TableName',
      'AWS::DynamoDB::Table': 'TableName',
      'AWS::Events::EventBus': 'Name',
      'AWS::SES::ConfigurationSet': 'Name',
      'AWS::SES::ReceiptRuleSet': 'RuleSetName',
    };
    const nameProperty = named[type];
    if (nameProperty) {
      const name = property(logicalId, nameProperty);
      if (typeof name !== 'string') throw new Error(`${logicalId} (${type}) has no literal ${nameProperty}`);
      return name;
    }
    if (type === 'AWS::S3::Bucket') {
      const name = property(logicalId, 'BucketName') ?? bucketNames.get(logicalId);
      if (typeof name !== 'string') throw new Error(`Bucket ${logicalId} has no local name`);
      return name;
    }
    if (type === 'AWS::StepFunctions::StateMachine') return arn(logicalId);
    // An SSM parameter's generated name, served to the functions by the local parameter store.
    if (type === 'AWS::SSM::Parameter') return `/spoke-local/${logicalId}`;
    // A secret's ARN: its dynamic reference stays a placeholder (the API's origin check is off locally).
    if (type === 'AWS::SecretsManager::Secret')
      return `arn:aws:secretsmanager:${region}:${account}:secret:${logicalId}`;
    if (type === 'AWS::Cognito::UserPoolClient') return LOCAL_CLIENT_ID;
    if (type.startsWith('AWS::ApiGatewayV2::')) return logicalId;
    throw new Error(`The local cloud has no local value for a Ref to ${logicalId} (${type})`);
  };
  const getAtt = (logicalId: string, attribute: string): string => {
    const type = typeOf(logicalId);
    if (type === 'AWS::CloudFront::Distribution' && attribute === 'DomainName')
      return new URL(PORTAL_PLACEHOLDER_ORIGIN).host;
    if (type === 'AWS::Cognito::UserPool' && attribute === 'ProviderURL') return ISSUER_PLACEHOLDER;
    if (attribute === 'Arn') return arn(logicalId);
    throw new Error(`The local cloud has no local value for ${logicalId}.${attribute} (${type})`);
  };
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    if (Array.isArray(value)) return value.map(resolve);
    const [[fn, args] = []] = Object.entries(value as object);
    if (fn === 'Fn::Join') {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    if (fn === 'Fn::GetAtt') {
      const [logicalId = '', attribute = ''] =
        typeof args === 'string' ? args.split('.') : (args as string[]);
      return getAtt(logicalId, attribute);
    }
    if (fn === 'Ref') return ref(args as string);
    throw new Error(`The local cloud cannot resolve ${JSON.stringify(value)}`);
  };
  return resolve;
}

if (import.meta.main) process.stdout.write(JSON.stringify(synthesizeLocalTemplate()));
