import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  Fail,
  JsonPath,
  Map as MapState,
  type StateMachine,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { CatalogWorkflowEnv } from '#config/env.ts';
import {
  type ApprovalTimeouts,
  grantStopExecutions,
  waitRounds,
  workflowStateMachine,
} from './approval-rounds.ts';
import type { Data } from './data.ts';
import { sendMailAs } from './email.ts';
import { SpokeFunction } from './spoke-function.ts';

export interface CatalogProps {
  /** Physical-name prefix, e.g. `spoke-prod`. */
  readonly prefix: string;
  readonly data: Data;
  readonly environment: Omit<CatalogWorkflowEnv, 'LINK_KEY_ID'>;
  /** The key that signs approval links (the change approvals' key). */
  readonly linkKey: Key;
  /** The API function: it starts and stops executions and answers their tokens. */
  readonly api: LambdaFunction;
  readonly logRetention: RetentionDays;
  /** @default a day to the reminder, a day to escalation, two more to expiry (as change approvals) */
  readonly approvalTimeouts?: ApprovalTimeouts;
  /** @default two days to a reminder, three more to escalation, fourteen more before the task is overdue */
  readonly taskTimeouts?: ApprovalTimeouts;
  /** @default two retries of a failed automation, after 2 s and 10 s, before a person takes over */
  readonly automationRetry?: {
    readonly interval: Duration;
    readonly maxAttempts: number;
    readonly backoffRate: number;
  };
}

export const REQUEST_REJECTED = 'Request.Rejected';
export const REQUEST_EXPIRED = 'Request.Expired';

/**
 * The catalog request workflow: ONE Standard state machine (JSONPath only, DESIGN §2) that
 * interprets any request's plan as data — never a machine per item. `Plan` returns the approval
 * steps and the fulfilment stages; a Map walks the approval steps one after another, each the
 * same token rounds as change approvals (request → reminder → escalation → expiry); a rejection
 * or expiry fails the Map into `Finish`, which ends the request and mails the reason. Then a Map
 * walks the stages one after another, and inside each stage a Map opens every task at once,
 * each a token wait answered when its task closes. The last stage done, the request is fulfilled.
 */
