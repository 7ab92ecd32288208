import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  Fail,
  JsonPath,
  Parallel,
  type StateMachine,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { ChangeWorkflowEnv } from '#config/env.ts';
import type { StepId } from '#core/change/approval.ts';
import { type ApprovalTimeouts, waitRounds, workflowStateMachine } from './approval-rounds.ts';
import type { Data } from './data.ts';
import { sendMailAs } from './email.ts';
import { SpokeFunction } from './spoke-function.ts';

export type { ApprovalTimeouts };

export interface WorkflowsProps {
  /** Physical-name prefix, e.g. `spoke-prod`. */
  readonly prefix: string;
  readonly data: Data;
  readonly environment: Omit<ChangeWorkflowEnv, 'LINK_KEY_ID'>;
  readonly logRetention: RetentionDays;
  /** @default a day to the reminder, a day to escalation, two more to expiry */
  readonly normalTimeouts?: ApprovalTimeouts;
  /** @default an hour to the reminder, an hour to escalation, two more to expiry */
  readonly emergencyTimeouts?: ApprovalTimeouts;
}

const defaultNormal: ApprovalTimeouts = {
  reminderAfter: Duration.hours(24),
  escalateAfter: Duration.hours(24),
  expireAfter: Duration.hours(48),
};
const defaultEmergency: ApprovalTimeouts = {
  reminderAfter: Duration.hours(1),
  escalateAfter: Duration.hours(1),
  expireAfter: Duration.hours(2),
};

/** Errors a branch raises to end the whole approval: the Parallel's catchers turn them into the verdict. */
export const REJECTED = 'Change.Rejected';
export const EXPIRED = 'Change.Expired';

/**
 * The change approval workflow (DESIGN §6): a Standard state machine in JSONPath only (the
 * local runner cannot execute JSONata or `Assign`).
 *
 * `Plan` asks the task which route the change takes; a Choice runs that route's steps in one
 * Parallel (two steps for a high-risk change: the CAB and the service owner, both must
 * approve). Each step is a chain of `.waitForTaskToken` rounds, each with `TimeoutSeconds`:
 * request → (timeout) reminder → (timeout) escalation → (timeout) expiry. A step that is
 * rejected or expires fails its branch with `Change.Rejected` / `Change.Expired`, which stops
 * the other branch; the Parallel's catchers and its success lead to one `Finish` task each,
 * which moves the change and mails the requester. Cancelling a change stops the execution.
 */
export class Workflows extends Construct {
  readonly changeApproval: StateMachine;
  readonly changeApprovalName: string;
  readonly changeTask: SpokeFunction<ChangeWorkflowEnv>;
  /** The KMS HMAC key that signs approve/reject links in mail. */
  readonly linkKey: Key;

