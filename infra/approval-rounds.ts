import { ArnFormat, type Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DefinitionBody,
  type IChainable,
  IntegrationPattern,
  JsonPath,
  LogLevel,
  QueryLanguage,
  type State,
  StateMachine,
  StateMachineType,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { nagPartition } from './spoke-function.ts';

/** How long each round of a wait lasts before the next: request → reminder → escalation → expiry. */
export interface ApprovalTimeouts {
  readonly reminderAfter: Duration;
  readonly escalateAfter: Duration;
  readonly expireAfter: Duration;
}

/**
 * The token wait every Spoke workflow uses for a person's answer (an approval, a fulfilment
 * task): three `.waitForTaskToken` rounds of the task function — request, reminder, escalation —
 * each with its `TimeoutSeconds`, a timeout leading to the next round and the last to
 * `expired`; an answer in any round goes on to `answered`. The function receives `payload`
 * plus the round and the task token, and the answer lands in `resultPath`. JSONPath only
 * (DESIGN §2: the local runner cannot execute JSONata).
 */
export function waitRounds(
  scope: Construct,
  name: string,
  props: {
    readonly fn: IFunction;
    readonly payload: Readonly<Record<string, unknown>>;
    readonly timeouts: ApprovalTimeouts;
    readonly resultPath: string;
    readonly answered: IChainable;
    readonly expired: IChainable;
  },
): State {
  const round = (roundName: string, round: string, timeout: Duration) =>
    new LambdaInvoke(scope, `${name}${roundName}`, {
      lambdaFunction: props.fn,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({ ...props.payload, round, taskToken: JsonPath.taskToken }),
      taskTimeout: Timeout.duration(timeout),
      resultPath: props.resultPath,
    });
  const request = round('Request', 'request', props.timeouts.reminderAfter);
  const reminder = round('Reminder', 'reminder', props.timeouts.escalateAfter);
  const escalation = round('Escalation', 'escalation', props.timeouts.expireAfter);
  const timedOut = { errors: ['States.Timeout'], resultPath: '$.timedOut' };
  request.addCatch(reminder, timedOut).next(props.answered);
  reminder.addCatch(escalation, timedOut).next(props.answered);
  escalation.addCatch(props.expired, timedOut).next(props.answered);
  return request;
}

/**
 * A Spoke workflow's Standard state machine (JSONPath) with its log group under
 * /aws/vendedlogs/ (named with the stack's id, so a group kept from an earlier stack never blocks
 * this one), every transition logged without the data (task inputs carry task tokens), X-Ray on,
 * and the cdk-nag acknowledgements its one task function and logging need. The construct ids
 * are the caller's, so existing stacks keep their logical ids.
 */
export function workflowStateMachine(
  scope: Construct,
  ids: { readonly machine: string; readonly logs: string },
  props: {
    readonly stateMachineName: string;
    readonly definition: IChainable;
    readonly task: IFunction;
    readonly logRetention: RetentionDays;
    readonly timeout: Duration;
  },
): StateMachine {
  const stack = Stack.of(scope);
  const logs = new LogGroup(scope, ids.logs, {
    logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}-${Fn.select(2, Fn.split('/', stack.stackId))}`,
    retention: props.logRetention,
    removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
  });
  const machine = new StateMachine(scope, ids.machine, {
    stateMachineName: props.stateMachineName,
    stateMachineType: StateMachineType.STANDARD,
    queryLanguage: QueryLanguage.JSON_PATH,
    definitionBody: DefinitionBody.fromChainable(props.definition),
    logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
    tracingEnabled: true,
    timeout: props.timeout,
  });
  const taskId = stack.getLogicalId(props.task.node.defaultChild as CfnFunction);
  Validations.of(machine.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${taskId}.Arn>:*]`,
    reason:
      'LambdaInvoke grants invoke on the task function and its versions and aliases (<arn>:*); it is one function.',
  });
  Validations.of(machine.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'CloudWatch Logs delivery (logs:CreateLogDelivery and friends) and X-Ray (xray:PutTraceSegments) support no resource-level permissions.',
  });
  return machine;
}

/**
 * Lets a function stop any execution of one state machine: executions are named at runtime, so
 * the grant is `<machine>:*`, acknowledged with `why`.
 */
export function grantStopExecutions(fn: IFunction, stateMachineName: string, why: string): void {
  const stack = Stack.of(fn);
  const executions = `${stateMachineName}:*`;
  fn.addToRolePolicy(
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
  Validations.of(fn.role ?? fn).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:${nagPartition(fn)}:states:${stack.region}:${stack.account}:execution:${executions}]`,
    reason: why,
  });
}
