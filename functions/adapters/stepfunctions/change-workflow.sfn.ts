import {
  ExecutionDoesNotExist,
  InvalidToken,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { Decision } from '#core/change/approval.ts';
import { type ChangeWorkflow, TaskTokenGoneError } from '#ports/change-workflow.ts';

/**
 * The change approval state machine in AWS. The execution name is the change id plus a
 * timestamp: readable in the console and unique per submission of the same change.
 */
export class SfnChangeWorkflow implements ChangeWorkflow {
  readonly #client: SFNClient;
  readonly #stateMachineArn: string;

  constructor(stateMachineArn: string, client: SFNClient = new SFNClient({})) {
    this.#stateMachineArn = stateMachineArn;
    this.#client = client;
  }

  async start({ changeId }: { changeId: string }): Promise<{ executionId: string }> {
    const name = `${changeId}-${Date.now()}`.replace(/[^\w-]/g, '-').slice(0, 80);
    const { executionArn } = await this.#client.send(
      new StartExecutionCommand({
        stateMachineArn: this.#stateMachineArn,
        name,
        input: JSON.stringify({ changeId }),
      }),
    );
    if (!executionArn) throw new Error(`Step Functions returned no execution ARN for change ${changeId}`);
    return { executionId: executionArn };
  }

  async stop(executionId: string, cause: string): Promise<void> {
    try {
      await this.#client.send(
        new StopExecutionCommand({
          executionArn: executionId,
          error: 'Change.Cancelled',
          cause: cause.slice(0, 32_000),
        }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionDoesNotExist)) throw error;
    }
  }

  async answer(taskToken: string, outcome: { decision: Decision }): Promise<void> {
    try {
      await this.#client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(outcome) }));
    } catch (error) {
      if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist || error instanceof InvalidToken)
        throw new TaskTokenGoneError(error.message);
      throw error;
    }
  }
}
