import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { type CheckResult, fix, isCredentialsError, ok } from './check.ts';

/**
 * No usable AWS credentials: nothing else can be checked, so the preflight stops with this one
 * line (the deploy command prints it and exits non-zero).
 */
export class NoCredentialsError extends Error {
  override name = 'NoCredentialsError';
}

export const noCredentialsMessage =
  'No AWS credentials: set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the target account, then run again; nothing was checked or deployed.';

/**
 * The caller's identity and account, compared with the account the config is written for (a
 * deploy with the wrong profile would otherwise build a second Spoke in the wrong account, or be
 * refused by CDK only after the portal was built).
 */
export async function checkCredentials(
  sts: Pick<STSClient, 'send'>,
  expected: { readonly account: string; readonly configPath: string },
): Promise<CheckResult & { readonly account?: string }> {
  let identity: { Account?: string; Arn?: string };
  try {
    identity = await sts.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    if (isCredentialsError(error)) throw new NoCredentialsError(noCredentialsMessage, { cause: error });
    throw error;
  }
  const name = 'credentials';
  if (identity.Account !== expected.account) {
    return fix(
      name,
      `the credentials are for account ${identity.Account} (${identity.Arn}), but ${expected.configPath} is for account ${expected.account}: use a profile for ${expected.account} (AWS_PROFILE=<profile> npm run deploy …) or correct "account" in the config`,
    );
  }
  return { ...ok(name, `${identity.Arn} in account ${identity.Account}`), account: identity.Account };
}
