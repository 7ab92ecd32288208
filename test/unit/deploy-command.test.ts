import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
  ListStackResourcesCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolDomainCommand,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  DescribeActiveReceiptRuleSetCommand,
  DescribeReceiptRuleSetCommand,
  SESClient,
  SetActiveReceiptRuleSetCommand,
} from '@aws-sdk/client-ses';
import {
  GetAccountCommand,
  GetEmailIdentityCommand,
  NotFoundException,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createAdminCommand } from '#ops/create-admin.ts';
import { type DeployDependencies, deploy } from '#ops/deploy/deploy.ts';

const meta = { $metadata: {} };
const missingStack = () =>
  new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    message: 'Stack with id Spoke-prod does not exist',
    ...meta,
  });

const spokeProd = {
  StackName: 'Spoke-prod',
  StackStatus: 'CREATE_COMPLETE',
  CreationTime: new Date('2026-12-01T10:00:00Z'),
  Description: 'Spoke service desk for Example Corp (prod)',
  Outputs: [
    { OutputKey: 'PortalUrl', OutputValue: 'https://servicedesk.example.com' },
    { OutputKey: 'UserPoolId', OutputValue: 'eu-west-1_Abc123' },
    {
      OutputKey: 'DnsRecord2',
      OutputValue: 'abc._domainkey.help.example.com CNAME abc.dkim.amazonses.com',
    },
    {
      OutputKey: 'DnsRecord1',
      OutputValue: 'help.example.com MX 10 inbound-smtp.eu-west-1.amazonaws.com',
    },
    {
      OutputKey: 'OidcRedirectUri',
      OutputValue: 'https://example-corp-spoke.auth.eu-west-1.amazoncognito.com/oauth2/idpresponse',
    },
  ],
} satisfies Stack;
const deployedStack = { Stacks: [spokeProd] } satisfies Partial<DescribeStacksCommandOutput>;

/**
 * A fresh, ready account for infra/configs/example.json (account 111122223333, eu-west-1, a
 * portal certificate and an Okta secret): every check passes and the stack does not exist yet.
 */
function readyAccount() {
  const clients = {
    sts: new STSClient({ region: 'eu-west-1' }),
    ssm: new SSMClient({ region: 'eu-west-1' }),
    cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
    dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
    sesv2: new SESv2Client({ region: 'eu-west-1' }),
    ses: new SESClient({ region: 'eu-west-1' }),
    cognito: new CognitoIdentityProviderClient({ region: 'eu-west-1' }),
    acm: new ACMClient({ region: 'us-east-1' }),
    secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
    lambda: new LambdaClient({ region: 'eu-west-1' }),
  };
  const stubs = {
    sts: mockClient(clients.sts),
    ssm: mockClient(clients.ssm),
    cloudFormation: mockClient(clients.cloudFormation),
    dynamodb: mockClient(clients.dynamodb),
    sesv2: mockClient(clients.sesv2),
    ses: mockClient(clients.ses),
    cognito: mockClient(clients.cognito),
    acm: mockClient(clients.acm),
    secretsManager: mockClient(clients.secretsManager),
    lambda: mockClient(clients.lambda),
  };
  stubs.sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:role/deployer' });
  stubs.ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '33' } });
  stubs.cloudFormation.on(DescribeStacksCommand).rejects(missingStack());
  stubs.cloudFormation.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
  stubs.dynamodb
    .on(DescribeTableCommand)
    .rejects(new ResourceNotFoundException({ message: 'Requested resource not found', ...meta }));
  stubs.sesv2.on(GetAccountCommand).resolves({
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 0 },
  });
  stubs.sesv2.on(GetEmailIdentityCommand).rejects(new NotFoundException({ message: 'not found', ...meta }));
  stubs.ses.on(DescribeActiveReceiptRuleSetCommand).resolves({});
  stubs.ses
    .on(DescribeReceiptRuleSetCommand)
    .resolves({ Rules: [{ Name: 'Support', Recipients: ['support@help.example.com'] }] });
  stubs.ses.on(SetActiveReceiptRuleSetCommand).resolves({});
  stubs.cognito.on(DescribeUserPoolDomainCommand).resolves({ DomainDescription: {} });
  stubs.acm.on(DescribeCertificateCommand).resolves({
    Certificate: { Status: 'ISSUED', DomainName: 'servicedesk.example.com' },
  });
  stubs.secretsManager.on(DescribeSecretCommand).resolves({ Name: 'spoke/prod/okta-client-secret' });
  stubs.lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 1000 } });
  return { clients, stubs };
}

