import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { callbackUrl, signedOutUrl } from '#http/sign-in-urls.ts';
import { loadConfig } from '#infra/config.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';

/**
 * Cognito compares redirect_uri and logout_uri with the app client's CallbackURLs and LogoutURLs
 * character for character. The portal sends `callbackUrl(origin)` and `signedOutUrl(origin)`
 * (web/src/auth.ts), so the app client must register exactly those, on the portal's domain.
 */
describe('the Cognito app client registers the URLs the portal sends', () => {
  it('on a custom portal domain: its callback and sign-out URLs, nothing else', () => {
    const config = loadConfig('infra/configs/example.json');
    const { stack } = createSpokeApp({ config, nag: false, context: { 'aws:cdk:bundling-stacks': [] } });
    const clients = Object.values(Template.fromStack(stack).findResources('AWS::Cognito::UserPoolClient'));
    const origin = `https://${config.portal?.domainName}`;

    expect(clients).toHaveLength(1);
    expect(clients[0]?.Properties.CallbackURLs).toEqual([callbackUrl(origin)]);
    expect(clients[0]?.Properties.LogoutURLs).toEqual([signedOutUrl(origin)]);
    expect(callbackUrl(origin)).toBe('https://servicedesk.example.com/auth/callback');
  });
});
