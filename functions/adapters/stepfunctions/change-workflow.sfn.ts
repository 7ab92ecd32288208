import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Decision } from '#core/change/approval.ts';
import { type ChangeWorkflow, TaskTokenGoneError } from '#ports/change-workflow.ts';

/** The Step Functions SDK, imported at first use (see `kmsSdk` in link-signer.kms.ts for why). */
const sfnSdk = () => import('@aws-sdk/client-sfn');

/**
 * A Spoke state machine in AWS: start an execution named after its record (readable in the
 * console, unique per start), stop it, answer its waiting task tokens. The change approval and
 * the catalog request workflow are both this. The SDK is loaded at the first call.
 */
export class SfnWorkflow {
  #client: Promise<SFNClient> | undefined;
  readonly #stateMachineArn: string;
  readonly #stopError: string;

  constructor(stateMachineArn: string, stopError: string, client?: SFNClient) {
    this.#stateMachineArn = stateMachineArn;
    this.#stopError = stopError;
    this.#client = client && Promise.resolve(client);
  }

  async #sdk() {
    this.#client ??= sfnSdk().then(({ SFNClient }) => new SFNClient({}));
    const [sdk, client] = await Promise.all([sfnSdk(), this.#client]);
    return { ...sdk, client };
  }

  async start(recordId: string, input: Readonly<Record<string, string>>): Promise<{ executionId: string }> {
    const { client, StartExecutionCommand } = await this.#sdk();
    const name = `${recordId}-${Date.now()}`.replace(/[^\w-]/g, '-').slice(0, 80);
    const { executionArn } = await client.send(
      new StartExecutionCommand({
        stateMachineArn: this.#stateMachineArn,
        name,
        input: JSON.stringify(input),
      }),
    );
    if (!executionArn) throw new Error(`Step Functions returned no execution ARN for ${recordId}`);
    return { executionId: executionArn };
  }

  async stop(executionId: string, cause: string): Promise<void> {
    const { client, ExecutionDoesNotExist, StopExecutionCommand } = await this.#sdk();
    try {
      await client.send(
        new StopExecutionCommand({
          executionArn: executionId,
          error: this.#stopError,
          cause: cause.slice(0, 32_000),
        }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionDoesNotExist)) throw error;
    }
  }

  async answer(taskToken: string, output: unknown): Promise<void> {
    const { client, InvalidToken, SendTaskSuccessCommand, TaskDoesNotExist, TaskTimedOut } =
      await this.#sdk();
    try {
      await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    } catch (error) {
      if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist || error instanceof InvalidToken)
        throw new TaskTokenGoneError(error.message);
      throw error;
    }
  }
}

/** The change approval state machine in AWS. */
export class SfnChangeWorkflow implements ChangeWorkflow {
  readonly #workflow: SfnWorkflow;

  constructor(stateMachineArn: string, client?: SFNClient) {
    this.#workflow = new SfnWorkflow(stateMachineArn, 'Change.Cancelled', client);
  }

  start({ changeId }: { changeId: string }): Promise<{ executionId: string }> {
    return this.#workflow.start(changeId, { changeId });
  }

  stop(executionId: string, cause: string): Promise<void> {
    return this.#workflow.stop(executionId, cause);
  }

  answer(taskToken: string, outcome: { decision: Decision }): Promise<void> {
    return this.#workflow.answer(taskToken, outcome);
  }
}
