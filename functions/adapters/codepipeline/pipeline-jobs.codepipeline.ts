import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import type { PipelineJobs } from '#ports/pipeline-jobs.ts';

/** The CodePipeline SDK, imported at first use: a bundle loads no SDK but DynamoDB's at cold start. */
const codePipelineSdk = () => import('@aws-sdk/client-codepipeline');

/**
 * Job results through the CodePipeline API. The summary and message are cut to the API's
 * limits (2,048 and 5,000 characters); output variables let later actions read the change number.
 */
export class CodePipelineJobs implements PipelineJobs {
  #client: Promise<CodePipelineClient> | undefined;
  readonly #config: {
    endpoint?: string;
    region?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
  };

  /** @param config the client's configuration (the local cloud's endpoint); @default AWS */
  constructor(client?: CodePipelineClient, config: CodePipelineJobs['config'] = {}) {
    this.#client = client && Promise.resolve(client);
    this.#config = config;
  }

  /** What a client is made with at first use. */
  get config() {
    return this.#config;
  }

  async #sdk() {
    this.#client ??= codePipelineSdk().then(
      ({ CodePipelineClient: Client }) => new Client({ ...this.#config }),
    );
    const [sdk, client] = await Promise.all([codePipelineSdk(), this.#client]);
    return { ...sdk, client };
  }

  async succeed(jobId: string, summary: string, outputVariables: Readonly<Record<string, string>>) {
    const { client, PutJobSuccessResultCommand } = await this.#sdk();
    await client.send(
      new PutJobSuccessResultCommand({
        jobId,
        executionDetails: { summary: summary.slice(0, 2048), percentComplete: 100 },
        outputVariables: { ...outputVariables },
      }),
    );
  }

  async fail(jobId: string, message: string, executionId: string) {
    const { client, PutJobFailureResultCommand } = await this.#sdk();
    await client.send(
      new PutJobFailureResultCommand({
        jobId,
        failureDetails: {
          type: 'JobFailed',
          message: message.slice(0, 5000),
          externalExecutionId: executionId,
        },
      }),
    );
  }
}
