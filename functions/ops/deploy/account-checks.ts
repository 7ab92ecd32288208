import {
  type ACMClient,
  DescribeCertificateCommand,
  type DescribeCertificateCommandOutput,
} from '@aws-sdk/client-acm';
import {
  type CognitoIdentityProviderClient,
  DescribeUserPoolDomainCommand,
  type DescribeUserPoolDomainCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  GetAccountSettingsCommand,
  type GetAccountSettingsCommandOutput,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type CheckResult, couldNotCheck, errorName, fix, ok, todo } from './check.ts';

/**
 * The managed-login prefix is free, or already this stack's. Prefixes are unique per region
 * across all AWS accounts, and a taken one fails the deploy late, after the user pool exists.
 */
export async function checkDomainPrefix(
  cognito: Pick<CognitoIdentityProviderClient, 'send'>,
  target: {
    readonly prefix: string;
    readonly region: string;
    readonly account: string;
    /** The deployed stack's user pool (its UserPoolId output), when it exists. */
    readonly userPoolId?: string;
    readonly configPath: string;
  },
): Promise<CheckResult> {
  const name = 'cognito domain';
  const host = `${target.prefix}.auth.${target.region}.amazoncognito.com`;
  let answer: DescribeUserPoolDomainCommandOutput;
  try {
    answer = await cognito.send(new DescribeUserPoolDomainCommand({ Domain: target.prefix }));
  } catch (error) {
    return couldNotCheck(name, `cognito-idp:DescribeUserPoolDomain on ${target.prefix}`, error);
  }
  const domain = answer.DomainDescription;
  if (!domain?.UserPoolId) return ok(name, `${host} is free`);
  if (target.userPoolId && domain.UserPoolId === target.userPoolId) {
    return ok(name, `${host} already belongs to this stack's user pool`);
  }
  const owner =
    domain.AWSAccountId === target.account
      ? `user pool ${domain.UserPoolId} in this account`
      : 'another AWS account';
  return fix(
    name,
    `${host} is taken by ${owner}: choose another auth.domainPrefix in ${target.configPath} (e.g. <company>-spoke-<stage>)`,
  );
}

/** `*.example.com` covers `help.example.com` but not `a.help.example.com` or `example.com`. */
const covers = (pattern: string, host: string) =>
  pattern === host || (pattern.startsWith('*.') && host.slice(host.indexOf('.') + 1) === pattern.slice(2));

/**
 * The portal's certificate is issued, covers the portal domain and lives in us-east-1, the only
 * region CloudFront takes certificates from. CloudFront refuses a pending one mid-deploy.
 */
export async function checkCertificate(
  acm: Pick<ACMClient, 'send'>,
  target: { readonly certificateArn: string; readonly domainName: string },
): Promise<CheckResult> {
  const name = 'portal certificate';
  const request = `aws acm request-certificate --region us-east-1 --domain-name ${target.domainName} --validation-method DNS`;
  let answer: DescribeCertificateCommandOutput;
  try {
    answer = await acm.send(new DescribeCertificateCommand({ CertificateArn: target.certificateArn }));
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') {
      return fix(
        name,
        `${target.certificateArn} does not exist in us-east-1: request one (${request}), validate it, and put its ARN in portal.certificateArn`,
      );
    }
    return couldNotCheck(name, `acm:DescribeCertificate on ${target.certificateArn} in us-east-1`, error);
  }
  const certificate = answer.Certificate ?? {};
  const names = [certificate.DomainName, ...(certificate.SubjectAlternativeNames ?? [])].filter(
    (n): n is string => Boolean(n),
  );
  if (certificate.Status === 'PENDING_VALIDATION') {
    const records = (certificate.DomainValidationOptions ?? []).flatMap((option) =>
      option.ResourceRecord
        ? [`${option.ResourceRecord.Name} ${option.ResourceRecord.Type} ${option.ResourceRecord.Value}`]
        : [],
    );
    return fix(
      name,
      [
        `${target.certificateArn} is waiting for DNS validation: publish these records and wait until ACM shows it ISSUED (minutes once DNS answers):`,
        ...records,
      ].join('\n'),
    );
  }
  if (certificate.Status !== 'ISSUED') {
    return fix(
      name,
      `${target.certificateArn} is ${certificate.Status ?? 'in an unknown state'}: request a new one (${request}), validate it, and put its ARN in portal.certificateArn`,
    );
  }
  if (!names.some((pattern) => covers(pattern.toLowerCase(), target.domainName))) {
    return fix(
      name,
      `${target.certificateArn} is for ${names.join(', ')}, not ${target.domainName}: request one that covers it (${request})`,
    );
  }
  const expires = certificate.NotAfter
    ? `, valid until ${certificate.NotAfter.toISOString().slice(0, 10)}`
    : '';
  return ok(name, `ISSUED for ${target.domainName} in us-east-1${expires}`);
}

