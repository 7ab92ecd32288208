import { readFileSync } from 'node:fs';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { type CheckResult, couldNotCheck, errorName, fix, ok } from './check.ts';

/** CDK's own default bootstrap qualifier. */
export const defaultQualifier = 'hnb659fds';

/** The context key that names another qualifier (cdk.json `context` or `-c key=value`). */
export const qualifierContextKey = '@aws-cdk/core:bootstrapQualifier';

/**
 * The bootstrap version aws-cdk-lib's DefaultStackSynthesizer requires to deploy a stack with
 * file assets (its MIN_BOOTSTRAP_STACK_VERSION; the template's CheckBootstrapVersion rule
 * refuses anything older).
 */
export const requiredBootstrapVersion = 6;

/**
 * The qualifier a deploy uses: a `-c @aws-cdk/core:bootstrapQualifier=…` given on the command
 * line wins over cdk.json's context, which wins over CDK's default.
 */
export function bootstrapQualifier(
  cliContext: Readonly<Record<string, string>>,
  cdkJson: { context?: Record<string, unknown> } | undefined,
): string {
  const fromCli = cliContext[qualifierContextKey];
  if (fromCli) return fromCli;
  const fromFile = cdkJson?.context?.[qualifierContextKey];
  return typeof fromFile === 'string' && fromFile ? fromFile : defaultQualifier;
}

/**
 * The bootstrap template version the installed CDK CLI would deploy with `cdk bootstrap`, read
 * from its bundled template; undefined when the file is not where this CLI version keeps it.
 */
export function cliBootstrapVersion(templatePath: string): number | undefined {
  try {
    const text = readFileSync(templatePath, 'utf8');
    const match = /CdkBootstrapVersion:[\s\S]*?Value:\s*'(\d+)'/.exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The account and region are bootstrapped with the qualifier in use, at a version this app can
 * deploy with: CDK reads `/cdk-bootstrap/<qualifier>/version` from SSM before it deploys.
 */
export async function checkBootstrap(
  ssm: Pick<SSMClient, 'send'>,
  target: {
    readonly account: string;
    readonly region: string;
    readonly qualifier: string;
    /** What `cdk bootstrap` would install today; an older stack is noted, not refused. */
    readonly latestVersion?: number;
  },
): Promise<CheckResult> {
  const name = 'cdk bootstrap';
  const parameter = `/cdk-bootstrap/${target.qualifier}/version`;
  const custom = target.qualifier !== defaultQualifier;
  const command = `npx cdk bootstrap aws://${target.account}/${target.region}${
    custom ? ` --qualifier ${target.qualifier} --toolkit-stack-name CDKToolkit-${target.qualifier}` : ''
  }`;
  let value: string | undefined;
  try {
    const answer = await ssm.send(new GetParameterCommand({ Name: parameter }));
    value = answer.Parameter?.Value;
  } catch (error) {
    if (errorName(error) === 'ParameterNotFound') {
      return fix(
        name,
        `${target.account}/${target.region} is not bootstrapped for qualifier ${target.qualifier} (no SSM parameter ${parameter}): run ${command}`,
      );
    }
    return couldNotCheck(name, `ssm:GetParameter on ${parameter}`, error);
  }
  const version = Number(value);
  if (!Number.isInteger(version) || version < requiredBootstrapVersion) {
    return fix(
      name,
      `bootstrap version ${value} for qualifier ${target.qualifier} is older than the ${requiredBootstrapVersion} this app needs: run ${command} to upgrade it`,
    );
  }
  const behind =
    target.latestVersion && version < target.latestVersion
      ? ` (this CDK CLI ships version ${target.latestVersion}; ${command} upgrades it when convenient)`
      : '';
  return ok(name, `version ${version} with qualifier ${target.qualifier}${behind}`);
}
