import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DescribeActiveReceiptRuleSetCommand } from '@aws-sdk/client-ses';
import { loadConfig, resourcePrefix, type SpokeConfig, SpokeConfigError, stackName } from '#infra/config.ts';
import { bootstrapQualifier, cliBootstrapVersion } from './bootstrap.ts';
import { formatResult, summarize } from './check.ts';
import { NoCredentialsError } from './credentials.ts';
import { awsClients, type PreflightClients, runPreflight } from './preflight.ts';
import { activateReceiptRuleSet, receiptRuleSetName } from './ses.ts';
import { describeStack } from './stack.ts';

export const usage = `npm run deploy -- -c config=<file> [--dry-run] [--activate-receipt-rules] [-- <cdk deploy options>]

Checks the target account (credentials, CDK bootstrap, SES, Cognito, ACM, Secrets Manager,
Lambda), builds the portal, runs cdk deploy for the config's stack and prints the steps left.
  -c config=<file>          the account's config (infra/configs/*.json); other -c key=value
                            pairs go to CDK too (e.g. -c @aws-cdk/core:bootstrapQualifier=…)
  --dry-run                 only run the checks; build and deploy nothing
  --activate-receipt-rules  after the deploy, make the stack's SES receipt rule set the active
                            one (refused while another application's set is active)
  -- <options>              passed to cdk deploy, e.g. -- --require-approval never
Uses the usual AWS credentials (AWS_PROFILE, SSO, environment, a CI role). See docs/deploy.md.`;

/** The repository root: where cdk.json, node_modules and web/ are. */
const root = join(import.meta.dirname, '..', '..', '..');

/** A child process run to completion: its exit code (the deploy's own output goes to the terminal). */
export type Runner = (command: string, args: readonly string[], env?: NodeJS.ProcessEnv) => Promise<number>;

const runInherit: Runner = (command, args, env) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });

export interface DeployDependencies {
  readonly clients: (region: string) => PreflightClients;
  readonly run: Runner;
  readonly log: (line: string) => void;
  readonly error: (line: string) => void;
  /** cdk.json as the CDK CLI reads it. */
  readonly cdkJson: { context?: Record<string, unknown> } | undefined;
  readonly latestBootstrapVersion: number | undefined;
}

function defaultDependencies(): DeployDependencies {
  let cdkJson: DeployDependencies['cdkJson'];
  try {
    cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8'));
  } catch {
    cdkJson = undefined;
  }
  return {
    clients: awsClients,
    run: runInherit,
    log: (line) => console.log(line),
    error: (line) => console.error(line),
    cdkJson,
    latestBootstrapVersion: cliBootstrapVersion(
      join(root, 'node_modules', 'aws-cdk', 'lib', 'api', 'bootstrap', 'bootstrap-template.yaml'),
    ),
  };
}

/** `-c key=value` pairs as CDK takes them. */
function parseContext(values: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    if (at <= 0)
      throw new SpokeConfigError(`-c ${value}: expected key=value, e.g. -c config=infra/configs/prod.json`);
    context[value.slice(0, at)] = value.slice(at + 1);
  }
  return context;
}

/** What a deploy leaves to do by hand, from the stack's outputs, numbered. */
export function afterDeploy(
  config: SpokeConfig,
  configPath: string,
  outputs: Readonly<Record<string, string>>,
  receiptRulesActive: boolean,
): string[] {
  const dns = Object.keys(outputs)
    .filter((key) => /^DnsRecord\d+$/.test(key))
    .sort((a, b) => Number(a.slice(9)) - Number(b.slice(9)))
    .map((key) => `     ${outputs[key]}`);
  const idp = ['SamlReplyUrl', 'SamlEntityId', 'OidcRedirectUri'].flatMap((key) =>
    outputs[key] ? [`     ${key}: ${outputs[key]}`] : [],
  );
  const steps: string[][] = [
    ...(dns.length ? [['Publish these DNS records (name type value):', ...dns]] : []),
    ...(idp.length ? [['Register Spoke at your identity provider:', ...idp]] : []),
    ...(receiptRulesActive
      ? []
      : [
          [
            `Once MX points at SES, receive mail: npm run deploy -- -c config=${configPath} --activate-receipt-rules`,
          ],
        ]),
    [
      `Create the first admin: npm run admin:create -- --email <you@${config.support.domains[0]}> -c config=${configPath}`,
    ],
  ];
  return [
    '',
    `Deployed ${stackName(config)}. Portal: ${outputs.PortalUrl ?? '(see the PortalUrl output)'}`,
    'Next steps (docs/deploy.md):',
    ...steps.flatMap(([first, ...rest], index) => [`  ${index + 1}. ${first}`, ...rest]),
  ];
}