export class Catalog extends Construct {
  readonly requestWorkflow: StateMachine;
  readonly task: SpokeFunction<CatalogWorkflowEnv>;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const stateMachineName = `${props.prefix}-catalog-request`;
    this.task = new SpokeFunction(this, 'RequestTask', {
      entry: 'functions/handlers/catalog-workflow.ts',
      description: 'Spoke catalog request workflow task',
      environment: { ...props.environment, LINK_KEY_ID: props.linkKey.keyArn },
      logRetention: props.logRetention,
    }).bindTable(props.data.domain, 'readWrite');
    props.linkKey.grant(this.task, 'kms:GenerateMac');
    this.task.addToRolePolicy(
      sendMailAs(this, props.environment.MAIL_FROM, props.environment.MAIL_CONFIGURATION_SET),
    );
    // The task answers its own token when a decision or a close raced a timeout (ARN by name: no cycle).
    const machineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.task.addToRolePolicy(
      new PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: [machineArn] }),
    );

    const call = (id: string, payload: Record<string, unknown>) =>
      new LambdaInvoke(this, id, {
        lambdaFunction: this.task,
        payload: TaskInput.fromObject({ 'requestId.$': '$.requestId', ...payload }),
        resultPath: JsonPath.DISCARD,
      });
    const finish = (outcome: string) =>
      call(`Finish${outcome[0]?.toUpperCase()}${outcome.slice(1)}`, { action: 'finish', outcome });

    const plan = new LambdaInvoke(this, 'Plan', {
      lambdaFunction: this.task,
      payload: TaskInput.fromObject({ action: 'plan', 'requestId.$': '$.requestId' }),
      resultSelector: { 'approvals.$': '$.Payload.approvals', 'stages.$': '$.Payload.stages' },
      resultPath: '$.plan',
    });

    // ——— approvals: one step after another ———
    const expire = new LambdaInvoke(this, 'ApprovalExpire', {
      lambdaFunction: this.task,
      payload: TaskInput.fromObject({
        action: 'approval-expire',
        'requestId.$': '$.requestId',
        'index.$': '$.index',
      }),
      resultSelector: { 'decision.$': '$.Payload.decision' },
      resultPath: '$.outcome',
    });
    const decided = new Choice(this, 'ApprovalDecided')
      .when(Condition.stringEquals('$.outcome.decision', 'approved'), new Succeed(this, 'StepApproved'))
      .when(
        Condition.stringEquals('$.outcome.decision', 'rejected'),
        new Fail(this, 'StepRejected', {
          error: REQUEST_REJECTED,
          cause: 'An approver rejected the request.',
        }),
      )
      .otherwise(new Fail(this, 'StepExpired', { error: REQUEST_EXPIRED, cause: 'Nobody decided in time.' }));
    expire.next(decided);
    const approvals = new MapState(this, 'Approvals', {
      itemsPath: '$.plan.approvals',
      maxConcurrency: 1,
      itemSelector: { 'requestId.$': '$.requestId', 'index.$': '$$.Map.Item.Value.index' },
      resultPath: JsonPath.DISCARD,
    }).itemProcessor(
      waitRounds(this, 'Approval', {
        fn: this.task,
        payload: { action: 'approval', 'requestId.$': '$.requestId', 'index.$': '$.index' },
        timeouts: props.approvalTimeouts ?? {
          reminderAfter: Duration.hours(24),
          escalateAfter: Duration.hours(24),
          expireAfter: Duration.hours(48),
        },
        resultPath: '$.outcome',
        answered: decided,
        expired: expire,
      }),
    );
    approvals.addCatch(finish('rejected').next(new Succeed(this, 'Rejected')), {
      errors: [REQUEST_REJECTED],
      resultPath: '$.error',
    });
    approvals.addCatch(finish('expired').next(new Succeed(this, 'Expired')), {
      errors: [REQUEST_EXPIRED],
      resultPath: '$.error',
    });
    approvals.addCatch(
      finish('failed').next(
        new Fail(this, 'ApprovalFailed', {
          error: 'Request.ApprovalFailed',
          cause: 'An approval task failed.',
        }),
      ),
      { errors: ['States.ALL'], resultPath: '$.error' },
    );

    // ——— fulfilment: stages one after another, the tasks of a stage together ———
    const rounds = waitRounds(this, 'Task', {
      fn: this.task,
      payload: { action: 'task', 'requestId.$': '$.requestId', 'step.$': '$.step' },
      timeouts: props.taskTimeouts ?? {
        reminderAfter: Duration.days(2),
        escalateAfter: Duration.days(3),
        expireAfter: Duration.days(14),
      },
      resultPath: '$.task',
      answered: new Succeed(this, 'TaskClosed'),
      expired: new Fail(this, 'TaskOverdue', {
        error: 'Request.TaskOverdue',
        cause: 'A fulfilment task stayed open past its escalation; it is still in its queue.',
      }),
    });
    // An automated task runs its hook first (retried), closing the task on success; the wait
    // rounds then find it closed. When the retries are spent the task waits for a person.
    const automate = call('TaskAutomate', { action: 'automate', 'step.$': '$.step' });
    const retry = props.automationRetry ?? { interval: Duration.seconds(2), maxAttempts: 2, backoffRate: 5 };
    automate.addRetry({ errors: ['Automation.Failed'], ...retry });
    const fallback = call('TaskAutomationFailed', {
      action: 'automation-failed',
      'step.$': '$.step',
      'cause.$': '$.automationError.Cause',
    });
    automate.addCatch(fallback, { errors: ['States.ALL'], resultPath: '$.automationError' });
    automate.next(rounds);
    fallback.next(rounds);
    const tasks = new MapState(this, 'StageTasks', {
      itemsPath: '$.tasks',
      maxConcurrency: 0,
      itemSelector: {
        'requestId.$': '$.requestId',
        'step.$': '$$.Map.Item.Value.step',
        'automated.$': '$$.Map.Item.Value.automated',
      },
      resultPath: JsonPath.DISCARD,
    }).itemProcessor(
      new Choice(this, 'TaskAutomated')
        .when(Condition.booleanEquals('$.automated', true), automate)
        .otherwise(rounds),
    );
    const stages = new MapState(this, 'Stages', {
      itemsPath: '$.plan.stages',
      maxConcurrency: 1,
      itemSelector: { 'requestId.$': '$.requestId', 'tasks.$': '$$.Map.Item.Value.tasks' },
      resultPath: JsonPath.DISCARD,
    }).itemProcessor(tasks);

    const definition = plan
      .next(approvals)
      .next(call('Fulfil', { action: 'fulfil' }))
      .next(stages)
      .next(finish('fulfilled'))
      .next(new Succeed(this, 'Fulfilled'));

    this.requestWorkflow = workflowStateMachine(
      this,
      { machine: 'RequestWorkflow', logs: 'RequestWorkflowLogs' },
      {
        stateMachineName,
        definition,
        task: this.task,
        logRetention: props.logRetention,
        timeout: Duration.days(60),
      },
    );

    // The API starts an execution per order, stops it on a cancel, and answers tokens on decisions and closes.
    props.api.addEnvironment('CATALOG_WORKFLOW_ARN', this.requestWorkflow.stateMachineArn);
    this.requestWorkflow.grantStartExecution(props.api);
    this.requestWorkflow.grantTaskResponse(props.api);
    grantStopExecutions(
      props.api,
      stateMachineName,
      'Cancelling a catalog request stops its execution, whose name is only known at runtime; the grant covers executions of the catalog request state machine only.',
    );
  }
}
