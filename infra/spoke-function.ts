import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  type CfnFunction,
  type ILayerVersion,
  LayerVersion,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import type { TableDefinition } from '#adapters/dynamodb/table-definition.ts';

/** The repository root: handler entries are given relative to it. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The Powertools for AWS Lambda version the functions are built and tested with: the one the
 * lockfile installed. Logger and Metrics come from the same release.
 */
export function powertoolsVersion(): string {
  const versions = ['logger', 'metrics'].map(
    (name) =>
      (
        JSON.parse(
          readFileSync(
            resolve(projectRoot, `node_modules/@aws-lambda-powertools/${name}/package.json`),
            'utf8',
          ),
        ) as { version: string }
      ).version,
  );
  if (new Set(versions).size !== 1)
    throw new Error(`Powertools packages differ in version: ${versions.join(', ')}`);
  return versions[0] as string;
}

/** The public SSM parameter AWS keeps the Powertools layer ARN of one release in, in every commercial region. */
export const powertoolsLayerParameter = (version: string): string =>
  `/aws/service/powertools/typescript/generic/all/${version}`;

/**
 * The Powertools for AWS Lambda (TypeScript) layer that AWS publishes, once per stack, for the
 * release in the lockfile (resolved from SSM at deploy time). Functions load Logger and Metrics
 * from it, as they load the AWS SDK from the runtime, so neither weighs on their bundles.
 */
function powertoolsLayer(scope: Construct): ILayerVersion {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild('PowertoolsLayer') as ILayerVersion | undefined;
  if (existing) return existing;
  return LayerVersion.fromLayerVersionArn(
    stack,
    'PowertoolsLayer',
    StringParameter.valueForStringParameter(stack, powertoolsLayerParameter(powertoolsVersion())),
  );
}

/** Left out of every bundle: the runtime provides the SDK, the Powertools layer Logger and Metrics. */
export const externalModules = ['@aws-sdk/*', '@aws-lambda-powertools/*'];

/** The CloudWatch namespace of Spoke's own metrics (tickets created, mails processed, …). */
export const METRICS_NAMESPACE = 'Spoke';

/** A deployed table together with the definition it was made from (which knows its indexes). */
export interface SpokeTable {
  readonly table: ITableV2;
  readonly definition: TableDefinition;
}

export type TableAccess = 'read' | 'readWrite';

const tableActions: Record<TableAccess, readonly string[]> = {
  read: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
  ],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
};

const objectActions: Record<TableAccess, readonly string[]> = {
  read: ['s3:GetObject'],
  readWrite: ['s3:GetObject', 's3:PutObject'],
};

export interface SpokeFunctionProps<Env extends Record<string, string>> {
  /** The handler module, relative to the repository root, e.g. `functions/handlers/api.ts`. It exports `handler`. */
  readonly entry: string;
  /** The function's environment, typed by its zod env schema in `functions/config/env.ts`. */
  readonly environment: Env;
  readonly description: string;
  /** How long CloudWatch keeps the function's logs (from the account config). */
  readonly logRetention: RetentionDays;
  /** @default Duration.seconds(29), just under the HTTP API integration limit */
  readonly timeout?: Duration;
  /** @default 1024 */
  readonly memorySize?: number;
  /** Where failed asynchronous invocations go after `retryAttempts`. */
  readonly deadLetterQueue?: IQueue;
  /** Retries of a failed asynchronous invocation. @default 2 (the Lambda default) */
  readonly retryAttempts?: number;
}

/**
 * The one Lambda construct of Spoke. It fixes what every function shares (Node 24 on arm64,
 * local esbuild bundling to ESM, X-Ray, a log group with the account's retention, a role with
 * no managed policies) so a new function is a few lines and least privilege is one
 * `bindTable`/`bindBucket` call. It records its `entry`, which lets the local workflow runner
 * map a Lambda task in the synthesized ASL back to the handler module.
 */
export class SpokeFunction<
  Env extends Record<string, string> = Record<string, string>,
> extends NodejsFunction {
  /** Absolute path of the handler module this function bundles. */
  readonly entry: string;
  /** The role the function runs with; it starts with nothing but writing its own logs. */
  readonly executionRole: Role;

  constructor(scope: Construct, id: string, props: SpokeFunctionProps<Env>) {
    const entry = resolve(projectRoot, props.entry);
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.entry}`,
    });
    super(scope, id, {
      entry,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: resolve(projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      description: props.description,
      timeout: props.timeout ?? Duration.seconds(29),
      memorySize: props.memorySize ?? 1024,
      environment: {
        ...props.environment,
        NODE_OPTIONS: '--enable-source-maps',
        // Logs and metrics of one deployment share its stack name, unique in the account.
        POWERTOOLS_SERVICE_NAME: Stack.of(scope).stackName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      layers: [powertoolsLayer(scope)],
      logGroup,
      role,
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: props.retryAttempts,
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        externalModules,
        target: 'node24',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
    this.entry = entry;
    this.executionRole = role;
    logGroup.grantWrite(role);
    this.enableTracing();
  }

  /** Grants the table (and exactly its indexes) to this function: `read` or `readWrite` items. */
  bindTable({ table, definition }: SpokeTable, access: TableAccess): this {
    const indexArns = definition.globalIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`);
    this.executionRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...tableActions[access]], resources: [table.tableArn, ...indexArns] }),
    );
    return this;
  }

  /**
   * Grants objects under one key prefix of a bucket. An object ARN always ends in a key
   * pattern, so the resulting `<bucket>/<prefix>*` wildcard is acknowledged here, named exactly.
   */
  bindBucket(bucket: IBucket, access: TableAccess, keyPrefix: string): this {
    this.executionRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...objectActions[access]],
        resources: [bucket.arnForObjects(`${keyPrefix}*`)],
      }),
    );
    const bucketId = Stack.of(this).getLogicalId(bucket.node.defaultChild as CfnBucket);
    Validations.of(this.executionRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${keyPrefix}*]`,
      reason: `Object keys under ${keyPrefix} are generated per object; the prefix is the narrowest object ARN.`,
    });
    return this;
  }

  /** Enables X-Ray on the function, with its permissions in a policy of their own so the acknowledgement covers nothing else. */
  private enableTracing(): void {
    (this.node.defaultChild as CfnFunction).tracingConfig = { mode: 'Active' };
    const tracing = new Policy(this, 'Tracing', {
      roles: [this.executionRole],
      statements: [
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      ],
    });
    Validations.of(tracing).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
  }
}
