import type { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  type IChainable,
  IntegrationPattern,
  JsonPath,
  type State,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

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
