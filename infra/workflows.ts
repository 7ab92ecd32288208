import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  LogLevel,
  Pass,
  StateMachine,
  StateMachineType,
  Succeed,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { ChangeWorkflowEnv } from '#config/env.ts';
import { SpokeFunction } from './spoke-function.ts';

export interface WorkflowsProps {
  /** Physical-name prefix, e.g. `spoke-prod`. */
  readonly prefix: string;
  readonly environment: ChangeWorkflowEnv;
  readonly logRetention: RetentionDays;
}

/**
 * The change approval workflow (DESIGN §6): a Standard state machine, written in JSONPath only
 * because the local runner cannot execute JSONata or `Assign`. For now it records the
 * submission and ends; approval steps (`.waitForTaskToken` with `TimeoutSeconds`) come with
 * the change issue.
 */
export class Workflows extends Construct {
  readonly changeApproval: StateMachine;
  readonly changeTask: SpokeFunction<ChangeWorkflowEnv>;

  constructor(scope: Construct, id: string, props: WorkflowsProps) {
    super(scope, id);
    this.changeTask = new SpokeFunction(this, 'ChangeTask', {
      entry: 'functions/handlers/change-workflow.ts',
      description: 'Spoke change approval workflow task',
      environment: props.environment,
      logRetention: props.logRetention,
    });
    const assess = new Pass(this, 'Assess', {
      comment: 'Placeholder for the risk assessment of a normal change.',
      parameters: { 'changeId.$': '$.changeId' },
    });
    const recordSubmission = new LambdaInvoke(this, 'RecordSubmission', {
      lambdaFunction: this.changeTask,
      outputPath: '$.Payload',
    });
    const submitted = new Choice(this, 'Submitted?')
      .when(Condition.stringEquals('$.status', 'submitted'), new Succeed(this, 'AwaitingApproval'))
      .otherwise(
        new Fail(this, 'NotSubmitted', {
          error: 'ChangeNotSubmitted',
          cause: 'The change task did not record the submission.',
        }),
      );
    const logs = new LogGroup(this, 'ChangeApprovalLogs', {
      logGroupName: `/aws/vendedlogs/states/${props.prefix}-change-approval`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.changeApproval = new StateMachine(this, 'ChangeApproval', {
      stateMachineName: `${props.prefix}-change-approval`,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(assess.next(recordSubmission).next(submitted)),
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    const taskId = Stack.of(this).getLogicalId(this.changeTask.node.defaultChild as CfnFunction);
    Validations.of(this.changeApproval.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${taskId}.Arn>:*]`,
      reason:
        'LambdaInvoke grants invoke on the task function and its versions and aliases (<arn>:*); it is one function.',
    });
    Validations.of(this.changeApproval.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs delivery (logs:CreateLogDelivery and friends) and X-Ray (xray:PutTraceSegments) support no resource-level permissions.',
    });
  }
}
