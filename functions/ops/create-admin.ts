import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import * as z from 'zod';
import { loadConfig, type SpokeConfig, SpokeConfigError, stackName } from '#infra/config.ts';
import { errorName, isCredentialsError } from './deploy/check.ts';
import { noCredentialsMessage } from './deploy/credentials.ts';
import { type DeployedStack, describeStack, listSpokeStacks } from './deploy/stack.ts';

export const usage = `npm run admin:create -- --email <address> [-c config=<file>]

Creates the first Spoke admin in the deployed user pool (found through the stack's UserPoolId
output) and adds them to the admins group; Cognito mails them a temporary password. Without
-c, the one Spoke stack in AWS_REGION is used. Run it again for an existing user to add them to
admins. Uses the usual AWS credentials.`;

/** The admins group the API authorizes administration by. */
export const adminGroup = 'admins';

/**
 * Creates (or finds) the user and puts them in `admins`. The user pool signs in by email, so the
 * address is the username; it is marked verified because an admin is invited by name and the
 * temporary password reaches them only at that address.
 */
export async function createAdmin(
  cognito: Pick<CognitoIdentityProviderClient, 'send'>,
  target: { readonly userPoolId: string; readonly email: string },
): Promise<'created' | 'existed'> {
  let outcome: 'created' | 'existed' = 'created';
  try {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: target.userPoolId,
        Username: target.email,
        UserAttributes: [
          { Name: 'email', Value: target.email },
          { Name: 'email_verified', Value: 'true' },
        ],
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
  } catch (error) {
    if (errorName(error) !== 'UsernameExistsException') throw error;
    outcome = 'existed';
  }
  await cognito.send(
    new AdminAddUserToGroupCommand({
      UserPoolId: target.userPoolId,
      Username: target.email,
      GroupName: adminGroup,
    }),
  );
  return outcome;
}

/** The stack to add the admin to: the config's, or the region's only Spoke stack. */
async function findStack(
  cloudFormation: Pick<CloudFormationClient, 'send'>,
  config: SpokeConfig | undefined,
  region: string,
): Promise<DeployedStack | string> {
  if (config) {
    const stack = await describeStack(cloudFormation, stackName(config));
    return stack
      ? { ...stack, resources: {} }
      : `${stackName(config)} is not deployed in ${config.account}/${region}: npm run deploy -- -c config=<file> first`;
  }
  const stacks = await listSpokeStacks(cloudFormation);
  const [only] = stacks;
  if (stacks.length === 1 && only) return { ...only, resources: {} };
  return stacks.length === 0
    ? `no Spoke stack in ${region}: pass -c config=<file> (or set AWS_REGION to the stack's region)`
    : `${stacks.length} Spoke stacks in ${region} (${stacks.map((s) => s.name).join(', ')}): pass -c config=<file>`;
}

export interface CreateAdminDependencies {
  readonly cloudFormation: (region: string) => Pick<CloudFormationClient, 'send'>;
  readonly cognito: (region: string) => Pick<CognitoIdentityProviderClient, 'send'>;
  readonly region: string | undefined;
  readonly log: (line: string) => void;
  readonly error: (line: string) => void;
}

const defaults: CreateAdminDependencies = {
  cloudFormation: (region) => new CloudFormationClient({ region }),
  cognito: (region) => new CognitoIdentityProviderClient({ region }),
  region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
  log: (line) => console.log(line),
  error: (line) => console.error(line),
};

/** `npm run admin:create`. Returns the exit code: 0 done, 1 failed, 2 bad arguments or no credentials. */
export async function createAdminCommand(
  argv: readonly string[],
  deps: CreateAdminDependencies = defaults,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      email: { type: 'string' },
      context: { type: 'string', short: 'c', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    deps.log(usage);
    return 0;
  }
  const email = z.email().safeParse(values.email);
  if (!email.success) {
    deps.error(
      `--email: ${values.email ? `${values.email} is not an email address` : 'required'}\n\n${usage}`,
    );
    return 2;
  }
  const configPath = values.context.find((c) => c.startsWith('config='))?.slice('config='.length);
  let config: SpokeConfig | undefined;
  try {
    config = configPath ? loadConfig(configPath) : undefined;
  } catch (error) {
    if (!(error instanceof SpokeConfigError)) throw error;
    deps.error(error.message);
    return 2;
  }
  if (config?.auth.federation && !config.auth.federation.cognitoUsers) {
    deps.error(
      `${configPath} signs everyone in through the company IdP (auth.federation.cognitoUsers is false): admins are the members of ${config.auth.federation.groups.admins.join(', ') || 'the IdP groups in auth.federation.groups.admins'}; there is no Cognito user to create.`,
    );
    return 2;
  }
  const region = config?.region ?? deps.region;
  if (!region) {
    deps.error('No region: pass -c config=<file> or set AWS_REGION to the stack region.');
    return 2;
  }
  try {
    const stack = await findStack(deps.cloudFormation(region), config, region);
    if (typeof stack === 'string') {
      deps.error(stack);
      return 1;
    }
    const userPoolId = stack.outputs.UserPoolId;
    if (!userPoolId) {
      deps.error(`${stack.name} has no UserPoolId output (status ${stack.status}): is the deploy finished?`);
      return 1;
    }
    const outcome = await createAdmin(deps.cognito(region), { userPoolId, email: email.data });
    const portal = stack.outputs.PortalUrl ?? 'the portal';
    deps.log(
      outcome === 'created'
        ? `Created ${email.data} in ${userPoolId} (${stack.name}) and added them to ${adminGroup}. Cognito mailed a temporary password; sign in at ${portal}, choose a password and set up the authenticator app (MFA is required).`
        : `${email.data} already existed in ${userPoolId} (${stack.name}); they are now in ${adminGroup}. Sign in at ${portal}.`,
    );
    return 0;
  } catch (error) {
    if (isCredentialsError(error)) {
      deps.error(noCredentialsMessage.replace('checked or deployed', 'created'));
      return 2;
    }
    deps.error(`Could not create the admin: ${errorName(error)}: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) {
  process.exitCode = await createAdminCommand(process.argv.slice(2));
}
