import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadConfig, type SpokeConfig } from '#infra/config.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';
import { referencedIds } from './template-graph.ts';

/**
 * Where each resource type keeps its physical name: the name unique per account (and region)
 * that CloudFormation or the service enforces. Names scoped to a parent (IAM inline policies,
 * Cognito groups and schema attributes, alarm dimensions) are not listed: they cannot collide.
 * A resource of these types without the property is named by CloudFormation, uniquely.
 */
const physicalNameOf: Record<string, (properties: Record<string, unknown>) => unknown> = {
  'AWS::DynamoDB::GlobalTable': (p) => p.TableName,
  'AWS::CloudWatch::Alarm': (p) => p.AlarmName,
  'AWS::CloudWatch::Dashboard': (p) => p.DashboardName,
  'AWS::Events::EventBus': (p) => p.Name,
  'AWS::Events::Archive': (p) => p.ArchiveName,
  'AWS::Events::Rule': (p) => p.Name,
  'AWS::SES::ReceiptRuleSet': (p) => p.RuleSetName,
  'AWS::SES::ReceiptRule': (p) => (p.Rule as { Name?: unknown }).Name,
  'AWS::SES::ConfigurationSet': (p) => p.Name,
  'AWS::SES::EmailIdentity': (p) => p.EmailIdentity,
  'AWS::Cognito::UserPoolDomain': (p) => p.Domain,
  'AWS::Cognito::UserPool': (p) => p.UserPoolName,
  'AWS::StepFunctions::StateMachine': (p) => p.StateMachineName,
  'AWS::Lambda::Function': (p) => p.FunctionName,
  'AWS::Logs::LogGroup': (p) => p.LogGroupName,
  'AWS::S3::Bucket': (p) => p.BucketName,
  'AWS::SQS::Queue': (p) => p.QueueName,
  'AWS::SNS::Topic': (p) => p.TopicName,
  'AWS::IAM::Role': (p) => p.RoleName,
  'AWS::KMS::Alias': (p) => p.AliasName,
};

/**
 * `<type> <name>` for every resource of the template that carries a physical name, except names
 * built from another resource's generated name (`/aws/lambda/<Ref function>`), unique per stack.
 */
function physicalNames(template: Record<string, unknown>): string[] {
  const resources = template.Resources as Record<
    string,
    { Type: string; Properties?: Record<string, unknown> }
  >;
  return Object.values(resources).flatMap((resource) => {
    const name = physicalNameOf[resource.Type]?.(resource.Properties ?? {});
    if (name === undefined) return [];
    if ([...referencedIds(name)].some((id) => resources[id] !== undefined)) return [];
    return [`${resource.Type} ${JSON.stringify(name)}`];
  });
}

describe('two Spoke stacks in one account', () => {
  it('synthesize side by side without sharing a single physical name', () => {
    const it = loadConfig('infra/configs/example.json');
    const hr: SpokeConfig = {
      ...loadConfig('infra/configs/minimal.json'),
      stage: 'prod',
      instance: 'hr',
      account: it.account,
      region: it.region,
      auth: { domainPrefix: 'example-corp-hr-desk', threatProtection: false },
    };
    const { app, stacks } = createSpokeApp({
      config: [it, hr],
      nag: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const assembly = app.synth();
    const [first, second] = stacks.map((stack) => ({
      stack,
      template: assembly.getStackByName(stack.stackName).template as Record<string, unknown>,
    }));
    if (!first || !second) throw new Error('Two stacks were expected');

    const a = physicalNames(first.template);
    const b = physicalNames(second.template);

    expect([first.stack.stackName, second.stack.stackName]).toEqual(['Spoke-prod', 'Spoke-hr-prod']);
    expect(a.length).toBeGreaterThan(10);
    expect(b.length).toBeGreaterThan(10);
    expect(a.filter((name) => b.includes(name))).toEqual([]);
    expect(b).toContain('AWS::DynamoDB::GlobalTable "spoke-hr-prod-domain"');
    expect(b).toContain('AWS::Cognito::UserPoolDomain "example-corp-hr-desk"');
    expect(Template.fromJSON(second.template).findResources('AWS::SES::ReceiptRuleSet')).toSatisfy(
      (sets: Record<string, { Properties: { RuleSetName: string } }>) =>
        Object.values(sets).every((set) => set.Properties.RuleSetName === 'spoke-hr-prod-inbound'),
    );
  });

  it('synthesizes the same template twice from the same config, so cdk diff has nothing to show', () => {
    const synth = () => {
      const { app, stack } = createSpokeApp({
        config: loadConfig('infra/configs/minimal.json'),
        nag: false,
        context: { 'aws:cdk:bundling-stacks': [] },
      });
      return JSON.stringify(app.synth().getStackByName(stack.stackName).template);
    };

    const first = synth();
    expect(first.length).toBeGreaterThan(10_000);
    expect(synth()).toBe(first);
  });
});
