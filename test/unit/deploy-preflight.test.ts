import {
  ACMClient,
  ResourceNotFoundException as AcmNotFound,
  DescribeCertificateCommand,
} from '@aws-sdk/client-acm';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolDomainCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException as DynamoNotFound,
} from '@aws-sdk/client-dynamodb';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeSecretCommand,
  ResourceNotFoundException as SecretNotFound,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  DescribeActiveReceiptRuleSetCommand,
  type DescribeActiveReceiptRuleSetCommandOutput,
  DescribeReceiptRuleSetCommand,
  SESClient,
  SetActiveReceiptRuleSetCommand,
} from '@aws-sdk/client-ses';
import {
  GetAccountCommand,
  type GetAccountCommandOutput,
  GetEmailIdentityCommand,
  type GetEmailIdentityCommandOutput,
  NotFoundException,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  checkCertificate,
  checkDomainPrefix,
  checkFederationSecrets,
  checkLambdaConcurrency,
} from '#ops/deploy/account-checks.ts';
import { bootstrapQualifier, checkBootstrap, cliBootstrapVersion } from '#ops/deploy/bootstrap.ts';
import { couldNotCheck, formatResult, summarize } from '#ops/deploy/check.ts';
import { checkCredentials, NoCredentialsError } from '#ops/deploy/credentials.ts';
import { checkLeftoverTables } from '#ops/deploy/leftovers.ts';
import {
  activateReceiptRuleSet,
  checkIdentities,
  checkReceiptRuleSet,
  checkSesAccount,
  checkSesReceiving,
} from '#ops/deploy/ses.ts';
import { checkDeletionProtection, checkStackState, readStack } from '#ops/deploy/stack.ts';

const meta = { $metadata: {} };
/** The error the SDK's credential chain throws when it finds nothing (from @smithy/property-provider). */
const noCredentials = () =>
  Object.assign(new Error('Could not load credentials from any providers'), {
    name: 'CredentialsProviderError',
  });
const accessDenied = () =>
  Object.assign(new Error('User: arn:aws:iam::111122223333:user/ci is not authorized to perform: x'), {
    name: 'AccessDeniedException',
  });

describe('credentials', () => {
  const stsClient = new STSClient({ region: 'eu-west-1' });
  const sts = mockClient(stsClient);
  beforeEach(() => sts.reset());

  it('is ok for the config account and names the caller', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:role/deployer', UserId: 'AROA' });
    const result = await checkCredentials(stsClient, { account: '111122223333', configPath: 'prod.json' });
    expect(result.status).toBe('ok');
    expect(result.message).toContain('arn:aws:iam::111122223333:role/deployer');
  });

  it('refuses another account and says to switch profile', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '444455556666', Arn: 'arn:aws:iam::444455556666:user/me' });
    const result = await checkCredentials(stsClient, { account: '111122223333', configPath: 'prod.json' });
    expect(result.status).toBe('fix');
    expect(result.message).toContain('account 444455556666');
    expect(result.message).toContain('AWS_PROFILE=<profile> npm run deploy');
  });

  it('stops with one line when there are no credentials', async () => {
    sts.on(GetCallerIdentityCommand).rejects(noCredentials());
    const attempt = checkCredentials(stsClient, { account: '111122223333', configPath: 'prod.json' });
    await expect(attempt).rejects.toBeInstanceOf(NoCredentialsError);
    await expect(attempt).rejects.toThrow(/^No AWS credentials: [^\n]+$/);
  });

  it('treats an expired session like none', async () => {
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('The security token included in the request is expired'), {
        name: 'ExpiredToken',
      }),
    );
    await expect(
      checkCredentials(stsClient, { account: '111122223333', configPath: 'p' }),
    ).rejects.toBeInstanceOf(NoCredentialsError);
  });
});

