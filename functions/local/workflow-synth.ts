import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { parseConfig, type SpokeConfig } from '#infra/config.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';
import { SpokeFunction } from '#infra/spoke-function.ts';
import { LOCAL_ACCOUNT, type SynthesizedWorkflow } from './workflow-runner.ts';

/**
 * The synthesis half of the local workflow runner: builds the CDK app and takes the change
 * approval ASL from the template. It pulls in aws-cdk-lib, so the local cloud runs it in a
 * child process (`node functions/local/workflow-synth.ts` prints the result as JSON) and keeps
 * the result until the infrastructure code changes.
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
  },
  'functions/local/workflow-runner.ts',
);

/**
 * Synthesizes the Spoke app without bundling or cdk-nag and returns the change approval ASL,
 * resolved, with the handler module of each Lambda function by logical id.
 */
export function synthesizeChangeApproval(config: SpokeConfig = localConfig): SynthesizedWorkflow {
  const outdir = mkdtempSync(join(tmpdir(), 'spoke-workflows-'));
  try {
    const { app, stack } = createSpokeApp({
      config,
      nag: false,
      outdir,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const template = app.synth().getStackByName(stack.stackName).template as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    const logicalId = stack.getLogicalId(stack.workflows.changeApproval.node.defaultChild as CfnStateMachine);
    const functionEntries = new Map(
      stack.node
        .findAll()
        .filter((construct) => construct instanceof SpokeFunction)
        .map((fn) => [stack.getLogicalId(fn.node.defaultChild as CfnFunction), fn.entry]),
    );
    const resolve = intrinsicResolver(template.Resources, { region: stack.region, account: config.account });
    const definitionString = template.Resources[logicalId]?.Properties?.DefinitionString;
    if (definitionString === undefined) throw new Error(`The template has no state machine ${logicalId}`);
    const definition = JSON.parse(String(resolve(definitionString))) as StateMachineDefinition;
    const stateMachineName = String(template.Resources[logicalId]?.Properties?.StateMachineName ?? logicalId);
    const lambdaEntries = new Map(
      [...functionEntries].map(([id, entry]) => [resolve({ 'Fn::GetAtt': [id, 'Arn'] }), entry]),
    );
    return {
      definition,
      source: { stackName: stack.stackName, logicalId },
      functionEntries: Object.fromEntries(lambdaEntries) as Record<string, string>,
      region: stack.region,
      stateMachineName,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Resolves the CloudFormation intrinsics CDK puts into a definition string to local values. */
function intrinsicResolver(
  resources: Record<string, { Type: string }>,
  { region, account }: { region: string; account: string },
): (value: unknown) => unknown {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const arn = (logicalId: string): string => {
    const type = resources[logicalId]?.Type;
    if (type === 'AWS::Lambda::Function') return `arn:aws:lambda:${region}:${account}:function:${logicalId}`;
    if (!type) throw new Error(`The definition refers to ${logicalId}, which is not in the template`);
    return `arn:aws:${type.split('::')[1]?.toLowerCase()}:${region}:${account}:${logicalId}`;
  };
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string' || typeof value === 'number') return value;
    if (Array.isArray(value)) return value.map(resolve);
    const [[fn, args] = []] = Object.entries(value as object);
    if (fn === 'Fn::Join') {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    if (fn === 'Fn::GetAtt' && (args as string[])[1] === 'Arn') return arn((args as string[])[0] ?? '');
    if (fn === 'Ref') return pseudo[args as string] ?? args;
    throw new Error(`The local workflow runner cannot resolve ${JSON.stringify(value)}`);
  };
  return resolve;
}

if (import.meta.main) process.stdout.write(JSON.stringify(synthesizeChangeApproval()));
