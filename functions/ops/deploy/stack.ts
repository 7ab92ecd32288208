import {
  type CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { type CheckResult, couldNotCheck, errorName, fix, ok } from './check.ts';

/** A Spoke stack as CloudFormation knows it: its status, outputs and what it owns. */
export interface DeployedStack {
  readonly name: string;
  readonly status: string;
  readonly description?: string;
  readonly outputs: Readonly<Record<string, string>>;
  /** Physical ids of the stack's resources, by resource type (`AWS::SES::EmailIdentity` → domains). */
  readonly resources: Readonly<Record<string, readonly string[]>>;
}

const outputsOf = (stack: Stack): Record<string, string> =>
  Object.fromEntries(
    (stack.Outputs ?? []).flatMap((o) =>
      o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [],
    ),
  );

/** CloudFormation answers a missing stack with a ValidationError "Stack with id … does not exist". */
const isMissingStack = (error: unknown) =>
  errorName(error) === 'ValidationError' && /does not exist/.test((error as Error).message);

/** The stack's status and outputs, or undefined when it does not exist (a first deploy). */
export async function describeStack(
  cloudFormation: Pick<CloudFormationClient, 'send'>,
  stackName: string,
): Promise<Omit<DeployedStack, 'resources'> | undefined> {
  try {
    const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const [stack] = Stacks;
    if (!stack) return undefined;
    return {
      name: stack.StackName ?? stackName,
      status: stack.StackStatus ?? 'UNKNOWN',
      ...(stack.Description ? { description: stack.Description } : {}),
      outputs: outputsOf(stack),
    };
  } catch (error) {
    if (isMissingStack(error)) return undefined;
    throw error;
  }
}

/** The stack with the physical ids of everything it owns, or undefined on a first deploy. */
export async function readStack(
  cloudFormation: Pick<CloudFormationClient, 'send'>,
  stackName: string,
): Promise<DeployedStack | undefined> {
  const stack = await describeStack(cloudFormation, stackName);
  if (!stack) return undefined;
  const resources: Record<string, string[]> = {};
  let NextToken: string | undefined;
  do {
    const page = await cloudFormation.send(
      new ListStackResourcesCommand({ StackName: stackName, NextToken }),
    );
    for (const resource of page.StackResourceSummaries ?? []) {
      if (!resource.ResourceType || !resource.PhysicalResourceId) continue;
      resources[resource.ResourceType] = [
        ...(resources[resource.ResourceType] ?? []),
        resource.PhysicalResourceId,
      ];
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return { ...stack, resources };
}

/**
 * Every Spoke stack in the region (their description starts "Spoke service desk"), for commands
 * that may be run without a config file.
 */
export async function listSpokeStacks(
  cloudFormation: Pick<CloudFormationClient, 'send'>,
): Promise<Omit<DeployedStack, 'resources'>[]> {
  const found: Omit<DeployedStack, 'resources'>[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cloudFormation.send(new DescribeStacksCommand({ NextToken }));
    for (const stack of page.Stacks ?? []) {
      if (!stack.Description?.startsWith('Spoke service desk') || stack.StackStatus === 'DELETE_COMPLETE') {
        continue;
      }
      found.push({
        name: stack.StackName ?? '',
        status: stack.StackStatus ?? 'UNKNOWN',
        description: stack.Description,
        outputs: outputsOf(stack),
      });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
}

/**
 * Whether CloudFormation will take a deploy of the stack now: not while another operation runs,
 * and not from a failed rollback (which needs a hand first).
 */
export function checkStackState(
  stackName: string,
  region: string,
  stack: Pick<DeployedStack, 'status'> | undefined | Error,
): CheckResult {
  const name = 'stack';
  if (stack instanceof Error)
    return couldNotCheck(name, `cloudformation:DescribeStacks on ${stackName}`, stack);
  if (!stack) return ok(name, `${stackName} does not exist yet: this is its first deploy`);
  const { status } = stack;
  if (status.endsWith('_IN_PROGRESS')) {
    return fix(
      name,
      `${stackName} is ${status}: wait until it ends (aws cloudformation wait stack-update-complete --stack-name ${stackName} --region ${region}), then deploy`,
    );
  }
  if (status === 'UPDATE_ROLLBACK_FAILED') {
    return fix(
      name,
      `${stackName} is UPDATE_ROLLBACK_FAILED: fix the resource named in its events, then aws cloudformation continue-update-rollback --stack-name ${stackName} --region ${region}`,
    );
  }
  if (status === 'ROLLBACK_COMPLETE' || status === 'ROLLBACK_FAILED' || status === 'DELETE_FAILED') {
    return fix(
      name,
      `${stackName} is ${status} after a failed first deploy: delete it (aws cloudformation delete-stack --stack-name ${stackName} --region ${region}), remove what it retained (docs/uninstall.md), then deploy again`,
    );
  }
  return ok(name, `${stackName} is ${status}: this deploy updates it`);
}
