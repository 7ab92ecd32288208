import { ACMClient } from '@aws-sdk/client-acm';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { resourcePrefix, type SpokeConfig, stackName } from '#infra/config.ts';
import {
  checkCertificate,
  checkDomainPrefix,
  checkFederationSecrets,
  checkLambdaConcurrency,
} from './account-checks.ts';
import { checkBootstrap } from './bootstrap.ts';
import type { CheckResult } from './check.ts';
import { checkCredentials } from './credentials.ts';
import { checkLeftoverTables } from './leftovers.ts';
import {
  checkIdentities,
  checkReceiptRuleSet,
  checkSesAccount,
  checkSesReceiving,
  receiptRuleSetName,
} from './ses.ts';
import { checkDeletionProtection, checkStackState, type DeployedStack, readStack } from './stack.ts';
import { checkTrailLogging } from './trail-check.ts';

/** The SDK clients the preflight asks, all in the stack's region but ACM (CloudFront's us-east-1). */
export interface PreflightClients {
  readonly sts: Pick<STSClient, 'send'>;
  readonly ssm: Pick<SSMClient, 'send'>;
  readonly cloudFormation: Pick<CloudFormationClient, 'send'>;
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
  readonly sesv2: Pick<SESv2Client, 'send'>;
  readonly ses: Pick<SESClient, 'send'>;
  readonly cognito: Pick<CognitoIdentityProviderClient, 'send'>;
  readonly acm: Pick<ACMClient, 'send'>;
  readonly secretsManager: Pick<SecretsManagerClient, 'send'>;
  readonly lambda: Pick<LambdaClient, 'send'>;
  /** Asked only when the config watches CloudTrail; imported then (`trail-check.ts`). */
  readonly cloudTrail?: () => Promise<Pick<CloudTrailClient, 'send'>>;
}

export function awsClients(region: string): PreflightClients {
  const options = { region, maxAttempts: 3 };
  return {
    sts: new STSClient(options),
    ssm: new SSMClient(options),
    cloudFormation: new CloudFormationClient(options),
    dynamodb: new DynamoDBClient(options),
    sesv2: new SESv2Client(options),
    ses: new SESClient(options),
    cognito: new CognitoIdentityProviderClient(options),
    acm: new ACMClient({ ...options, region: 'us-east-1' }),
    secretsManager: new SecretsManagerClient(options),
    lambda: new LambdaClient(options),
    cloudTrail: async () => new (await import('@aws-sdk/client-cloudtrail')).CloudTrailClient(options),
  };
}

export interface PreflightOptions {
  readonly config: SpokeConfig;
  readonly configPath: string;
  readonly qualifier: string;
  /** The deploy will activate the receipt rule set (`--activate-receipt-rules`). */
  readonly activateReceiptRules: boolean;
  /** The bootstrap version the installed CDK CLI would install. */
  readonly latestBootstrapVersion?: number;
}

/** The client secrets a config's federation names, by provider. */
export function federationSecrets(config: SpokeConfig): { provider: string; secretName: string }[] {
  return (config.auth.federation?.providers ?? []).flatMap((provider) =>
    provider.type === 'saml'
      ? []
      : [
          {
            provider: provider.type === 'google' ? 'Google' : provider.name,
            secretName: provider.clientSecretName,
          },
        ],
  );
}

/**
 * Every check, in a fixed order. The credentials come first: with none the preflight stops
 * (NoCredentialsError), and with another account's nothing else is asked, since every answer
 * would be about the wrong account.
 */
export async function runPreflight(
  clients: PreflightClients,
  options: PreflightOptions,
): Promise<{ results: CheckResult[]; stack: DeployedStack | undefined }> {
  const { config, configPath } = options;
  const credentials = await checkCredentials(clients.sts, { account: config.account, configPath });
  if (credentials.status !== 'ok') return { results: [credentials], stack: undefined };

  const name = stackName(config);
  const stack = await readStack(clients.cloudFormation, name).catch((error: unknown) =>
    error instanceof Error ? error : new Error(String(error)),
  );
  const deployed = stack instanceof Error ? undefined : stack;
  const portalUrl =
    deployed?.outputs.PortalUrl ?? (config.portal ? `https://${config.portal.domainName}` : undefined);
  const region = config.region;

  const groups = await Promise.all([
    checkBootstrap(clients.ssm, {
      account: config.account,
      region,
      qualifier: options.qualifier,
      ...(options.latestBootstrapVersion ? { latestVersion: options.latestBootstrapVersion } : {}),
    }),
    checkStackState(name, region, stack),
    checkDeletionProtection(config.deletionProtection, configPath, stack),
    stack === undefined
      ? checkLeftoverTables(clients.dynamodb, { prefix: resourcePrefix(config), region, configPath })
      : ([] as CheckResult[]),
    checkSesReceiving(region),
    checkSesAccount(clients.sesv2, {
      region,
      company: config.company.name,
      ...(portalUrl ? { portalUrl } : {}),
    }),
    checkIdentities(clients.sesv2, {
      domains: config.support.domains,
      mode: config.support.identities,
      ownedByStack: deployed?.resources['AWS::SES::EmailIdentity'] ?? [],
      region,
      configPath,
    }),
    checkReceiptRuleSet(clients.ses, {
      ruleSetName: receiptRuleSetName(resourcePrefix(config)),
      region,
      activate: options.activateReceiptRules,
    }),
    checkDomainPrefix(clients.cognito, {
      prefix: config.auth.domainPrefix,
      region,
      account: config.account,
      configPath,
      ...(deployed?.outputs.UserPoolId ? { userPoolId: deployed.outputs.UserPoolId } : {}),
    }),
    config.portal ? checkCertificate(clients.acm, config.portal) : ([] as CheckResult[]),
    checkFederationSecrets(clients.secretsManager, { secrets: federationSecrets(config), region }),
    checkLambdaConcurrency(clients.lambda, { region }),
    config.cloudOperations.cloudTrail.enabled && clients.cloudTrail
      ? clients.cloudTrail().then((client) => checkTrailLogging(client, { region, configPath }))
      : ([] as CheckResult[]),
  ]);
  return { results: [credentials, ...groups.flat()], stack: deployed };
}
