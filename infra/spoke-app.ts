import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { checkDistinct, loadConfig, type SpokeConfig, SpokeConfigError, stackName } from './config.ts';
import { projectRoot } from './spoke-function.ts';
import { SpokeStack } from './stack.ts';

/**
 * The context of `cdk.json`: the feature flags `cdk init` writes for this aws-cdk-lib release.
 * The CLI reads them itself; the tests and the local cloud build the app in-process, and get
 * them here, so every synth sees the same flags.
 */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(resolve(projectRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/**
 * The fictional Example Corp's config (account 111122223333): what `npm run synth` checks. It is
 * never a default: an app without `-c config=<path>` stops with {@link missingConfigMessage},
 * so a bare `cdk deploy` cannot aim at an account that is not yours.
 */
export const exampleConfigPath = 'infra/configs/example.json';

export const missingConfigMessage =
  'No Spoke config: run cdk with -c config=<your file>, e.g. npx cdk deploy -c config=infra/configs/acme-prod.json ' +
  `(copy ${exampleConfigPath} or infra/configs/minimal.json and edit it; see docs/configuration.md). ` +
  'The examples describe a fictional account; npm run synth checks them.';

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
  const app = new App({ context: { ...cdkJsonContext(), ...options.context }, outdir: options.outdir });
  const fromContext = app.node.tryGetContext('config') as unknown;
  if (!options.config && (fromContext === undefined || String(fromContext).trim() === ''))
    throw new SpokeConfigError(missingConfigMessage);
  const configs = options.config
    ? [options.config].flat().map((config, index) => ({ config, source: `config #${index + 1}` }))
    : String(fromContext)
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
