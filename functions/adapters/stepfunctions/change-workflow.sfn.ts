import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Decision } from '#core/change/approval.ts';
import { type ChangeWorkflow, TaskTokenGoneError } from '#ports/change-workflow.ts';

/** The Step Functions SDK, imported at first use (see `kmsSdk` in link-signer.kms.ts for why). */
const sfnSdk = () => import('@aws-sdk/client-sfn');

/**
 * The change approval state machine in AWS. The execution name is the change id plus a
 * timestamp: readable in the console and unique per submission of the same change.
 */
export class SfnChangeWorkflow implements ChangeWorkflow {
  #client: Promise<SFNClient> | undefined;
  readonly #stateMachineArn: string;

  constructor(stateMachineArn: string, client?: SFNClient) {
    this.#stateMachineArn = stateMachineArn;
    this.#client = client && Promise.resolve(client);
  }

  async #sdk() {
    this.#client ??= sfnSdk().then(({ SFNClient }) => new SFNClient({}));
    const [sdk, client] = await Promise.all([sfnSdk(), this.#client]);
    return { ...sdk, client };
  }

  async start({ changeId }: { changeId: string }): Promise<{ executionId: string }> {
    const { client, StartExecutionCommand } = await this.#sdk();
    const name = `${changeId}-${Date.now()}`.replace(/[^\w-]/g, '-').slice(0, 80);
    const { executionArn } = await client.send(
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
    const { client, ExecutionDoesNotExist, StopExecutionCommand } = await this.#sdk();
    try {
      await client.send(
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
    const { client, InvalidToken, SendTaskSuccessCommand, TaskDoesNotExist, TaskTimedOut } =
      await this.#sdk();
    try {
      await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(outcome) }));
    } catch (error) {
      if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist || error instanceof InvalidToken)
        throw new TaskTokenGoneError(error.message);
      throw error;
    }
  }
}
