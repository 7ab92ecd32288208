import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type GroupMapping,
  parseIdpGroups,
  signedInThroughCompanyIdp,
  spokeGroupsFor,
  tokenGroups,
} from '#core/identity/group-mapping.ts';

const mapping: GroupMapping = {
  agents: ['IT-Service-Desk', '8f2c1a52-a1'],
  approvers: ['Change-Advisory-Board'],
  admins: ['IT-Service-Owners'],
};

describe('IdP groups to Spoke groups', () => {
  it('reads the forms Cognito stores a groups claim in', () => {
    expect(parseIdpGroups('[IT-Service-Desk, Change-Advisory-Board]')).toEqual([
      'IT-Service-Desk',
      'Change-Advisory-Board',
    ]);
    expect(parseIdpGroups('["IT-Service-Desk","Change Advisory Board"]')).toEqual([
      'IT-Service-Desk',
      'Change Advisory Board',
    ]);
    expect(parseIdpGroups('IT-Service-Desk')).toEqual(['IT-Service-Desk']);
    expect(parseIdpGroups('')).toEqual([]);
    expect(parseIdpGroups(undefined)).toEqual([]);
  });

  it('maps each IdP group to the Spoke groups that list it, and ignores the rest', () => {
    expect(spokeGroupsFor(['Change-Advisory-Board', 'Everyone', '8f2c1a52-a1'], mapping)).toEqual([
      'agents',
      'approvers',
    ]);
    expect(spokeGroupsFor(['Everyone'], mapping)).toEqual([]);
  });

  it('adds mapped groups to the Cognito groups of a federated user only', () => {
    const input = { cognitoGroups: ['agents'], idpGroups: '[IT-Service-Owners]', mapping };

    expect(tokenGroups({ ...input, federated: true })).toEqual(['agents', 'admins']);
    expect(tokenGroups({ ...input, federated: false })).toEqual(['agents']);
  });
});

describe('who signed in through the company IdP', () => {
  it('is a SAML or OIDC identity, not Google, not a Cognito user, not a malformed attribute', () => {
    expect(signedInThroughCompanyIdp('[{"providerName":"EntraID","providerType":"SAML"}]')).toBe(true);
    expect(signedInThroughCompanyIdp('[{"providerName":"Okta","providerType":"OIDC"}]')).toBe(true);
    expect(signedInThroughCompanyIdp('[{"providerName":"Google","providerType":"Google"}]')).toBe(false);
    expect(signedInThroughCompanyIdp(undefined)).toBe(false);
    expect(signedInThroughCompanyIdp('not json')).toBe(false);
  });
});

describe('pre token generation trigger', () => {
  let handler: (event: PreTokenGenerationTriggerEvent) => Promise<PreTokenGenerationTriggerEvent>;

  beforeAll(async () => {
    process.env.GROUP_MAPPING = JSON.stringify(mapping);
    ({ handler } = await import('#handlers/pre-token-generation.ts'));
  });

  const event = (userAttributes: Record<string, string>, groups: string[]) =>
    ({
      version: '1',
      triggerSource: 'TokenGeneration_HostedAuth',
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_example',
      userName: 'EntraID_emma',
      callerContext: { awsSdkVersion: '1', clientId: 'portal' },
      request: { userAttributes, groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [] } },
      response: { claimsOverrideDetails: {} },
    }) as unknown as PreTokenGenerationTriggerEvent;

  it('puts the mapped groups into cognito:groups, marks the directory’s email verified and keeps the raw IdP groups out', async () => {
    const result = await handler(
      event(
        {
          identities: '[{"providerName":"EntraID","providerType":"SAML"}]',
          'custom:idp_groups': '[Change-Advisory-Board]',
        },
        [],
      ),
    );

    expect(result.response.claimsOverrideDetails).toEqual({
      claimsToAddOrOverride: { email_verified: 'true' },
      claimsToSuppress: ['custom:idp_groups'],
      groupOverrideDetails: { groupsToOverride: ['approvers'], iamRolesToOverride: [] },
    });
  });

  it('does not trust idp_groups a Cognito user wrote themselves, nor vouch for their email', async () => {
    const result = await handler(event({ 'custom:idp_groups': '[IT-Service-Owners]' }, ['agents']));

    expect(result.response.claimsOverrideDetails?.groupOverrideDetails?.groupsToOverride).toEqual(['agents']);
    expect(result.response.claimsOverrideDetails?.claimsToAddOrOverride).toBeUndefined();
  });

  it('leaves a Google user’s email as Google verified it, and maps no groups for them', async () => {
    const result = await handler(
      event(
        {
          identities: '[{"providerName":"Google","providerType":"Google"}]',
          'custom:idp_groups': '[IT-Service-Owners]',
        },
        [],
      ),
    );

    expect(result.response.claimsOverrideDetails?.claimsToAddOrOverride).toBeUndefined();
    expect(result.response.claimsOverrideDetails?.groupOverrideDetails?.groupsToOverride).toEqual([]);
  });
});