function harness(account = readyAccount(), exitCodes: number[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const runs: { command: string; args: readonly string[]; env?: NodeJS.ProcessEnv }[] = [];
  const deps: DeployDependencies = {
    clients: () => account.clients,
    run: async (command, args, env) => {
      runs.push({ command, args, ...(env ? { env } : {}) });
      return exitCodes.shift() ?? 0;
    },
    log: (line) => out.push(line),
    error: (line) => err.push(line),
    cdkJson: { context: {} },
    latestBootstrapVersion: 33,
  };
  return { deps, out, err, runs, ...account };
}

describe('npm run deploy', () => {
  it('--dry-run prints every check and deploys nothing', async () => {
    const h = harness();
    const code = await deploy(['-c', 'config=infra/configs/example.json', '--dry-run'], h.deps);
    expect(code).toBe(0);
    expect(h.out[0]).toBe('Preflight for Spoke-prod in 111122223333/eu-west-1 (infra/configs/example.json)');
    const names = h.out.slice(1, -1).map((line) => /^ {2}\S+\s+([^:]+):/.exec(line)?.[1]);
    expect(names).toEqual([
      'credentials',
      'cdk bootstrap',
      'stack',
      'deletion protection',
      'leftover tables',
      'ses receiving',
      'ses production access',
      'ses identity help.example.com',
      'receipt rule set',
      'cognito domain',
      'portal certificate',
      'secret for Okta',
      'lambda concurrency',
    ]);
    expect(h.runs).toHaveLength(0);
  });

  it('--dry-run exits 1 when a check blocks the deploy', async () => {
    const h = harness();
    h.stubs.ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'nope', ...meta }));
    const code = await deploy(['-c', 'config=infra/configs/example.json', '--dry-run'], h.deps);
    expect(code).toBe(1);
    expect(h.out.find((line) => line.includes('FIX   cdk bootstrap'))).toContain(
      'run npx cdk bootstrap aws://111122223333/eu-west-1',
    );
  });

  it('without credentials says so in one line and exits 2', async () => {
    const h = harness();
    h.stubs.sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const code = await deploy(['-c', 'config=infra/configs/example.json'], h.deps);
    expect(code).toBe(2);
    expect(h.out).toEqual([]);
    expect(h.err).toHaveLength(1);
    expect(h.err[0]).toMatch(/^No AWS credentials: .*nothing was checked or deployed\.$/);
    expect(h.runs).toHaveLength(0);
  });

  it('with another account credentials asks nothing else and deploys nothing', async () => {
    const h = harness();
    h.stubs.sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '444455556666', Arn: 'arn:aws:iam::444455556666:user/me' });
    const code = await deploy(['-c', 'config=infra/configs/example.json'], h.deps);
    expect(code).toBe(1);
    expect(h.stubs.ssm.calls()).toHaveLength(0);
    expect(h.err).toEqual(['Nothing was deployed: fix the FIX lines above, then run the command again.']);
    expect(h.runs).toHaveLength(0);
  });

  it('builds the portal, runs cdk deploy, activates the rule set and prints the next steps', async () => {
    const h = harness();
    h.stubs.cloudFormation.on(DescribeStacksCommand).rejectsOnce(missingStack()).resolves(deployedStack);
    const code = await deploy(
      [
        '-c',
        'config=infra/configs/example.json',
        '-c',
        '@aws-cdk/core:bootstrapQualifier=acme12345',
        '--activate-receipt-rules',
        '--',
        '--require-approval',
        'never',
      ],
      h.deps,
    );
    expect(code).toBe(0);
    expect(h.runs[0]).toMatchObject({ command: 'npm', args: ['run', 'build:web'] });
    const cdk = h.runs[1];
    expect(cdk?.command).toBe(process.execPath);
    expect(cdk?.args[0]).toMatch(/node_modules\/aws-cdk\/bin\/cdk$/);
    expect(cdk?.args.slice(1)).toEqual([
      'deploy',
      'Spoke-prod',
      '--no-notices',
      '-c',
      'config=infra/configs/example.json',
      '-c',
      '@aws-cdk/core:bootstrapQualifier=acme12345',
      '--require-approval',
      'never',
    ]);
    expect(cdk?.env?.CDK_DISABLE_CLI_TELEMETRY).toBe('true');
    expect(cdk?.env?.PATH?.split(delimiter)[0]).toBe(dirname(process.execPath));
    expect(h.stubs.ssm.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({
      Name: '/cdk-bootstrap/acme12345/version',
    });
    expect(h.stubs.ses.commandCalls(SetActiveReceiptRuleSetCommand)[0]?.args[0].input).toEqual({
      RuleSetName: 'spoke-prod-inbound',
    });
    const tail = h.out.slice(h.out.indexOf('Next steps (docs/deploy.md):'));
    expect(tail).toEqual([
      'Next steps (docs/deploy.md):',
      '  1. Publish these DNS records (name type value):',
      '     help.example.com MX 10 inbound-smtp.eu-west-1.amazonaws.com',
      '     abc._domainkey.help.example.com CNAME abc.dkim.amazonses.com',
      '  2. Register Spoke at your identity provider:',
      '     OidcRedirectUri: https://example-corp-spoke.auth.eu-west-1.amazoncognito.com/oauth2/idpresponse',
      '  3. Create the first admin: npm run admin:create -- --email <you@help.example.com> -c config=infra/configs/example.json',
    ]);
  });

  it('deploys nothing when a check blocks it', async () => {
    const h = harness();
    h.stubs.cognito
      .on(DescribeUserPoolDomainCommand)
      .resolves({ DomainDescription: { UserPoolId: 'eu-west-1_other', AWSAccountId: '999988887777' } });
    expect(await deploy(['-c', 'config=infra/configs/example.json'], h.deps)).toBe(1);
    expect(h.runs).toHaveLength(0);
  });

  it('stops when the portal does not build or cdk deploy fails', async () => {
    const noBuild = harness(readyAccount(), [1]);
    expect(await deploy(['-c', 'config=infra/configs/example.json'], noBuild.deps)).toBe(1);
    expect(noBuild.runs).toHaveLength(1);
    const failed = harness(readyAccount(), [0, 1]);
    expect(
      await deploy(['-c', 'config=infra/configs/example.json', '--activate-receipt-rules'], failed.deps),
    ).toBe(1);
    expect(failed.err.at(-1)).toContain('cdk deploy failed (exit 1)');
    expect(failed.stubs.ses.commandCalls(SetActiveReceiptRuleSetCommand)).toHaveLength(0);
  });

  it('does not switch off another application rule set, and says how to merge', async () => {
    const h = harness();
    h.stubs.ses
      .on(DescribeActiveReceiptRuleSetCommand)
      .resolves({ Metadata: { Name: 'crm-inbound' }, Rules: [{ Name: 'leads' }] });
    h.stubs.cloudFormation.on(DescribeStacksCommand).rejectsOnce(missingStack()).resolves(deployedStack);
    expect(
      await deploy(['-c', 'config=infra/configs/example.json', '--activate-receipt-rules'], h.deps),
    ).toBe(1);
    expect(h.stubs.ses.commandCalls(SetActiveReceiptRuleSetCommand)).toHaveLength(0);
    expect(h.err.join('\n')).toContain('aws ses create-receipt-rule --rule-set-name crm-inbound');
    expect(h.out).toContain(
      '  3. Once MX points at SES, receive mail: npm run deploy -- -c config=infra/configs/example.json --activate-receipt-rules',
    );
  });

  it('refuses to run without a config, or with a broken one', async () => {
    const none = harness();
    expect(await deploy(['--dry-run'], none.deps)).toBe(2);
    expect(none.err[0]).toMatch(/^no config given: npm run deploy -- -c config=<file>/);
    const broken = harness();
    expect(await deploy(['-c', 'config=does/not/exist.json'], broken.deps)).toBe(2);
    expect(broken.err[0]).toBe('Cannot read Spoke config does/not/exist.json');
    const two = harness();
    expect(await deploy(['-c', 'config=a.json,b.json'], two.deps)).toBe(2);
    const typo = harness();
    expect(await deploy(['-c', 'config=infra/configs/example.json', '--dryrun'], typo.deps)).toBe(2);
    expect(typo.err[0]).toMatch(/^Unknown option '--dryrun'[\s\S]*\n\nnpm run deploy -- -c config=<file>/);
    expect(typo.stubs.sts.calls()).toHaveLength(0);
  });
});

