import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, SpokeConfigError, spokeConfigSchema } from '#infra/config.ts';
import { cdkJsonContext, createSpokeApp, exampleConfigPath } from '#infra/spoke-app.ts';

const example = () => JSON.parse(JSON.stringify(loadConfig(exampleConfigPath))) as Record<string, unknown>;

function writeConfig(value: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'spoke-config-')), 'config.json');
  writeFileSync(path, JSON.stringify(value));
  return path;
}

/** The message of the SpokeConfigError a config raises (all its problems, one a line). */
function problemsOf(config: unknown): string {
  try {
    parseConfig(config, 'bad.json');
  } catch (caught) {
    if (caught instanceof SpokeConfigError) return caught.message;
    throw caught;
  }
  throw new Error('The config was accepted');
}

describe('account config', () => {
  it('accepts the example config', () => {
    expect(loadConfig(exampleConfigPath).company.name).toBe('Example Corp');
  });

  it('names the field path of a bad support address', () => {
    const config = example();
    config.support = { addresses: ['not-an-address'], mailFrom: 'support@help.example.com' };

    expect(() => parseConfig(config, 'bad.json')).toThrow(/support\.addresses\.0: .*email/i);
  });

  it('names a missing field', () => {
    const { retention: _, ...config } = example();

    expect(() => parseConfig(config, 'bad.json')).toThrow(/retention: /);
  });

  it('rejects a log retention CloudWatch does not offer', () => {
    const config = { ...example(), retention: { logDays: 42 } };

    expect(() => parseConfig(config, 'bad.json')).toThrow(/retention\.logDays: a CloudWatch Logs retention/);
  });

  it('rejects unknown fields, which are usually typos', () => {
    const config = { ...example(), stgae: 'prod' };

    expect(() => parseConfig(config, 'bad.json')).toThrow(/stgae/);
  });

  it('fails the app before any stack exists when -c config points at a bad file', () => {
    const path = writeConfig({ ...example(), account: '123' });

    const build = () => createSpokeApp({ context: { config: path }, nag: false });

    expect(build).toThrow(SpokeConfigError);
    expect(build).toThrow(new RegExp(`${path}:\\n  account: a 12-digit AWS account id`));
  });

  it('requires the portal certificate in us-east-1 and in the stack account', () => {
    const portal = (certificateArn: string) => ({
      ...example(),
      portal: { domainName: 'servicedesk.example.com', certificateArn },
    });

    expect(() =>
      parseConfig(portal('arn:aws:acm:eu-west-1:111122223333:certificate/abc-123'), 'bad.json'),
    ).toThrow(/portal\.certificateArn: an ACM certificate ARN in us-east-1/);
    expect(() =>
      parseConfig(portal('arn:aws:acm:us-east-1:444455556666:certificate/abc-123'), 'bad.json'),
    ).toThrow(/portal\.certificateArn: the certificate must be in the stack's account 111122223333/);
  });

  it('refuses a support address or From outside the support domains', () => {
    const config = example();
    config.support = {
      domains: ['help.example.com'],
      addresses: ['support@help.example.com', 'it@example.org'],
      mailFrom: 'noreply@example.net',
    };

    const error = problemsOf(config);
    expect(error).toMatch(/support\.addresses\.1: it@example\.org is not on a support domain/);
    expect(error).toMatch(/support\.mailFrom: noreply@example\.net is not on a support domain/);
  });

  it('derives the support domains from the addresses when they are not given', () => {
    const config = example();
    config.support = { addresses: ['help@Example.com', 'it@it.example.com'], mailFrom: 'help@example.com' };

    expect(parseConfig(config, 'ok.json').support.domains).toEqual(['example.com', 'it.example.com']);
  });

  it('names the bad field of an identity provider', () => {
    const config = example();
    config.auth = {
      domainPrefix: 'example-corp-spoke',
      federation: {
        providers: [
          { type: 'saml', name: 'EntraID', metadataUrl: 'http://insecure.example.com/metadata.xml' },
          { type: 'oidc', name: 'Okta', issuerUrl: 'https://example.okta.com', clientId: 'x' },
          { type: 'ldap', name: 'Directory' },
        ],
      },
    };

    const error = problemsOf(config);
    expect(error).toMatch(/auth\.federation\.providers\.0\.metadataUrl: an https:\/\/ metadata URL/);
    expect(error).toMatch(/auth\.federation\.providers\.1\.clientSecretName: /);
    expect(error).toMatch(/auth\.federation\.providers\.2\.type: /);
  });

  it('rejects a group mapping for a group Spoke does not have', () => {
    const config = example();
    config.auth = {
      domainPrefix: 'example-corp-spoke',
      federation: {
        providers: [{ type: 'google', clientId: 'id', clientSecretName: 'spoke/google' }],
        groups: { agents: ['Support'], managers: ['Leads'] },
      },
    };

    expect(() => parseConfig(config, 'bad.json')).toThrow(/auth\.federation\.groups: .*managers/);
  });

  it('rejects an unknown time zone', () => {
    const config = { ...example(), businessHours: { timeZone: 'Europe/Atlantis' } };

    expect(() => parseConfig(config, 'bad.json')).toThrow(/businessHours\.timeZone: an IANA time zone/);
  });

  it('rejects business hours that end before they start', () => {
    const config = {
      ...example(),
      businessHours: { timeZone: 'Europe/Berlin', start: '18:00', end: '08:00' },
    };

    expect(() => parseConfig(config, 'bad.json')).toThrow(/businessHours\.end: must be later than start/);
  });

  it('keeps raw mail long enough to reprocess dead letters', () => {
    const config = { ...example(), retention: { logDays: 90, rawMailDays: 7 } };

    expect(() => parseConfig(config, 'bad.json')).toThrow(/retention\.rawMailDays: at least 30 days/);
  });

  it('wants the alarm topic in the stack region', () => {
    const config = { ...example(), alarms: { topicArn: 'arn:aws:sns:us-east-1:111122223333:ops' } };

    expect(() => parseConfig(config, 'bad.json')).toThrow(
      /alarms\.topicArn: the topic must be in the stack's region eu-west-1/,
    );
  });

  it('refuses two configs in one app that would collide, naming both files', () => {
    const first = writeConfig(example());
    const second = writeConfig({ ...example(), account: '444455556666', portal: undefined, alarms: {} });

    expect(() => createSpokeApp({ context: { config: `${first},${second}` }, nag: false })).toThrow(
      new RegExp(`${first} and ${second} collide \\(stack Spoke-prod\\)`),
    );
  });

  it('says which file cannot be read', () => {
    expect(() => loadConfig('infra/configs/missing.json')).toThrow(
      /Cannot read Spoke config infra\/configs\/missing\.json/,
    );
  });
});

describe('docs/configuration.md', () => {
  /** Every field path of the schema, e.g. `support.addresses`, `auth.federation.providers.metadataUrl`. */
  function fieldPaths(schema: unknown, prefix = ''): string[] {
    const def = (schema as { _zod: { def: Record<string, unknown> } })._zod.def;
    switch (def.type) {
      case 'object':
        return Object.entries(def.shape as Record<string, unknown>).flatMap(([key, inner]) => {
          const path = prefix ? `${prefix}.${key}` : key;
          const below = fieldPaths(inner, path);
          return below.length > 0 ? below : [path];
        });
      case 'optional':
      case 'default':
      case 'nullable':
        return fieldPaths(def.innerType, prefix);
      case 'pipe':
        return fieldPaths(def.in, prefix);
      case 'array':
        return fieldPaths(def.element, prefix);
      case 'union':
        return [...new Set((def.options as unknown[]).flatMap((option) => fieldPaths(option, prefix)))];
      default:
        return [];
    }
  }

  it('documents every field of the config schema', () => {
    const docs = readFileSync('docs/configuration.md', 'utf8');
    const paths = fieldPaths(spokeConfigSchema);
    // A field counts as documented when its path, or its last name inside backticks, is there
    // (`auth.federation.groups.agents` / `.approvers`; provider fields in the federation table).
    const undocumented = paths.filter((path) => {
      const name = path.split('.').at(-1) ?? path;
      return !docs.includes(`\`${path}\``) && !docs.includes(`\`.${name}\``) && !docs.includes(`\`${name}\``);
    });

    expect(paths.length).toBeGreaterThan(30);
    expect(paths).toContain('auth.federation.providers.metadataUrl');
    expect(undocumented).toEqual([]);
  });
});

describe('the stack region', () => {
  it('refuses a region where SES does not receive mail, naming the field and the regions that do', () => {
    const problems = problemsOf({ ...example(), region: 'af-south-1' });

    expect(problems).toMatch(/^ {2}region: SES email receiving is not available in af-south-1/m);
    expect(problems).toContain('eu-west-1');
  });

  it('accepts every region of the SES receiving list', () => {
    for (const region of ['us-east-1', 'eu-central-1', 'ap-southeast-2']) {
      const topicArn = `arn:aws:sns:${region}:111122223333:it-operations-chat`;
      const config = { ...example(), region, alarms: { topicArn } };

      expect(parseConfig(config, 'good.json').region).toBe(region);
    }
  });
});

describe('an app without -c config', () => {
  it('stops with how to give one, instead of aiming at the fictional example account', () => {
    const build = () => createSpokeApp({ nag: false });

    expect(build).toThrow(SpokeConfigError);
    expect(build).toThrow(/No Spoke config: run cdk with -c config=<your file>/);
  });

  it('still synthesizes the example when it is named, as npm run synth does', () => {
    const { stack } = createSpokeApp({
      nag: false,
      context: { config: exampleConfigPath, 'aws:cdk:bundling-stacks': [] },
    });

    expect(stack.account).toBe('111122223333');
  });

  it('applies the feature flags of cdk.json in-process too, the ones cdk init writes for this aws-cdk-lib', async () => {
    const { readFile } = await import('node:fs/promises');
    const recommended = JSON.parse(
      await readFile('node_modules/aws-cdk-lib/recommended-feature-flags.json', 'utf8'),
    ) as Record<string, unknown>;
    const { app } = createSpokeApp({
      config: loadConfig(exampleConfigPath),
      nag: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });

    expect(cdkJsonContext()).toEqual(recommended);
    for (const [flag, value] of Object.entries(recommended))
      expect(app.node.tryGetContext(flag), flag).toEqual(value);
  });
});

describe('the settings the README promises', () => {
  it('refuses change settings too large for their SSM parameter, naming the field', () => {
    const serviceOwners = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [
        `Business service number ${i}`,
        `owner.of.service${i}@example.com`,
      ]),
    );

    expect(problemsOf({ ...example(), changes: { serviceOwners } })).toMatch(
      /^ {2}changes: service owners and risk questionnaire together exceed 8192 bytes/m,
    );
  });

  it('refuses a priority matrix that is not 3 × 3 of 1–5, naming the cell', () => {
    const problems = problemsOf({
      ...example(),
      tickets: {
        priorityMatrix: [
          [1, 2, 3],
          [2, 3, 4],
          [3, 4, 9],
        ],
      },
    });

    expect(problems).toMatch(/tickets\.priorityMatrix\.2\.2: /);
  });
});