describe('cdk bootstrap', () => {
  const ssmClient = new SSMClient({ region: 'eu-west-1' });
  const ssm = mockClient(ssmClient);
  beforeEach(() => ssm.reset());
  const target = { account: '111122223333', region: 'eu-west-1', qualifier: 'hnb659fds' };

  it('reads the version parameter of the qualifier in use', async () => {
    ssm.on(GetParameterCommand, { Name: '/cdk-bootstrap/acme12345/version' }).resolves({
      Parameter: { Name: '/cdk-bootstrap/acme12345/version', Type: 'String', Value: '33' },
    });
    const result = await checkBootstrap(ssmClient, {
      ...target,
      qualifier: 'acme12345',
      latestVersion: 33,
    });
    expect(result).toMatchObject({ status: 'ok', message: 'version 33 with qualifier acme12345' });
  });

  it('notes an older but sufficient bootstrap without blocking', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '21' } });
    const result = await checkBootstrap(ssmClient, { ...target, latestVersion: 33 });
    expect(result.status).toBe('ok');
    expect(result.message).toContain(
      'this CDK CLI ships version 33; npx cdk bootstrap aws://111122223333/eu-west-1 upgrades it',
    );
  });

  it('gives the bootstrap command when the account is not bootstrapped', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', ...meta }));
    const result = await checkBootstrap(ssmClient, target);
    expect(result.status).toBe('fix');
    expect(result.message).toBe(
      '111122223333/eu-west-1 is not bootstrapped for qualifier hnb659fds (no SSM parameter /cdk-bootstrap/hnb659fds/version): run npx cdk bootstrap aws://111122223333/eu-west-1',
    );
  });

  it('bootstraps a custom qualifier into its own toolkit stack', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', ...meta }));
    const result = await checkBootstrap(ssmClient, { ...target, qualifier: 'acme12345' });
    expect(result.message).toContain(
      'npx cdk bootstrap aws://111122223333/eu-west-1 --qualifier acme12345 --toolkit-stack-name CDKToolkit-acme12345',
    );
  });

  it('refuses a bootstrap older than the synthesizer needs', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '5' } });
    const result = await checkBootstrap(ssmClient, target);
    expect(result).toMatchObject({ status: 'fix' });
    expect(result.message).toContain(
      'bootstrap version 5 for qualifier hnb659fds is older than the 6 this app needs',
    );
  });

  it('says which permission is missing when it cannot read the parameter', async () => {
    ssm.on(GetParameterCommand).rejects(accessDenied());
    const result = await checkBootstrap(ssmClient, target);
    expect(result.status).toBe('fix');
    expect(result.message).toContain('could not call ssm:GetParameter on /cdk-bootstrap/hnb659fds/version');
    expect(result.message).toContain(
      'allow ssm:GetParameter on /cdk-bootstrap/hnb659fds/version to the deploying role',
    );
  });

  it('takes the qualifier from -c first, then cdk.json, then CDK default', () => {
    const key = '@aws-cdk/core:bootstrapQualifier';
    expect(bootstrapQualifier({ [key]: 'fromcli' }, { context: { [key]: 'fromfile' } })).toBe('fromcli');
    expect(bootstrapQualifier({}, { context: { [key]: 'fromfile' } })).toBe('fromfile');
    expect(bootstrapQualifier({}, undefined)).toBe('hnb659fds');
  });

  it('reads the version the installed CDK CLI would bootstrap', () => {
    const version = cliBootstrapVersion('node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml');
    expect(version).toBeGreaterThanOrEqual(6);
    expect(cliBootstrapVersion('does/not/exist.yaml')).toBeUndefined();
  });
});

