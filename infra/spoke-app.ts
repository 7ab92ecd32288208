import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, type SpokeConfig } from './config.ts';
import { SpokeStack } from './stack.ts';

/** The config used when `-c config=<path>` is not given. */
export const defaultConfigPath = 'infra/configs/example.json';

export interface SpokeAppOptions {
  /** A config object; when absent it is loaded from the `config` context (a file path). */
  readonly config?: SpokeConfig;
  /** Extra app context, e.g. `{ 'aws:cdk:bundling-stacks': [] }` to skip bundling. */
  readonly context?: AppProps['context'];
  readonly outdir?: string;
  /**
   * Run cdk-nag AwsSolutions on synth; unacknowledged errors then fail it.
   * @default true
   */
  readonly nag?: boolean;
}

/**
 * Builds the Spoke CDK app. Shared by `infra/app.ts` (the CLI entry), the infra tests and the
 * local workflow runner, so all three synthesize the same stack.
 */
export function createSpokeApp(options: SpokeAppOptions = {}): {
  app: App;
  stack: SpokeStack;
  config: SpokeConfig;
} {
  const app = new App({ context: options.context, outdir: options.outdir });
  const config = options.config ?? loadConfig(String(app.node.tryGetContext('config') ?? defaultConfigPath));
  const stack = new SpokeStack(app, `Spoke-${config.stage}`, { config });
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config };
}
