import { relative } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handlerEnvSchemas, runtimeEnv } from '#config/env.ts';
import { defaultRiskQuestionnaire } from '#core/change/risk.ts';
import { loadConfig, type SpokeConfig } from '#infra/config.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';
import { projectRoot, SpokeFunction } from '#infra/spoke-function.ts';
import type { SpokeStack } from '#infra/stack.ts';

/** Lambda's limit on a function's environment: all keys and values together. */
const LAMBDA_ENVIRONMENT_BYTES = 4096;

/**
 * An upper bound of a variable's size once CloudFormation resolved it: a reference to a
 * generated name or ARN counts 256 bytes (ARNs of Spoke's resources stay well below), a
 * Secrets Manager reference the 48 characters of the generated origin secret.
 */
function resolvedBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  const text = JSON.stringify(value);
  if (text.includes('{{resolve:secretsmanager:')) return 48;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].reduce<number>((sum, part) => sum + resolvedBytes(part), 0);
  return 256;
}

interface FunctionEnvironment {
  readonly entry: string;
  readonly variables: Record<string, unknown>;
}

function environments(stack: SpokeStack): FunctionEnvironment[] {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Properties: { Environment?: { Variables: Record<string, unknown> } } }
  >;
  return stack.node
    .findAll()
    .filter((c): c is SpokeFunction => c instanceof SpokeFunction)
    .map((fn) => ({
      entry: relative(projectRoot, fn.entry),
      variables:
        resources[stack.getLogicalId(fn.node.defaultChild as CfnFunction)]?.Properties.Environment
          ?.Variables ?? {},
    }));
}

const synth = (config: SpokeConfig) =>
  createSpokeApp({ config, nag: false, context: { 'aws:cdk:bundling-stacks': [] } }).stack;

/** Every setting away from its default, and service owners and a questionnaire of a large company. */
const tuned = (): SpokeConfig => {
  const base = loadConfig('infra/configs/example.json');
  return {
    ...base,
    support: {
      ...base.support,
      unknownSenders: { policy: 'quarantine', knownDomains: ['example.com', 'example.org'] },
      acknowledgements: { perSenderPerHour: 3, perMinute: 60 },
      notificationsPerRecipientPerHour: 12,
    },
    tickets: {
      agentVisibility: 'all',
      watcherPolicy: 'any',
      openLimitPerMinute: 4,
      openLimitPerHour: 40,
      reopenWindowDays: 14,
      autoCloseDays: 10,
      priorityMatrix: [
        [1, 1, 2],
        [2, 3, 4],
        [3, 4, 5],
      ],
    },
    changes: {
      cabGroup: 'change-board',
      ecabGroup: 'emergency-board',
      escalationGroup: 'it-managers',
      cabQuorum: 3,
      approvalLinkValidHours: 48,
      serviceOwners: Object.fromEntries(
        Array.from({ length: 80 }, (_, i) => [`Business service ${i}`, `owner.number${i}@example.com`]),
      ),
      riskQuestionnaire: defaultRiskQuestionnaire,
    },
  };
};

let example: SpokeStack;
let minimal: SpokeStack;
let large: SpokeStack;

beforeAll(() => {
  example = synth(loadConfig('infra/configs/example.json'));
  minimal = synth(loadConfig('infra/configs/minimal.json'));
  large = synth(tuned());
});

describe('function environments', () => {
  it('give each function only variables its env schema reads (or Node and Powertools do)', () => {
    for (const stack of [example, minimal, large]) {
      const all = environments(stack);

      expect(all.length).toBeGreaterThanOrEqual(6);
      for (const { entry, variables } of all) {
        const schema = handlerEnvSchemas[entry as keyof typeof handlerEnvSchemas];
        expect(schema, `${entry} has no env schema in handlerEnvSchemas`).toBeDefined();
        const read = new Set<string>([...Object.keys(schema?.shape ?? {}), ...runtimeEnv]);
        const unread = Object.keys(variables).filter((name) => !read.has(name));
        expect(unread, `${stack.stackName} ${entry}`).toEqual([]);
      }
    }
  });

  it('stay under Lambda’s 4 KB each, with large service owners and questionnaire in SSM instead', () => {
    for (const stack of [example, minimal, large]) {
      for (const { entry, variables } of environments(stack)) {
        const bytes = Object.entries(variables).reduce(
          (sum, [name, value]) => sum + Buffer.byteLength(name) + resolvedBytes(value),
          0,
        );
        expect(bytes, `${stack.stackName} ${entry}: ${bytes} bytes`).toBeLessThan(LAMBDA_ENVIRONMENT_BYTES);
      }
    }
    const [parameter] = Object.values(Template.fromStack(large).findResources('AWS::SSM::Parameter'));
    const document = JSON.parse(String(parameter?.Properties.Value)) as { serviceOwners: object };
    expect(Buffer.byteLength(String(parameter?.Properties.Value))).toBeGreaterThan(LAMBDA_ENVIRONMENT_BYTES);
    expect(parameter?.Properties.Tier).toBe('Advanced');
    expect(Object.keys(document.serviceOwners)).toHaveLength(80);
  });

  it('carry every setting of the account config to the functions that read it', () => {
    const byEntry = Object.fromEntries(environments(large).map((e) => [e.entry, e.variables]));

    expect(byEntry['functions/handlers/inbound-email.ts']).toMatchObject({
      UNKNOWN_SENDER_POLICY: 'quarantine',
      ACK_LIMIT_PER_SENDER_PER_HOUR: '3',
      ACK_LIMIT_PER_MINUTE: '60',
      AGENT_VISIBILITY: 'all',
    });
    expect(byEntry['functions/handlers/notifications.ts']).toMatchObject({
      NOTIFY_LIMIT_PER_RECIPIENT_PER_HOUR: '12',
    });
    expect(byEntry['functions/handlers/api.ts']).toMatchObject({
      TICKET_OPEN_LIMIT_PER_MINUTE: '4',
      TICKET_OPEN_LIMIT_PER_HOUR: '40',
    });
    for (const entry of ['functions/handlers/api.ts', 'functions/handlers/ticket-housekeeping.ts']) {
      expect(byEntry[entry], entry).toMatchObject({
        AGENT_VISIBILITY: 'all',
        WATCHER_POLICY: 'any',
        KNOWN_SENDER_DOMAINS: 'example.com,example.org',
        REOPEN_WINDOW_DAYS: '14',
        AUTO_CLOSE_DAYS: '10',
        PRIORITY_MATRIX: '112234345',
      });
    }
    for (const entry of ['functions/handlers/api.ts', 'functions/handlers/change-workflow.ts']) {
      expect(byEntry[entry], entry).toMatchObject({
        CAB_GROUP: 'change-board',
        ECAB_GROUP: 'emergency-board',
        ESCALATION_GROUP: 'it-managers',
        CAB_QUORUM: '3',
        APPROVAL_LINK_VALID_HOURS: '48',
        CHANGE_SETTINGS_PARAMETER: expect.objectContaining({ Ref: expect.any(String) }),
      });
    }
    const statements = JSON.stringify(Template.fromStack(large).findResources('AWS::IAM::Policy'));
    expect(statements.match(/"ssm:GetParameter"/g)?.length).toBeGreaterThanOrEqual(2);
  });
});
