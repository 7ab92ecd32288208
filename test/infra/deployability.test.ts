import { beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN_VERIFY_HEADER } from '#http/origin.ts';
import { loadConfig } from '#infra/config.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';
import { type CfnResources, createdBefore, referencedIds, stringsIn } from './template-graph.ts';

/**
 * Faults that only show when CloudFormation deploys the template: resources created before
 * what they name, policies that replace a service's default access, names that block a retry.
 * Each test is generic over the template, so a new resource of the same kind is checked too.
 */

interface Synthesized {
  readonly name: string;
  readonly resources: CfnResources;
}

function synthesize(name: string): Synthesized {
  const { app, stack } = createSpokeApp({
    config: loadConfig(`infra/configs/${name}.json`),
    nag: false,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: CfnResources };
  return { name, resources: template.Resources };
}

let templates: Synthesized[];

beforeAll(() => {
  templates = ['example', 'minimal'].map(synthesize);
});

describe('deploy order', () => {
  it('creates every route before any resource that names its route key (stage route settings)', () => {
    for (const { name, resources } of templates) {
      const routes = Object.entries(resources)
        .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route')
        .map(([id, r]) => ({ id, key: r.Properties?.RouteKey as string }));
      const naming = Object.entries(resources).flatMap(([id, resource]) => {
        if (resource.Type === 'AWS::ApiGatewayV2::Route') return [];
        const strings = new Set(stringsIn(resource.Properties ?? {}));
        return routes.filter((route) => strings.has(route.key)).map((route) => ({ id, route }));
      });

      expect(naming.length, name).toBeGreaterThan(0);
      for (const { id, route } of naming) {
        expect(createdBefore(resources, id).has(route.id), `${name}: ${id} names "${route.key}"`).toBe(true);
      }
    }
  });
});

/**
 * Resource types whose names are unique per account across all regions (or across AWS), with
 * where the name sits. A second stack of the same config in another region collides on them
 * unless the name carries the region.
 */
const accountWideName: Record<string, (properties: Record<string, unknown>) => unknown> = {
  'AWS::CloudFront::ResponseHeadersPolicy': (p) => (p.ResponseHeadersPolicyConfig as { Name?: unknown }).Name,
  'AWS::CloudFront::OriginAccessControl': (p) => (p.OriginAccessControlConfig as { Name?: unknown }).Name,
  'AWS::CloudFront::CachePolicy': (p) => (p.CachePolicyConfig as { Name?: unknown }).Name,
  'AWS::CloudFront::OriginRequestPolicy': (p) => (p.OriginRequestPolicyConfig as { Name?: unknown }).Name,
  'AWS::CloudFront::Function': (p) => p.Name,
  'AWS::CloudFront::KeyValueStore': (p) => p.Name,
  'AWS::CloudWatch::Dashboard': (p) => p.DashboardName,
  'AWS::IAM::Role': (p) => p.RoleName,
  'AWS::IAM::ManagedPolicy': (p) => p.ManagedPolicyName,
  'AWS::IAM::User': (p) => p.UserName,
  'AWS::IAM::InstanceProfile': (p) => p.InstanceProfileName,
  'AWS::S3::Bucket': (p) => p.BucketName,
};

describe('a failed first deploy can be retried', () => {
  it('keeps retained resources only after their stack created them (RetainExceptOnCreate), never plain Retain', () => {
    for (const { name, resources } of templates) {
      const retained = Object.entries(resources).filter(([, r]) => r.DeletionPolicy !== undefined);

      expect(retained.length, name).toBeGreaterThan(5);
      for (const [id, resource] of retained) {
        expect(resource.DeletionPolicy, `${name}: ${id}`).not.toBe('Retain');
      }
      for (const type of ['AWS::DynamoDB::GlobalTable', 'AWS::Cognito::UserPool', 'AWS::S3::Bucket']) {
        for (const [id, resource] of Object.entries(resources).filter(([, r]) => r.Type === type)) {
          expect([resource.DeletionPolicy, resource.UpdateReplacePolicy], `${name}: ${id}`).toEqual([
            'RetainExceptOnCreate',
            'Retain',
          ]);
        }
      }
    }
  });

  it('leaves deletion protection off until the config turns it on, so the first rollback can delete', () => {
    const protection = (resources: CfnResources) =>
      Object.values(resources).flatMap((r) => {
        if (r.Type === 'AWS::DynamoDB::GlobalTable')
          return ((r.Properties?.Replicas ?? []) as { DeletionProtectionEnabled?: boolean }[]).map(
            (replica) => replica.DeletionProtectionEnabled ?? false,
          );
        if (r.Type === 'AWS::Cognito::UserPool') return [r.Properties?.DeletionProtection === 'ACTIVE'];
        return [];
      });
    const { app, stack } = createSpokeApp({
      config: { ...loadConfig('infra/configs/minimal.json'), deletionProtection: true },
      nag: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const protectedTemplate = app.synth().getStackByName(stack.stackName).template as {
      Resources: CfnResources;
    };

    for (const { name, resources } of templates)
      expect(protection(resources), name).toEqual([false, false, false]);
    expect(protection(protectedTemplate.Resources)).toEqual([true, true, true]);
  });

  it('gives no log group a fixed name that a kept group of an earlier attempt could hold', () => {
    for (const { name, resources } of templates) {
      const named = Object.entries(resources).filter(
        ([, r]) => r.Type === 'AWS::Logs::LogGroup' && r.Properties?.LogGroupName !== undefined,
      );
      for (const [id, group] of named) {
        // Unique per stack: built from the stack id or from a name CloudFormation generated.
        const derived = JSON.stringify(group.Properties?.LogGroupName).includes('"AWS::StackId"')
          ? true
          : [...referencedIds(group.Properties?.LogGroupName)].some((ref) => resources[ref] !== undefined);
        expect(derived, `${name}: ${id} is named ${JSON.stringify(group.Properties?.LogGroupName)}`).toBe(
          true,
        );
      }
    }
  });

  it('puts the region into every name that is unique per account across regions', () => {
    for (const { name, resources } of templates) {
      const region = loadConfig(`infra/configs/${name}.json`).region;
      const named = Object.entries(resources).flatMap(([id, r]) => {
        const physical = accountWideName[r.Type]?.(r.Properties ?? {});
        return physical === undefined ? [] : [{ id, physical: JSON.stringify(physical) }];
      });

      expect(named.length, name).toBeGreaterThanOrEqual(4);
      for (const { id, physical } of named) {
        expect(
          physical.includes(region) || physical.includes('"AWS::Region"'),
          `${name}: ${id} is named ${physical}`,
        ).toBe(true);
      }
    }
  });
});

/**
 * Which AWS service publishes to an SNS topic that a resource of this type names, and where:
 * a topic policy replaces SNS's default one, so it must allow that service itself.
 */
const publishers: Record<string, { service: string; topicsIn: (p: Record<string, unknown>) => unknown }> = {
  'AWS::CloudWatch::Alarm': {
    service: 'cloudwatch.amazonaws.com',
    topicsIn: (p) => [p.AlarmActions, p.OKActions, p.InsufficientDataActions],
  },
  'AWS::SES::ConfigurationSetEventDestination': {
    service: 'ses.amazonaws.com',
    topicsIn: (p) => (p.EventDestination as { SnsDestination?: unknown }).SnsDestination,
  },
  'AWS::S3::Bucket': { service: 's3.amazonaws.com', topicsIn: (p) => p.NotificationConfiguration },
  'AWS::Events::Rule': { service: 'events.amazonaws.com', topicsIn: (p) => p.Targets },
};

interface Statement {
  Effect: string;
  Action: string | string[];
  Principal?: { Service?: string | string[] } | string;
  Condition?: Record<string, Record<string, unknown>>;
}

describe('policies that replace a default', () => {
  it('lets every AWS service that publishes to a topic with a topic policy do so, scoped to this account', () => {
    for (const { name, resources } of templates) {
      const topicPolicies = Object.values(resources).filter((r) => r.Type === 'AWS::SNS::TopicPolicy');
      const checked: string[] = [];
      for (const policy of topicPolicies) {
        const topics = [...referencedIds(policy.Properties?.Topics)];
        const statements =
          (policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [];
        for (const [id, resource] of Object.entries(resources)) {
          const publisher = publishers[resource.Type];
          if (!publisher) continue;
          const named = referencedIds(publisher.topicsIn(resource.Properties ?? {}));
          for (const topic of topics.filter((t) => named.has(t))) {
            const allow = statements.find(
              (s) =>
                s.Effect === 'Allow' &&
                ([] as string[]).concat(s.Action).includes('sns:Publish') &&
                typeof s.Principal === 'object' &&
                ([] as string[]).concat(s.Principal.Service ?? []).includes(publisher.service),
            );
            expect(
              allow,
              `${name}: ${topic} has no Allow for ${publisher.service} (${id} publishes)`,
            ).toBeDefined();
            const conditionKeys = Object.values(allow?.Condition ?? {}).flatMap((c) =>
              Object.keys(c).map((key) => key.toLowerCase()),
            );
            expect(conditionKeys, `${name}: ${topic}`).toEqual(
              expect.arrayContaining(['aws:sourceaccount', 'aws:sourcearn']),
            );
            checked.push(`${publisher.service} → ${topic}`);
          }
        }
      }

      expect(new Set(checked), name).toEqual(
        new Set([
          expect.stringMatching(/^cloudwatch\.amazonaws\.com → ObservabilityAlarms/),
          expect.stringMatching(/^ses\.amazonaws\.com → MailFeedbackTopic/),
        ]),
      );
    }
  });
});

describe('nothing asynchronous is lost', () => {
  it('gives every function invoked asynchronously by a rule or SES a dead-letter queue of its own after retries', () => {
    for (const { name, resources } of templates) {
      const asyncTargets = new Set<string>();
      for (const resource of Object.values(resources)) {
        if (resource.Type === 'AWS::Events::Rule' && resource.Properties?.EventBusName) {
          for (const target of resource.Properties.Targets as { Arn: unknown }[])
            for (const id of referencedIds(target.Arn)) asyncTargets.add(id);
        }
        if (resource.Type === 'AWS::SES::ReceiptRule') {
          for (const id of referencedIds(resource.Properties?.Rule))
            if (resources[id]?.Type === 'AWS::Lambda::Function') asyncTargets.add(id);
        }
      }
      const functions = [...asyncTargets].filter((id) => resources[id]?.Type === 'AWS::Lambda::Function');

      // inbound-email (SES), notifications, problem-events, service-status, sla, reporting and asset-import (rules)
      expect(functions.length, name).toBe(7);
      for (const id of functions) {
        const deadLetter = resources[id]?.Properties?.DeadLetterConfig as { TargetArn?: unknown } | undefined;
        expect(deadLetter?.TargetArn, `${name}: ${id}`).toBeDefined();
        const invokeConfig = Object.values(resources).find(
          (r) =>
            r.Type === 'AWS::Lambda::EventInvokeConfig' && referencedIds(r.Properties?.FunctionName).has(id),
        );
        expect(invokeConfig?.Properties?.MaximumRetryAttempts, `${name}: ${id}`).toBe(2);
      }
    }
  });
});

describe('only CloudFront reaches the API', () => {
  it('adds the Secrets Manager origin secret as a header to /api/* and gives the api function the same value', () => {
    for (const { name, resources } of templates) {
      const [distribution] = Object.values(resources).filter(
        (r) => r.Type === 'AWS::CloudFront::Distribution',
      );
      const config = distribution?.Properties?.DistributionConfig as {
        Origins: {
          Id: string;
          CustomOriginConfig?: unknown;
          OriginCustomHeaders?: { HeaderName: string; HeaderValue: unknown }[];
        }[];
        CacheBehaviors: { PathPattern: string; TargetOriginId: string }[];
      };
      const apiBehavior = config.CacheBehaviors.find((b) => b.PathPattern === '/api/*');
      const apiOrigin = config.Origins.find((o) => o.Id === apiBehavior?.TargetOriginId);
      const header = apiOrigin?.OriginCustomHeaders?.find((h) => h.HeaderName === ORIGIN_VERIFY_HEADER);
      const [secretId] = [...referencedIds(header?.HeaderValue)];
      const apiFunction = Object.values(resources).find(
        (r) =>
          r.Type === 'AWS::Lambda::Function' &&
          (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
            ?.CHANGE_APPROVAL_ARN !== undefined,
      );
      const variables =
        (apiFunction?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
          ?.Variables ?? {};

      expect(secretId && resources[secretId]?.Type, name).toBe('AWS::SecretsManager::Secret');
      expect(JSON.stringify(header?.HeaderValue), name).toContain('{{resolve:secretsmanager:');
      expect(variables.ORIGIN_VERIFY_SECRET, name).toEqual(header?.HeaderValue);
      expect(
        (
          resources[secretId as string]?.Properties?.GenerateSecretString as
            | { PasswordLength?: number }
            | undefined
        )?.PasswordLength,
      ).toBeGreaterThanOrEqual(32);
    }
  });
});

describe('Cognito invitations', () => {
  it('go through SES from the support address and its configuration set, after the domain identity exists', () => {
    for (const { name, resources } of templates) {
      const config = loadConfig(`infra/configs/${name}.json`);
      const [[poolId, pool] = []] = Object.entries(resources).filter(
        ([, r]) => r.Type === 'AWS::Cognito::UserPool',
      );
      const email = pool?.Properties?.EmailConfiguration as Record<string, unknown> | undefined;
      const identities = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SES::EmailIdentity');

      expect(email?.EmailSendingAccount, name).toBe('DEVELOPER');
      expect(email?.From, name).toBe(`${config.company.name} IT service desk <${config.support.mailFrom}>`);
      expect(JSON.stringify(email?.SourceArn), name).toContain(
        `identity/${config.support.mailFrom.split('@')[1]}`,
      );
      expect(referencedIds(email?.ConfigurationSet).size, name).toBe(1);
      expect(identities.length, name).toBeGreaterThan(0);
      for (const [identity] of identities)
        expect(createdBefore(resources, poolId as string).has(identity), name).toBe(true);
    }
  });
});