/**
 * `npm run deploy`: preflight, build, cdk deploy, post-deploy steps. Returns the exit code: 0
 * done, 1 a check or a step failed, 2 no credentials or bad arguments.
 */
export async function deploy(
  argv: readonly string[],
  deps: DeployDependencies = defaultDependencies(),
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      context: { type: 'string', short: 'c', multiple: true, default: [] },
      'dry-run': { type: 'boolean', default: false },
      'activate-receipt-rules': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    deps.log(usage);
    return 0;
  }
  let config: SpokeConfig;
  let configPath: string;
  let context: Record<string, string>;
  try {
    context = parseContext(values.context);
    configPath = context.config ?? '';
    if (!configPath) throw new SpokeConfigError(`no config given: ${usage.split('\n')[0]}`);
    if (configPath.includes(',')) {
      throw new SpokeConfigError('one config per deploy: each account is deployed (and checked) on its own');
    }
    config = loadConfig(configPath);
  } catch (error) {
    if (error instanceof SpokeConfigError) {
      deps.error(error.message);
      return 2;
    }
    throw error;
  }
  const dryRun = values['dry-run'];
  const activate = values['activate-receipt-rules'];
  const qualifier = bootstrapQualifier(context, deps.cdkJson);
  const clients = deps.clients(config.region);

  let preflight: Awaited<ReturnType<typeof runPreflight>>;
  try {
    preflight = await runPreflight(clients, {
      config,
      configPath,
      qualifier,
      activateReceiptRules: activate,
      ...(deps.latestBootstrapVersion ? { latestBootstrapVersion: deps.latestBootstrapVersion } : {}),
    });
  } catch (error) {
    if (error instanceof NoCredentialsError) {
      deps.error(error.message);
      return 2;
    }
    throw error;
  }
  deps.log(`Preflight for ${stackName(config)} in ${config.account}/${config.region} (${configPath})`);
  for (const result of preflight.results) deps.log(formatResult(result));
  deps.log(summarize(preflight.results));
  const blocked = preflight.results.some((result) => result.status === 'fix');
  if (dryRun) return blocked ? 1 : 0;
  if (blocked) {
    deps.error('Nothing was deployed: fix the FIX lines above, then run the command again.');
    return 1;
  }

  deps.log('\nBuilding the portal (npm run build:web)…');
  if ((await deps.run('npm', ['run', 'build:web'])) !== 0) {
    deps.error('The portal did not build; nothing was deployed.');
    return 1;
  }
  const contextArgs = Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  const cdk = [
    join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk'),
    'deploy',
    stackName(config),
    '--no-notices',
  ];
  deps.log(`\nDeploying ${stackName(config)} (cdk deploy)…`);
  const code = await deps.run(process.execPath, [...cdk, ...contextArgs, ...positionals], {
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  });
  if (code !== 0) {
    deps.error(`cdk deploy failed (exit ${code}); see its output above and docs/deploy.md.`);
    return 1;
  }

  let exit = 0;
  const ruleSetName = receiptRuleSetName(resourcePrefix(config));
  let active = false;
  if (activate) {
    const result = await activateReceiptRuleSet(clients.ses, { ruleSetName, region: config.region });
    (result.activated ? deps.log : deps.error)(`\n${result.message}`);
    active = result.activated;
    if (!result.activated) exit = 1;
  } else {
    const current = await clients.ses.send(new DescribeActiveReceiptRuleSetCommand({}));
    active = current.Metadata?.Name === ruleSetName;
  }
  const stack = await describeStack(clients.cloudFormation, stackName(config));
  for (const line of afterDeploy(config, configPath, stack?.outputs ?? {}, active)) deps.log(line);
  return exit;
}

if (import.meta.main) {
  process.exitCode = await deploy(process.argv.slice(2));
}