describe('stack state', () => {
  const cfnClient = new CloudFormationClient({ region: 'eu-west-1' });
  const cfn = mockClient(cfnClient);
  beforeEach(() => cfn.reset());

  it('reads outputs and owned resources across pages', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Spoke-prod',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [{ OutputKey: 'UserPoolId', OutputValue: 'eu-west-1_abc' }],
        },
      ],
    });
    cfn
      .on(ListStackResourcesCommand)
      .resolvesOnce({
        StackResourceSummaries: [
          {
            ResourceType: 'AWS::SES::EmailIdentity',
            PhysicalResourceId: 'help.example.com',
            LogicalResourceId: 'A',
            ResourceStatus: 'CREATE_COMPLETE',
            LastUpdatedTimestamp: new Date(),
          },
        ],
        NextToken: 'page2',
      })
      .resolvesOnce({
        StackResourceSummaries: [
          {
            ResourceType: 'AWS::SES::EmailIdentity',
            PhysicalResourceId: 'mail.example.com',
            LogicalResourceId: 'B',
            ResourceStatus: 'CREATE_COMPLETE',
            LastUpdatedTimestamp: new Date(),
          },
        ],
      });
    const stack = await readStack(cfnClient, 'Spoke-prod');
    expect(stack?.outputs).toEqual({ UserPoolId: 'eu-west-1_abc' });
    expect(stack?.resources['AWS::SES::EmailIdentity']).toEqual(['help.example.com', 'mail.example.com']);
    expect(checkStackState('Spoke-prod', 'eu-west-1', stack)).toMatchObject({ status: 'ok' });
  });

  it('is a first deploy when CloudFormation does not know the stack', async () => {
    cfn.on(DescribeStacksCommand).rejects(
      new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        message: 'Stack with id Spoke-prod does not exist',
        ...meta,
      }),
    );
    const stack = await readStack(cfnClient, 'Spoke-prod');
    expect(stack).toBeUndefined();
    expect(checkStackState('Spoke-prod', 'eu-west-1', stack).message).toBe(
      'Spoke-prod does not exist yet: this is its first deploy',
    );
  });

  it('blocks a deploy while another runs, or after a failed first deploy', () => {
    expect(checkStackState('Spoke-prod', 'eu-west-1', { status: 'UPDATE_IN_PROGRESS' })).toMatchObject({
      status: 'fix',
      message: expect.stringContaining(
        'aws cloudformation wait stack-update-complete --stack-name Spoke-prod',
      ),
    });
    expect(checkStackState('Spoke-prod', 'eu-west-1', { status: 'ROLLBACK_FAILED' }).message).toContain(
      'aws cloudformation delete-stack --stack-name Spoke-prod --region eu-west-1',
    );
    // The CDK CLI deletes a stack whose creation failed and rolled back before it creates it again.
    expect(checkStackState('Spoke-prod', 'eu-west-1', { status: 'ROLLBACK_COMPLETE' }).status).toBe('ok');
    expect(
      checkStackState('Spoke-prod', 'eu-west-1', { status: 'UPDATE_ROLLBACK_FAILED' }).message,
    ).toContain('aws cloudformation continue-update-rollback --stack-name Spoke-prod');
  });
});

describe('deletion protection', () => {
  it('is off for a first deploy and on afterwards', () => {
    expect(checkDeletionProtection(false, 'prod.json', undefined)).toMatchObject({ status: 'ok' });
    expect(checkDeletionProtection(true, 'prod.json', { status: 'UPDATE_COMPLETE' })).toMatchObject({
      status: 'ok',
    });
  });

  it('refuses it on a first deploy, whose rollback it would block', () => {
    const result = checkDeletionProtection(true, 'prod.json', undefined);
    expect(result.status).toBe('fix');
    expect(result.message).toContain(
      'set it to false in prod.json, deploy, then set it to true and deploy again',
    );
  });

  it('asks to turn it on once the stack exists', () => {
    expect(checkDeletionProtection(false, 'prod.json', { status: 'CREATE_COMPLETE' })).toEqual({
      name: 'deletion protection',
      status: 'todo',
      message:
        'the tables and the user pool can be deleted by anyone allowed to: set "deletionProtection": true in prod.json and deploy again',
    });
  });
});

describe('leftover tables', () => {
  const dynamodbClient = new DynamoDBClient({ region: 'eu-west-1' });
  const dynamodb = mockClient(dynamodbClient);
  beforeEach(() => dynamodb.reset());
  const target = { prefix: 'spoke-prod', region: 'eu-west-1', configPath: 'prod.json' };
  const notFound = () => new DynamoNotFound({ message: 'Requested resource not found', ...meta });

  it('is ok when no table of the stack name is left', async () => {
    dynamodb.on(DescribeTableCommand).rejects(notFound());
    expect(await checkLeftoverTables(dynamodbClient, target)).toMatchObject({ status: 'ok' });
    expect(dynamodb.commandCalls(DescribeTableCommand).map((call) => call.args[0].input.TableName)).toEqual([
      'spoke-prod-domain',
      'spoke-prod-idempotency',
    ]);
  });

  it('names a table an earlier stack left, and how to keep or remove it', async () => {
    dynamodb.on(DescribeTableCommand).rejects(notFound());
    dynamodb.on(DescribeTableCommand, { TableName: 'spoke-prod-domain' }).resolves({
      Table: { TableName: 'spoke-prod-domain', TableStatus: 'ACTIVE', DeletionProtectionEnabled: true },
    });
    const result = await checkLeftoverTables(dynamodbClient, target);
    expect(result.status).toBe('fix');
    const lines = result.message.split('\n');
    expect(lines[0]).toMatch(/^spoke-prod-domain is left from an earlier stack of this name/);
    expect(lines[0]).toContain('point restoredTables at it (docs/restore.md)');
    expect(lines[1]).toBe(
      'aws dynamodb update-table --region eu-west-1 --table-name spoke-prod-domain --no-deletion-protection-enabled && aws dynamodb delete-table --region eu-west-1 --table-name spoke-prod-domain',
    );
    expect(lines[2]).toBe('or deploy under another stage or "instance" in prod.json.');
  });
});

