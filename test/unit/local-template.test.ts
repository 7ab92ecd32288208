import { describe, expect, it } from 'vitest';
import { callbackUrl, signedOutUrl } from '#http/sign-in-urls.ts';
import {
  checkPortalSignIn,
  ISSUER_PLACEHOLDER,
  type LocalTemplate,
  localize,
  PORTAL_PLACEHOLDER_ORIGIN,
} from '#local/local-template.ts';

const local = { portal: 'http://127.0.0.1:3000', issuer: 'http://127.0.0.1:3002' };

/** A template whose app client registers the given URLs on the portal's CloudFront domain. */
const withClient = (callbackUrls: string[], logoutUrls: string[]) =>
  ({
    portalClient: { clientId: 'spoke-portal-local', callbackUrls, logoutUrls },
  }) as unknown as LocalTemplate;

describe('local template', () => {
  it('translates the portal’s CloudFront origin and the user pool issuer to the local ones, nothing else', () => {
    const value = {
      url: `${PORTAL_PLACEHOLDER_ORIGIN}/auth/callback`,
      issuer: ISSUER_PLACEHOLDER,
      table: 'spoke-local-domain',
    };

    expect(localize(value, local)).toEqual({
      url: 'http://127.0.0.1:3000/auth/callback',
      issuer: 'http://127.0.0.1:3002',
      table: 'spoke-local-domain',
    });
  });

  it('accepts an app client that registers exactly what the portal sends', () => {
    const template = withClient(
      [callbackUrl(PORTAL_PLACEHOLDER_ORIGIN)],
      [signedOutUrl(PORTAL_PLACEHOLDER_ORIGIN)],
    );

    expect(() => checkPortalSignIn(template, local.portal)).not.toThrow();
  });

  it('refuses to start on the app client of issue 11 (the bare portal URL), naming both sides', () => {
    const template = withClient([PORTAL_PLACEHOLDER_ORIGIN], [PORTAL_PLACEHOLDER_ORIGIN]);

    expect(() => checkPortalSignIn(template, local.portal)).toThrow(
      /CallbackURLs are \["http:\/\/127\.0\.0\.1:3000"\] but the portal sends redirect_uri http:\/\/127\.0\.0\.1:3000\/auth\/callback.*redirect_mismatch/,
    );
  });
});
