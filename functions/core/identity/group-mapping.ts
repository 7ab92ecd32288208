import * as z from 'zod';
import { Role } from './actor.ts';

/** Which IdP group names make a user a member of each Spoke group (from the account config). */
export const GroupMapping = z
  .object({ agents: z.array(z.string()), approvers: z.array(z.string()), admins: z.array(z.string()) })
  .strict();
export type GroupMapping = z.infer<typeof GroupMapping>;

/**
 * The IdP groups Cognito stored in the user's `custom:idp_groups` attribute. Cognito writes a
 * multi-valued SAML attribute as `[a, b]` and an OIDC array claim as JSON (`["a","b"]`); a
 * single group arrives bare. Group names with commas are not supported (no IdP we know emits them).
 */
export function parseIdpGroups(value: string | undefined): string[] {
  const text = value?.trim() ?? '';
  if (text === '') return [];
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map(String).filter(Boolean);
    } catch {
      // Not JSON: Cognito's `[a, b]` form, read below.
    }
  }
  return text
    .replace(/^\[/, '')
    .replace(/\]$/, '')
    .split(',')
    .map((group) => group.trim().replace(/^"(.*)"$/, '$1'))
    .filter(Boolean);
}

/** The Spoke groups a user's IdP groups map to, in a stable order; unknown IdP groups give nothing. */
export function spokeGroupsFor(idpGroups: readonly string[], mapping: GroupMapping): Role[] {
  const member = new Set(idpGroups);
  return Role.options.filter((role) => mapping[role].some((group) => member.has(group)));
}

/**
 * The groups a token carries: the user's Cognito groups (set by an admin) plus, for a user who
 * signed in through the company IdP, the groups mapped from the IdP's groups claim. A user
 * created in Cognito itself can write `custom:idp_groups` with its own access token, so the
 * attribute counts only for federated users, whose attributes Cognito overwrites from the IdP
 * at every sign-in.
 */
export function tokenGroups(input: {
  readonly cognitoGroups: readonly string[];
  readonly federated: boolean;
  readonly idpGroups: string | undefined;
  readonly mapping: GroupMapping;
}): string[] {
  const mapped = input.federated ? spokeGroupsFor(parseIdpGroups(input.idpGroups), input.mapping) : [];
  return [...new Set([...input.cognitoGroups, ...mapped])];
}

/**
 * Whether a user signed in through the company's directory: a SAML or OIDC provider, as the
 * `identities` attribute Cognito keeps (and users cannot write) says. Google sign-in is not:
 * it vouches for a Google account, not for an employee.
 */
export function signedInThroughCompanyIdp(identities: string | undefined): boolean {
  if (!identities) return false;
  try {
    const parsed: unknown = JSON.parse(identities);
    return (
      Array.isArray(parsed) &&
      parsed.some(
        (identity) =>
          typeof identity === 'object' &&
          identity !== null &&
          ['SAML', 'OIDC'].includes(String((identity as { providerType?: unknown }).providerType)),
      )
    );
  } catch {
    return false;
  }
}