describe('SES', () => {
  const sesv2Client = new SESv2Client({ region: 'eu-west-1' });
  const sesv2 = mockClient(sesv2Client);
  const sesClient = new SESClient({ region: 'eu-west-1' });
  const ses = mockClient(sesClient);
  beforeEach(() => {
    sesv2.reset();
    ses.reset();
  });
  const account = {
    region: 'eu-west-1',
    company: 'Example Corp',
    portalUrl: 'https://servicedesk.example.com',
  };

  it('knows where SES receives mail', () => {
    expect(checkSesReceiving('eu-west-1')).toMatchObject({ status: 'ok' });
    expect(checkSesReceiving('eu-south-1')).toMatchObject({
      status: 'fix',
      message: expect.stringMatching(
        /^SES does not receive mail in eu-south-1: set "region" in the config to one that does \(us-east-1, /,
      ),
    });
  });

  it('is ok with production access and prints the quota', async () => {
    sesv2.on(GetAccountCommand).resolves({
      ProductionAccessEnabled: true,
      SendingEnabled: true,
      EnforcementStatus: 'HEALTHY',
      SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 12 },
    } satisfies Partial<GetAccountCommandOutput>);
    const result = await checkSesAccount(sesv2Client, account);
    expect(result).toEqual({
      name: 'ses production access',
      status: 'ok',
      message:
        'production access in eu-west-1, quota 50000 mails a day and 14 a second, 12 sent in the last 24 h',
    });
  });

  it('gives the production access request for a sandboxed account', async () => {
    sesv2.on(GetAccountCommand).resolves({
      ProductionAccessEnabled: false,
      SendingEnabled: true,
      SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 },
    });
    const result = await checkSesAccount(sesv2Client, account);
    expect(result.status).toBe('todo');
    expect(result.message).toContain('SES in eu-west-1 is in the sandbox');
    expect(result.message).toContain(
      'aws sesv2 put-account-details --region eu-west-1 --production-access-enabled --mail-type TRANSACTIONAL --website-url https://servicedesk.example.com',
    );
  });

  it('says a request is under review instead of asking again', async () => {
    sesv2.on(GetAccountCommand).resolves({
      ProductionAccessEnabled: false,
      Details: { ReviewDetails: { Status: 'PENDING', CaseId: '1234567890' } },
    });
    const result = await checkSesAccount(sesv2Client, account);
    expect(result.message).toContain('production access was requested (case 1234567890) and is under review');
    expect(result.message).not.toContain('put-account-details');
  });

  it('names a paused account', async () => {
    sesv2
      .on(GetAccountCommand)
      .resolves({ ProductionAccessEnabled: true, SendingEnabled: false, EnforcementStatus: 'SHUTDOWN' });
    const result = await checkSesAccount(sesv2Client, account);
    expect(result.message).toContain(
      'aws sesv2 put-account-sending-attributes --sending-enabled --region eu-west-1',
    );
  });

  const identityTarget = {
    domains: ['help.example.com'],
    mode: 'create' as const,
    ownedByStack: [] as string[],
    region: 'eu-west-1',
    configPath: 'prod.json',
  };
  const verified = {
    IdentityType: 'DOMAIN',
    VerifiedForSendingStatus: true,
    DkimAttributes: { Status: 'SUCCESS', Tokens: ['t1', 't2', 't3'], SigningEnabled: true },
  } satisfies Partial<GetEmailIdentityCommandOutput>;

  it('lets the stack create an identity that does not exist yet', async () => {
    sesv2.on(GetEmailIdentityCommand).rejects(new NotFoundException({ message: 'not found', ...meta }));
    const [result] = await checkIdentities(sesv2Client, identityTarget);
    expect(result).toMatchObject({ status: 'ok', name: 'ses identity help.example.com' });
  });

  it('refuses to create an identity someone else already made', async () => {
    sesv2.on(GetEmailIdentityCommand).resolves(verified);
    const [result] = await checkIdentities(sesv2Client, identityTarget);
    expect(result?.status).toBe('fix');
    expect(result?.message).toContain('set support.identities to "existing" in prod.json');
    expect(result?.message).toContain(
      'aws sesv2 delete-email-identity --email-identity help.example.com --region eu-west-1',
    );
  });

  it('is ok for the stack own verified identity', async () => {
    sesv2.on(GetEmailIdentityCommand).resolves(verified);
    const [result] = await checkIdentities(sesv2Client, {
      ...identityTarget,
      ownedByStack: ['help.example.com'],
    });
    expect(result).toMatchObject({ status: 'ok', message: 'verified, DKIM signing' });
  });

  it('lists the DKIM records still to publish', async () => {
    sesv2.on(GetEmailIdentityCommand).resolves({
      VerifiedForSendingStatus: false,
      DkimAttributes: { Status: 'PENDING', Tokens: ['abc', 'def'] },
    });
    const [result] = await checkIdentities(sesv2Client, { ...identityTarget, mode: 'existing' });
    expect(result?.status).toBe('todo');
    expect(result?.message.split('\n').slice(1)).toEqual([
      'abc._domainkey.help.example.com CNAME abc.dkim.amazonses.com',
      'def._domainkey.help.example.com CNAME def.dkim.amazonses.com',
    ]);
  });

  it('requires an existing identity when the config says so', async () => {
    sesv2.on(GetEmailIdentityCommand).rejects(new NotFoundException({ message: 'not found', ...meta }));
    const [result] = await checkIdentities(sesv2Client, { ...identityTarget, mode: 'existing' });
    expect(result?.status).toBe('fix');
    expect(result?.message).toContain(
      'aws sesv2 create-email-identity --email-identity help.example.com --region eu-west-1',
    );
  });

  const rules = { ruleSetName: 'spoke-prod-inbound', region: 'eu-west-1' };
  const otherActive = {
    Metadata: { Name: 'crm-inbound', CreatedTimestamp: new Date() },
    Rules: [{ Name: 'crm-leads', Enabled: true, Recipients: ['leads@example.com'] }],
  } satisfies Partial<DescribeActiveReceiptRuleSetCommandOutput>;

  it('is ok when the stack rule set is the active one', async () => {
    ses.on(DescribeActiveReceiptRuleSetCommand).resolves({ Metadata: { Name: 'spoke-prod-inbound' } });
    expect(await checkReceiptRuleSet(sesClient, { ...rules, activate: false })).toMatchObject({
      status: 'ok',
    });
  });

  it('says how to activate when none is active', async () => {
    ses.on(DescribeActiveReceiptRuleSetCommand).resolves({});
    expect(await checkReceiptRuleSet(sesClient, { ...rules, activate: true })).toMatchObject({
      status: 'ok',
    });
    const later = await checkReceiptRuleSet(sesClient, { ...rules, activate: false });
    expect(later.status).toBe('todo');
    expect(later.message).toContain('--activate-receipt-rules');
    expect(later.message).toContain(
      'aws ses set-active-receipt-rule-set --rule-set-name spoke-prod-inbound --region eu-west-1',
    );
  });

  it('explains how to merge into another application active rule set', async () => {
    ses.on(DescribeActiveReceiptRuleSetCommand).resolves(otherActive);
    const result = await checkReceiptRuleSet(sesClient, { ...rules, activate: true });
    expect(result.status).toBe('todo');
    expect(result.message).toContain('crm-inbound (crm-leads) is the active rule set in eu-west-1');
    expect(result.message).toContain(
      'aws ses create-receipt-rule --rule-set-name crm-inbound --rule file://spoke-rule.json --region eu-west-1',
    );
  });

  it('activates the stack rule set when none is active', async () => {
    ses.on(DescribeActiveReceiptRuleSetCommand).resolves({});
    ses.on(DescribeReceiptRuleSetCommand).resolves({
      Metadata: { Name: 'spoke-prod-inbound' },
      Rules: [{ Name: 'Support', Recipients: ['support@help.example.com'] }],
    });
    ses.on(SetActiveReceiptRuleSetCommand).resolves({});
    const result = await activateReceiptRuleSet(sesClient, rules);
    expect(result.activated).toBe(true);
    expect(result.message).toContain('SES accepts mail for support@help.example.com');
    expect(ses.commandCalls(SetActiveReceiptRuleSetCommand)[0]?.args[0].input).toEqual({
      RuleSetName: 'spoke-prod-inbound',
    });
  });

  it('never switches off another application rule set', async () => {
    ses.on(DescribeActiveReceiptRuleSetCommand).resolves(otherActive);
    const result = await activateReceiptRuleSet(sesClient, rules);
    expect(result.activated).toBe(false);
    expect(ses.commandCalls(SetActiveReceiptRuleSetCommand)).toHaveLength(0);
  });
});