/**
 * Each client secret the config names exists in Secrets Manager in the stack's region.
 * CloudFormation resolves `{{resolve:secretsmanager:…}}` during the deploy and fails the
 * identity provider (and with it the stack) when the secret is missing or scheduled for deletion.
 */
export async function checkFederationSecrets(
  secretsManager: Pick<SecretsManagerClient, 'send'>,
  target: {
    readonly secrets: readonly { readonly provider: string; readonly secretName: string }[];
    readonly region: string;
  },
): Promise<CheckResult[]> {
  if (target.secrets.length === 0) {
    return [ok('federation secrets', 'none needed (no OIDC or Google provider in the config)')];
  }
  const results: CheckResult[] = [];
  for (const { provider, secretName } of target.secrets) {
    const name = `secret for ${provider}`;
    const create = `aws secretsmanager create-secret --region ${target.region} --name ${secretName} --secret-string '<the client secret ${provider} issued>'`;
    let answer: DescribeSecretCommandOutput;
    try {
      answer = await secretsManager.send(new DescribeSecretCommand({ SecretId: secretName }));
    } catch (error) {
      results.push(
        errorName(error) === 'ResourceNotFoundException'
          ? fix(name, `${secretName} does not exist in ${target.region}: ${create}`)
          : couldNotCheck(name, `secretsmanager:DescribeSecret on ${secretName}`, error),
      );
      continue;
    }
    if (answer.DeletedDate) {
      results.push(
        fix(
          name,
          `${secretName} is scheduled for deletion: aws secretsmanager restore-secret --secret-id ${secretName} --region ${target.region}`,
        ),
      );
      continue;
    }
    results.push(ok(name, `${answer.Name ?? secretName} exists`));
  }
  return results;
}

/**
 * The functions all draw on the account's regional concurrency quota. New accounts get as few as
 * 10, which a burst of mail or one busy morning exhausts (throttled API calls, delayed mail).
 */
export const recommendedConcurrency = 100;

export async function checkLambdaConcurrency(
  lambda: Pick<LambdaClient, 'send'>,
  target: { readonly region: string },
): Promise<CheckResult> {
  const name = 'lambda concurrency';
  let answer: GetAccountSettingsCommandOutput;
  try {
    answer = await lambda.send(new GetAccountSettingsCommand({}));
  } catch (error) {
    return couldNotCheck(name, 'lambda:GetAccountSettings', error);
  }
  const limit = answer.AccountLimit?.ConcurrentExecutions ?? 0;
  const unreserved = answer.AccountLimit?.UnreservedConcurrentExecutions ?? limit;
  if (limit < recommendedConcurrency) {
    return todo(
      name,
      `the account may run only ${limit} Lambda functions at once in ${target.region} (${unreserved} unreserved); Spoke's API and mail would be throttled under load. Ask for more (free, reviewed by AWS): aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value 1000 --region ${target.region}`,
    );
  }
  return ok(name, `${limit} concurrent executions (${unreserved} unreserved)`);
}