describe('npm run admin:create', () => {
  function admin(stacks: Partial<DescribeStacksCommandOutput> | Error = deployedStack) {
    const cloudFormation = new CloudFormationClient({ region: 'eu-west-1' });
    const cognito = new CognitoIdentityProviderClient({ region: 'eu-west-1' });
    const cfnStub = mockClient(cloudFormation);
    if (stacks instanceof Error) cfnStub.on(DescribeStacksCommand).rejects(stacks);
    else cfnStub.on(DescribeStacksCommand).resolves(stacks);
    const cognitoStub = mockClient(cognito);
    cognitoStub.on(AdminCreateUserCommand).resolves({ User: { Username: 'ada@help.example.com' } });
    cognitoStub.on(AdminAddUserToGroupCommand).resolves({});
    const out: string[] = [];
    const err: string[] = [];
    const deps = {
      cloudFormation: () => cloudFormation,
      cognito: () => cognito,
      region: 'eu-west-1',
      log: (line: string) => out.push(line),
      error: (line: string) => err.push(line),
    };
    return { deps, cfnStub, cognitoStub, out, err };
  }

  it('creates the user in the stack user pool and adds them to admins', async () => {
    const a = admin();
    expect(
      await createAdminCommand(
        ['--email', 'ada@help.example.com', '-c', 'config=infra/configs/minimal.json'],
        a.deps,
      ),
    ).toBe(0);
    expect(a.cfnStub.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({
      StackName: 'Spoke-dev',
    });
    expect(a.cognitoStub.commandCalls(AdminCreateUserCommand)[0]?.args[0].input).toEqual({
      UserPoolId: 'eu-west-1_Abc123',
      Username: 'ada@help.example.com',
      UserAttributes: [
        { Name: 'email', Value: 'ada@help.example.com' },
        { Name: 'email_verified', Value: 'true' },
      ],
      DesiredDeliveryMediums: ['EMAIL'],
    });
    expect(a.cognitoStub.commandCalls(AdminAddUserToGroupCommand)[0]?.args[0].input).toEqual({
      UserPoolId: 'eu-west-1_Abc123',
      Username: 'ada@help.example.com',
      GroupName: 'admins',
    });
    expect(a.out[0]).toContain('sign in at https://servicedesk.example.com');
  });

  it('adds an existing user to admins', async () => {
    const a = admin();
    a.cognitoStub
      .on(AdminCreateUserCommand)
      .rejects(new UsernameExistsException({ message: 'exists', ...meta }));
    expect(await createAdminCommand(['--email', 'ada@help.example.com'], a.deps)).toBe(0);
    expect(a.out[0]).toMatch(
      /^ada@help.example.com already existed in eu-west-1_Abc123 \(Spoke-prod\); they are now in admins/,
    );
    expect(a.cognitoStub.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(1);
  });

  it('without a config uses the only Spoke stack of the region, and asks when there are several', async () => {
    const two = admin({
      Stacks: [
        spokeProd,
        { ...spokeProd, StackName: 'Spoke-hr-prod' },
        {
          StackName: 'SomethingElse',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Description: 'other',
        },
      ],
    });
    expect(await createAdminCommand(['--email', 'ada@help.example.com'], two.deps)).toBe(1);
    expect(two.err[0]).toBe('2 Spoke stacks in eu-west-1 (Spoke-prod, Spoke-hr-prod): pass -c config=<file>');
    expect(two.cognitoStub.calls()).toHaveLength(0);
  });

  it('says when the stack is not deployed', async () => {
    const a = admin(missingStack());
    expect(
      await createAdminCommand(
        ['--email', 'ada@help.example.com', '-c', 'config=infra/configs/minimal.json'],
        a.deps,
      ),
    ).toBe(1);
    expect(a.err[0]).toBe(
      'Spoke-dev is not deployed in 111122223333/eu-west-1: npm run deploy -- -c config=<file> first',
    );
  });

  it('refuses a missing or malformed email', async () => {
    const a = admin();
    expect(await createAdminCommand(['--email', 'not-an-address'], a.deps)).toBe(2);
    expect(a.err[0]).toMatch(/^--email: not-an-address is not an email address/);
    expect(await createAdminCommand([], a.deps)).toBe(2);
    expect(a.err[1]).toMatch(/^--email: required/);
    expect(await createAdminCommand(['--email'], a.deps)).toBe(2);
    expect(a.err[2]).toMatch(
      /^Option '--email <value>' argument missing[\s\S]*npm run admin:create -- --email <address>/,
    );
  });

  it('without credentials says so in one line', async () => {
    const a = admin(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    expect(await createAdminCommand(['--email', 'ada@help.example.com'], a.deps)).toBe(2);
    expect(a.err).toHaveLength(1);
    expect(a.err[0]).toMatch(/^No AWS credentials: .*nothing was created\.$/);
  });
});

/** The environment of a machine with no AWS credentials anywhere: no variables, no ~/.aws. */
function noCredentialsEnv(): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'spoke-no-aws-'));
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
  };
}

