import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { checkDistinct, loadConfig, type SpokeConfig, stackName } from './config.ts';
import { SpokeStack } from './stack.ts';

/** The config used when `-c config=<path>` is not given. */
export const defaultConfigPath = 'infra/configs/example.json';

export interface SpokeAppOptions {
  /**
   * Config objects; when absent they are loaded from the `config` context: a file path, or
   * several separated by commas (one stack each, e.g. one per account).
   */
  readonly config?: SpokeConfig | readonly SpokeConfig[];
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
 * local workflow runner, so all three synthesize the same stacks. Every config is validated
 * (and checked against the others for colliding names) before the first stack is created.
 */
export function createSpokeApp(options: SpokeAppOptions = {}): {
  app: App;
  /** The first stack (the only one unless several configs are given). */
  stack: SpokeStack;
  config: SpokeConfig;
  stacks: SpokeStack[];
} {
  const app = new App({ context: options.context, outdir: options.outdir });
  const configs = options.config
    ? [options.config].flat().map((config, index) => ({ config, source: `config #${index + 1}` }))
    : String(app.node.tryGetContext('config') ?? defaultConfigPath)
        .split(',')
        .map((path) => path.trim())
        .filter(Boolean)
        .map((path) => ({ config: loadConfig(path), source: path }));
  checkDistinct(configs);
  const stacks = configs.map(({ config }) => new SpokeStack(app, stackName(config), { config }));
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const [first] = stacks;
  if (!first) throw new Error('No Spoke config given');
  return { app, stack: first, config: first.config, stacks };
}