describe('Cognito domain prefix', () => {
  const cognitoClient = new CognitoIdentityProviderClient({ region: 'eu-west-1' });
  const cognito = mockClient(cognitoClient);
  beforeEach(() => cognito.reset());
  const target = {
    prefix: 'example-spoke',
    region: 'eu-west-1',
    account: '111122223333',
    configPath: 'prod.json',
  };

  it('is ok when free', async () => {
    cognito.on(DescribeUserPoolDomainCommand).resolves({ DomainDescription: {} });
    expect(await checkDomainPrefix(cognitoClient, target)).toMatchObject({
      status: 'ok',
      message: 'example-spoke.auth.eu-west-1.amazoncognito.com is free',
    });
  });

  it('is ok when it is already the stack own', async () => {
    cognito.on(DescribeUserPoolDomainCommand).resolves({
      DomainDescription: {
        UserPoolId: 'eu-west-1_abc',
        AWSAccountId: '111122223333',
        Domain: 'example-spoke',
        Status: 'ACTIVE',
      },
    });
    expect(await checkDomainPrefix(cognitoClient, { ...target, userPoolId: 'eu-west-1_abc' })).toMatchObject({
      status: 'ok',
    });
  });

  it('asks for another prefix when taken', async () => {
    cognito.on(DescribeUserPoolDomainCommand).resolves({
      DomainDescription: {
        UserPoolId: 'eu-west-1_zzz',
        AWSAccountId: '999988887777',
        Domain: 'example-spoke',
      },
    });
    expect(await checkDomainPrefix(cognitoClient, target)).toEqual({
      name: 'cognito domain',
      status: 'fix',
      message:
        'example-spoke.auth.eu-west-1.amazoncognito.com is taken by another AWS account: choose another auth.domainPrefix in prod.json (e.g. <company>-spoke-<stage>)',
    });
  });
});