  constructor(scope: Construct, id: string, props: WorkflowsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const stateMachineName = `${props.prefix}-change-approval`;
    this.changeApprovalName = stateMachineName;
    this.linkKey = new Key(this, 'ApprovalLinkKey', {
      description: `Signs approval links in Spoke change mail (${props.prefix})`,
      keySpec: KeySpec.HMAC_256,
      keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    Validations.of(this.linkKey).acknowledge({
      id: 'AwsSolutions-KMS5',
      reason:
        'KMS does not support automatic rotation of HMAC keys; links live 72 hours, so a manual rotation loses little.',
    });

    this.changeTask = new SpokeFunction(this, 'ChangeTask', {
      entry: 'functions/handlers/change-workflow.ts',
      description: 'Spoke change approval workflow task',
      environment: { ...props.environment, LINK_KEY_ID: this.linkKey.keyArn },
      logRetention: props.logRetention,
    }).bindTable(props.data.domain, 'readWrite');
    this.linkKey.grant(this.changeTask, 'kms:GenerateMac');
    this.changeTask.addToRolePolicy(
      sendMailAs(this, props.environment.MAIL_FROM, props.environment.MAIL_CONFIGURATION_SET),
    );
    // The task answers its own token when a decision raced a timeout. The ARN is built from the
    // name: a reference to the state machine would make it depend on the function it invokes.
    this.changeTask.addToRolePolicy(
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

    const task = (id: string, payload: Record<string, unknown>) =>
      new LambdaInvoke(this, id, {
        lambdaFunction: this.changeTask,
        payload: TaskInput.fromObject({ 'changeId.$': '$.changeId', ...payload }),
        resultPath: JsonPath.DISCARD,
      });

    const plan = new LambdaInvoke(this, 'Plan', {
      lambdaFunction: this.changeTask,
      payload: TaskInput.fromObject({ action: 'plan', 'changeId.$': '$.changeId' }),
      resultSelector: { 'route.$': '$.Payload.route' },
      resultPath: '$.plan',
    });

    const finish = (outcome: string) =>
      task(`Finish${outcome[0]?.toUpperCase()}${outcome.slice(1)}`, { action: 'finish', outcome });
    const approved = finish('approved').next(new Succeed(this, 'Approved'));
    const rejected = finish('rejected').next(new Succeed(this, 'Rejected'));
    const expired = finish('expired').next(new Succeed(this, 'Expired'));
    const failed = finish('failed').next(
      new Fail(this, 'ApprovalFailed', {
        error: 'Change.ApprovalFailed',
        cause: 'An approval task failed; the change went back to assessment.',
      }),
    );

    const step = (name: string, stepId: StepId, timeouts: ApprovalTimeouts) => {
      const expire = new LambdaInvoke(this, `${name}Expire`, {
        lambdaFunction: this.changeTask,
        payload: TaskInput.fromObject({ action: 'expire', 'changeId.$': '$.changeId', step: stepId }),
        resultSelector: { 'decision.$': '$.Payload.decision' },
        resultPath: '$.outcome',
      });
      const decided = new Choice(this, `${name}Decided`)
        .when(Condition.stringEquals('$.outcome.decision', 'approved'), new Succeed(this, `${name}Approved`))
        .when(
          Condition.stringEquals('$.outcome.decision', 'rejected'),
          new Fail(this, `${name}Rejected`, {
            error: REJECTED,
            cause: `The ${stepId} step rejected the change.`,
          }),
        )
        .otherwise(
          new Fail(this, `${name}Expired`, {
            error: EXPIRED,
            cause: `Nobody decided the ${stepId} step in time.`,
          }),
        );
      expire.next(decided);
      return waitRounds(this, name, {
        fn: this.changeTask,
        payload: { action: 'request', 'changeId.$': '$.changeId', step: stepId },
        timeouts,
        resultPath: '$.outcome',
        answered: decided,
        expired: expire,
      });
    };

    const approvals = (name: string, steps: [string, StepId][], timeouts: ApprovalTimeouts) => {
      const parallel = new Parallel(this, name, { resultPath: JsonPath.DISCARD });
      for (const [stepName, stepId] of steps) parallel.branch(step(stepName, stepId, timeouts));
      parallel.addCatch(rejected, { errors: [REJECTED], resultPath: '$.error' });
      parallel.addCatch(expired, { errors: [EXPIRED], resultPath: '$.error' });
      parallel.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.error' });
      return parallel.next(approved);
    };

    const normal = props.normalTimeouts ?? defaultNormal;
    const route = new Choice(this, 'Route')
      .when(
        Condition.stringEquals('$.plan.route', 'manager'),
        approvals('ManagerApproval', [['Manager', 'manager']], normal),
      )
      .when(Condition.stringEquals('$.plan.route', 'cab'), approvals('CabApproval', [['Cab', 'cab']], normal))
      .when(
        Condition.stringEquals('$.plan.route', 'cab_and_owner'),
        approvals(
          'CabAndOwnerApproval',
          [
            ['HighRiskCab', 'cab'],
            ['ServiceOwner', 'service_owner'],
          ],
          normal,
        ),
      )
      .when(
        Condition.stringEquals('$.plan.route', 'ecab'),
        approvals('EmergencyApproval', [['Ecab', 'ecab']], props.emergencyTimeouts ?? defaultEmergency),
      )
      .otherwise(approved);

    // Under /aws/vendedlogs/ (so Step Functions does not grow the account's CloudWatch Logs resource
    // policy, AWS's advice), and with the stack's id in the name, so a group kept from an earlier
    // stack of the same name can never block this one's creation.
    this.changeApproval = workflowStateMachine(
      this,
      { machine: 'ChangeApproval', logs: 'ChangeApprovalLogs' },
      {
        stateMachineName,
        definition: plan.next(route),
        task: this.changeTask,
        logRetention: props.logRetention,
        timeout: Duration.days(30),
      },
    );
  }
}
