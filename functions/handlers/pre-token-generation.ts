import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { parseEnv, preTokenGenerationEnv } from '#config/env.ts';
import { signedInThroughCompanyIdp, tokenGroups } from '#core/identity/group-mapping.ts';

const { GROUP_MAPPING: mapping } = parseEnv(preTokenGenerationEnv);

/** The custom attribute the IdP's groups claim is mapped to (infra/auth.ts). */
export const IDP_GROUPS_ATTRIBUTE = 'custom:idp_groups';

/**
 * Cognito pre token generation trigger: puts the Spoke groups mapped from the company IdP's
 * groups into `cognito:groups` of the ID token (where the API reads them), next to the
 * user's Cognito groups, and keeps the raw IdP groups out of the token. For a user of the
 * company IdP it also marks the email verified: the directory vouches for it (Cognito would
 * say false, and the API refuses unverified addresses).
 */
export async function handler(
  event: PreTokenGenerationTriggerEvent,
): Promise<PreTokenGenerationTriggerEvent> {
  const attributes = event.request.userAttributes;
  const companyUser = signedInThroughCompanyIdp(attributes.identities);
  const groups = tokenGroups({
    cognitoGroups: event.request.groupConfiguration.groupsToOverride ?? [],
    federated: companyUser,
    idpGroups: attributes[IDP_GROUPS_ATTRIBUTE],
    mapping,
  });
  event.response = {
    claimsOverrideDetails: {
      ...(companyUser ? { claimsToAddOrOverride: { email_verified: 'true' } } : {}),
      claimsToSuppress: [IDP_GROUPS_ATTRIBUTE],
      groupOverrideDetails: {
        groupsToOverride: groups,
        iamRolesToOverride: event.request.groupConfiguration.iamRolesToOverride ?? [],
        ...(event.request.groupConfiguration.preferredRole
          ? { preferredRole: event.request.groupConfiguration.preferredRole }
          : {}),
      },
    },
  };
  return event;
}