describe('portal certificate', () => {
  const acmClient = new ACMClient({ region: 'us-east-1' });
  const acm = mockClient(acmClient);
  beforeEach(() => acm.reset());
  const target = {
    certificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/0f1e2d3c',
    domainName: 'servicedesk.example.com',
  };

  it('is ok when issued for the domain (a wildcard covers it)', async () => {
    acm.on(DescribeCertificateCommand).resolves({
      Certificate: {
        Status: 'ISSUED',
        DomainName: '*.example.com',
        NotAfter: new Date('2027-06-01T00:00:00Z'),
      },
    });
    expect(await checkCertificate(acmClient, target)).toMatchObject({
      status: 'ok',
      message: 'ISSUED for servicedesk.example.com in us-east-1, valid until 2027-06-01',
    });
  });

  it('lists the validation records of a pending certificate', async () => {
    acm.on(DescribeCertificateCommand).resolves({
      Certificate: {
        Status: 'PENDING_VALIDATION',
        DomainName: 'servicedesk.example.com',
        DomainValidationOptions: [
          {
            DomainName: 'servicedesk.example.com',
            ResourceRecord: {
              Name: '_x1.servicedesk.example.com.',
              Type: 'CNAME',
              Value: '_y1.acm-validations.aws.',
            },
          },
        ],
      },
    });
    const result = await checkCertificate(acmClient, target);
    expect(result.status).toBe('fix');
    expect(result.message.split('\n')[1]).toBe('_x1.servicedesk.example.com. CNAME _y1.acm-validations.aws.');
  });

  it('refuses a certificate for another name, or one that is missing or expired', async () => {
    acm
      .on(DescribeCertificateCommand)
      .resolves({ Certificate: { Status: 'ISSUED', DomainName: 'other.example.org' } });
    expect((await checkCertificate(acmClient, target)).message).toContain(
      'is for other.example.org, not servicedesk.example.com',
    );
    acm
      .on(DescribeCertificateCommand)
      .resolves({ Certificate: { Status: 'EXPIRED', DomainName: 'servicedesk.example.com' } });
    expect((await checkCertificate(acmClient, target)).message).toContain(
      'is EXPIRED: request a new one (aws acm request-certificate --region us-east-1 --domain-name servicedesk.example.com --validation-method DNS)',
    );
    acm.on(DescribeCertificateCommand).rejects(new AcmNotFound({ message: 'no such certificate', ...meta }));
    expect((await checkCertificate(acmClient, target)).message).toContain('does not exist in us-east-1');
  });
});

