import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#infra/config.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';

describe('a custom CDK bootstrap qualifier', () => {
  it('synthesizes with cdk-nag clean when the account was bootstrapped with --qualifier acme12345', () => {
    const { app, stack } = createSpokeApp({
      config: loadConfig('infra/configs/minimal.json'),
      nag: false,
      context: { '@aws-cdk/core:bootstrapQualifier': 'acme12345', 'aws:cdk:bundling-stacks': [] },
    });

    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.map(
      (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );

    expect(stack.synthesizer.bootstrapQualifier).toBe('acme12345');
    expect(findings).toEqual([]);
    const template = JSON.stringify(app.synth().getStackByName(stack.stackName).template);
    expect(template).toContain('cdk-acme12345-assets-111122223333-eu-west-1');
    expect(template).not.toContain('hnb659fds');
  });
});
