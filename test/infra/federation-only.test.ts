import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#infra/config.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';

describe('a user pool for the company IdP only (auth.federation.cognitoUsers: false)', () => {
  it('offers no password sign-in and no Cognito users on the portal client', () => {
    const example = loadConfig('infra/configs/example.json');
    const federation = example.auth.federation;
    if (!federation) throw new Error('The example config federates');
    const { stack } = createSpokeApp({
      config: { ...example, auth: { ...example.auth, federation: { ...federation, cognitoUsers: false } } },
      nag: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const clients = Object.values(
      Template.fromStack(stack).findResources('AWS::Cognito::UserPoolClient'),
    ) as { Properties: Record<string, unknown> }[];

    expect(clients).toHaveLength(1);
    expect(clients[0]?.Properties.SupportedIdentityProviders).toEqual(['EntraID', 'Okta']);
    expect(clients[0]?.Properties.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
  });
});