describe('federation secrets', () => {
  const secretsClient = new SecretsManagerClient({ region: 'eu-west-1' });
  const secrets = mockClient(secretsClient);
  beforeEach(() => secrets.reset());
  const target = { secrets: [{ provider: 'Okta', secretName: 'spoke/prod/okta' }], region: 'eu-west-1' };

  it('is ok when each named secret exists', async () => {
    secrets.on(DescribeSecretCommand).resolves({
      Name: 'spoke/prod/okta',
      ARN: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:spoke/prod/okta-AbCdEf',
    });
    expect(await checkFederationSecrets(secretsClient, target)).toEqual([
      { name: 'secret for Okta', status: 'ok', message: 'spoke/prod/okta exists' },
    ]);
  });

  it('gives the create-secret command for a missing one', async () => {
    secrets.on(DescribeSecretCommand).rejects(new SecretNotFound({ message: 'not found', ...meta }));
    const [result] = await checkFederationSecrets(secretsClient, target);
    expect(result?.status).toBe('fix');
    expect(result?.message).toBe(
      "spoke/prod/okta does not exist in eu-west-1: aws secretsmanager create-secret --region eu-west-1 --name spoke/prod/okta --secret-string '<the client secret Okta issued>'",
    );
  });

  it('restores one scheduled for deletion', async () => {
    secrets.on(DescribeSecretCommand).resolves({ Name: 'spoke/prod/okta', DeletedDate: new Date() });
    const [result] = await checkFederationSecrets(secretsClient, target);
    expect(result?.message).toContain(
      'aws secretsmanager restore-secret --secret-id spoke/prod/okta --region eu-west-1',
    );
  });

  it('needs none without OIDC or Google providers', async () => {
    expect(await checkFederationSecrets(secretsClient, { secrets: [], region: 'eu-west-1' })).toMatchObject([
      { status: 'ok' },
    ]);
    expect(secrets.calls()).toHaveLength(0);
  });
});

describe('Lambda concurrency', () => {
  const lambdaClient = new LambdaClient({ region: 'eu-west-1' });
  const lambda = mockClient(lambdaClient);
  beforeEach(() => lambda.reset());

  it('is ok with room to run', async () => {
    lambda
      .on(GetAccountSettingsCommand)
      .resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 } });
    expect(await checkLambdaConcurrency(lambdaClient, { region: 'eu-west-1' })).toMatchObject({
      status: 'ok',
    });
  });

  it('asks for a quota increase in a new account', async () => {
    lambda
      .on(GetAccountSettingsCommand)
      .resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
    const result = await checkLambdaConcurrency(lambdaClient, { region: 'eu-west-1' });
    expect(result.status).toBe('todo');
    expect(result.message).toContain(
      'aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value 1000 --region eu-west-1',
    );
  });

  it('reports a denied call as a fix naming the permission', async () => {
    lambda.on(GetAccountSettingsCommand).rejects(accessDenied());
    expect((await checkLambdaConcurrency(lambdaClient, { region: 'eu-west-1' })).message).toContain(
      'allow lambda:GetAccountSettings to the deploying role',
    );
  });
});

describe('output', () => {
  it('prints ok, FIX and TODO lines with continuation lines indented', () => {
    expect(formatResult({ name: 'a', status: 'ok', message: 'fine' })).toBe('  ok    a: fine');
    expect(formatResult({ name: 'b', status: 'todo', message: 'do this:\nrecord 1' })).toBe(
      '  TODO  b: do this:\n        record 1',
    );
    expect(formatResult(couldNotCheck('c', 'x:Y', new Error('boom')))).toBe(
      '  FIX   c: could not call x:Y (Error: boom)',
    );
  });

  it('summarizes what blocks and what is left', () => {
    expect(summarize([{ name: 'a', status: 'ok', message: '' }])).toBe('All 1 checks passed.');
    expect(
      summarize([
        { name: 'a', status: 'fix', message: '' },
        { name: 'b', status: 'todo', message: '' },
      ]),
    ).toBe('1 to fix before deploying; 1 to do before Spoke works fully.');
  });
});
