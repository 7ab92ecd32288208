import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  ClientAttributes,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/** The Cognito groups Spoke's authorization knows; employees are plain users. */
export const userGroups = ['agents', 'approvers', 'admins'] as const;

export interface AuthProps {
  /** The portal's URL: the only sign-in callback and sign-out target. */
  readonly portalUrl: string;
  /** Prefix of the managed login domain. */
  readonly domainPrefix: string;
  /** Cognito threat protection, which needs the Plus feature plan. */
  readonly threatProtection: boolean;
}

/**
 * Who may use Spoke. A Cognito user pool with no self sign-up (the company decides who is an
 * employee), required TOTP MFA and a public portal client that signs in through managed
 * login with the authorization code flow and PKCE, so no client secret exists to leak.
 */
export class Auth extends Construct {
  readonly userPool: UserPool;
  readonly portalClient: UserPoolClient;
  readonly domain: UserPoolDomain;
  /** The OIDC issuer: the JWT authorizer's issuer and the portal's `authority`. */
  readonly issuer: string;
  /** Origin of the managed login pages and token endpoint. */
  readonly loginOrigin: string;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      keepOriginal: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: props.threatProtection ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      standardThreatProtectionMode: props.threatProtection
        ? StandardThreatProtectionMode.FULL_FUNCTION
        : undefined,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (!props.threatProtection) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'Threat protection needs the Plus plan, billed per active user; it is the config switch auth.threatProtection. MFA is required either way.',
      });
    }
    for (const groupName of userGroups) {
      new UserPoolGroup(this, groupName, { userPool: this.userPool, groupName });
    }
    this.portalClient = this.userPool.addClient('Portal', {
      generateSecret: false,
      authFlows: { userSrp: true },
      writeAttributes: new ClientAttributes().withStandardAttributes({
        fullname: true,
        locale: true,
        timezone: true,
      }),
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [props.portalUrl],
        logoutUrls: [props.portalUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
    });
    this.domain = this.userPool.addDomain('Login', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    new CfnManagedLoginBranding(this, 'LoginBranding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.portalClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    this.issuer = this.userPool.userPoolProviderUrl;
    this.loginOrigin = this.domain.baseUrl();
  }
}

/**
 * Origins the portal talks to for sign-in: the OIDC issuer (discovery, keys) and the managed
 * login domain (authorize, token). Derived from the config rather than from the resources so
 * the portal's CSP does not depend on the user pool, which itself depends on the portal's URL.
 */
export function identityOrigins(region: string, domainPrefix: string): string[] {
  return [
    `https://cognito-idp.${region}.amazonaws.com`,
    `https://${domainPrefix}.auth.${region}.amazoncognito.com`,
  ];
}