describe('the commands as processes, without credentials', () => {
  it('npm run deploy --dry-run prints one line and exits 2 without waiting on instance metadata', () => {
    const started = Date.now();
    const result = spawnSync(
      process.execPath,
      ['functions/ops/deploy/deploy.ts', '-c', 'config=infra/configs/minimal.json', '--dry-run'],
      { env: noCredentialsEnv(), encoding: 'utf8', timeout: 30_000 },
    );
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'No AWS credentials: set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the target account, then run again; nothing was checked or deployed.',
    ]);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 40_000);

  it('npm run admin:create prints one line and exits 2', () => {
    const result = spawnSync(
      process.execPath,
      [
        'functions/ops/create-admin.ts',
        '--email',
        'ada@help.example.com',
        '-c',
        'config=infra/configs/minimal.json',
      ],
      { env: noCredentialsEnv(), encoding: 'utf8', timeout: 30_000 },
    );
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^No AWS credentials/);
  }, 40_000);
});

describe('docs/deploy.md', () => {
  /** The IAM actions of the deploy policy the docs show. */
  function documentedActions(): Set<string> {
    const text = readFileSync('docs/deploy.md', 'utf8');
    const section = text.slice(text.indexOf('## Permissions'));
    const json = /```json\n([\s\S]*?)```/.exec(section)?.[1] ?? '{}';
    const policy = JSON.parse(json) as { Statement: { Action: string | string[] }[] };
    return new Set(policy.Statement.flatMap((statement) => [statement.Action].flat()));
  }

  const prefixes: Record<string, string> = {
    ssm: 'ssm',
    cloudFormation: 'cloudformation',
    dynamodb: 'dynamodb',
    sesv2: 'ses',
    ses: 'ses',
    cognito: 'cognito-idp',
    acm: 'acm',
    secretsManager: 'secretsmanager',
    lambda: 'lambda',
  };

  it('the check table names every check the preflight prints', async () => {
    const h = harness();
    await deploy(['-c', 'config=infra/configs/example.json', '--dry-run'], h.deps);
    const text = readFileSync('docs/deploy.md', 'utf8');
    const rows = new Set([...text.matchAll(/^\| ([a-z][a-z ]+?) +\|/gm)].map((match) => match[1]));
    const printed = h.out
      .slice(1, -1)
      .map((line) => /^ {2}\S+\s+([^:]+):/.exec(line)?.[1] ?? line)
      .map((name) =>
        name.replace(/^ses identity .*/, 'ses identity').replace(/^secret for .*/, 'federation secrets'),
      );
    expect(printed.length).toBeGreaterThan(10);
    expect(printed.filter((name) => !rows.has(name))).toEqual([]);
  });

  it('the deploy policy allows every call the preflight and the deploy make', async () => {
    const updating = harness();
    updating.stubs.cloudFormation.on(DescribeStacksCommand).resolves(deployedStack);
    updating.stubs.cloudFormation.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
    await deploy(['-c', 'config=infra/configs/example.json', '--dry-run'], updating.deps);
    const first = harness();
    first.stubs.cloudFormation.on(DescribeStacksCommand).rejectsOnce(missingStack()).resolves(deployedStack);
    expect(
      await deploy(['-c', 'config=infra/configs/example.json', '--activate-receipt-rules'], first.deps),
    ).toBe(0);

    const called = new Set<string>();
    for (const run of [updating, first]) {
      for (const [client, stub] of Object.entries(run.stubs)) {
        const prefix = prefixes[client];
        if (!prefix) continue; // sts:GetCallerIdentity needs no permission
        for (const call of stub.calls()) {
          called.add(`${prefix}:${call.args[0].constructor.name.replace(/Command$/, '')}`);
        }
      }
    }
    expect([...called].sort()).toEqual([
      'acm:DescribeCertificate',
      'cloudformation:DescribeStacks',
      'cloudformation:ListStackResources',
      'cognito-idp:DescribeUserPoolDomain',
      'dynamodb:DescribeTable',
      'lambda:GetAccountSettings',
      'secretsmanager:DescribeSecret',
      'ses:DescribeActiveReceiptRuleSet',
      'ses:DescribeReceiptRuleSet',
      'ses:GetAccount',
      'ses:GetEmailIdentity',
      'ses:SetActiveReceiptRuleSet',
      'ssm:GetParameter',
    ]);
    const documented = documentedActions();
    expect([...called].filter((action) => !documented.has(action))).toEqual([]);
  });
});
