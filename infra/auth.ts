import { Duration, RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  ClientAttributes,
  FeaturePlan,
  type IUserPoolIdentityProvider,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  OidcAttributeRequestMethod,
  ProviderAttribute,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolGroup,
  UserPoolIdentityProviderGoogle,
  UserPoolIdentityProviderOidc,
  UserPoolIdentityProviderSaml,
  UserPoolIdentityProviderSamlMetadata,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { PreTokenGenerationEnv } from '#config/env.ts';
import { type FederationConfig, type IdentityProviderConfig, spokeGroups } from './config.ts';
import { SpokeFunction } from './spoke-function.ts';

/** The Cognito groups Spoke's authorization knows; employees are plain users. */
export const userGroups = spokeGroups;

/** The custom attribute federated users' IdP groups are mapped into (`custom:idp_groups`). */
export const idpGroupsAttribute = 'idp_groups';

export interface AuthProps {
  /** The portal's URL: the only sign-in callback and sign-out target. */
  readonly portalUrl: string;
  /** Prefix of the managed login domain. */
  readonly domainPrefix: string;
  /** Cognito threat protection, which needs the Plus feature plan. */
  readonly threatProtection: boolean;
  /** The company's identity providers and how their groups map to Spoke's. */
  readonly federation?: FederationConfig;
  /** Log retention of the pre token generation function (federation only). */
  readonly logRetention: RetentionDays;
  /** Cognito deletion protection on the user pool (see `Data`'s `deletionProtection`). @default false */
  readonly deletionProtection?: boolean;
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
  /** The company's identity providers, when federation is configured. */
  readonly identityProviders: IUserPoolIdentityProvider[] = [];
  /** Maps IdP groups to Spoke groups in the ID token (federation only). */
  readonly preTokenGeneration?: SpokeFunction<PreTokenGenerationEnv>;

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
      customAttributes: props.federation
        ? { [idpGroupsAttribute]: new StringAttribute({ minLen: 0, maxLen: 2048, mutable: true }) }
        : undefined,
      deletionProtection: props.deletionProtection ?? false,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
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
    if (props.federation) {
      this.identityProviders = props.federation.providers.map((provider) => this.identityProvider(provider));
      this.preTokenGeneration = new SpokeFunction(this, 'PreTokenGeneration', {
        entry: 'functions/handlers/pre-token-generation.ts',
        description: 'Spoke sign-in: maps IdP groups to Spoke groups in the ID token',
        environment: { GROUP_MAPPING: JSON.stringify(props.federation.groups) },
        logRetention: props.logRetention,
        timeout: Duration.seconds(5),
        memorySize: 256,
      });
      this.userPool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION, this.preTokenGeneration);
    }
    const federated = props.federation !== undefined;
    this.portalClient = this.userPool.addClient('Portal', {
      generateSecret: false,
      authFlows: { userSrp: !federated || props.federation.cognitoUsers },
      // Cognito writes mapped attributes through the client the user signs in with, so a
      // federated pool's client must be able to write them. A changed email still needs
      // verification (keepOriginal); idp_groups counts only for federated users (the trigger).
      writeAttributes: new ClientAttributes()
        .withStandardAttributes({ fullname: true, locale: true, timezone: true, email: federated })
        .withCustomAttributes(...(federated ? [idpGroupsAttribute] : [])),
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [props.portalUrl],
        logoutUrls: [props.portalUrl],
      },
      supportedIdentityProviders: [
        ...(!federated || props.federation.cognitoUsers ? [UserPoolClientIdentityProvider.COGNITO] : []),
        // By name (the client depends on the providers below), so the template reads plainly.
        ...(props.federation?.providers ?? []).map((provider) =>
          UserPoolClientIdentityProvider.custom(provider.type === 'google' ? 'Google' : provider.name),
        ),
      ],
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
    for (const provider of this.identityProviders) this.portalClient.node.addDependency(provider);
    this.issuer = this.userPool.userPoolProviderUrl;
    this.loginOrigin = this.domain.baseUrl();
  }

  /** Where a SAML IdP sends its assertions (the reply URL / ACS URL to register there). */
  get samlReplyUrl(): string {
    return `${this.loginOrigin}/saml2/idpresponse`;
  }

  /** The SAML audience / entity id of the user pool, to register at a SAML IdP. */
  get samlEntityId(): string {
    return `urn:amazon:cognito:sp:${this.userPool.userPoolId}`;
  }

  /** The redirect URI to register at an OIDC IdP or Google. */
  get oidcRedirectUri(): string {
    return `${this.loginOrigin}/oauth2/idpresponse`;
  }

  /**
   * One company IdP. Email and groups are mapped on every sign-in; client secrets stay in
   * Secrets Manager and reach CloudFormation as a dynamic reference, never the template.
   */
  private identityProvider(provider: IdentityProviderConfig): IUserPoolIdentityProvider {
    const userPool = this.userPool;
    switch (provider.type) {
      case 'saml':
        return new UserPoolIdentityProviderSaml(this, provider.name, {
          userPool,
          name: provider.name,
          metadata: UserPoolIdentityProviderSamlMetadata.url(provider.metadataUrl),
          attributeMapping: {
            email: ProviderAttribute.other(provider.emailAttribute),
            custom: { [`custom:${idpGroupsAttribute}`]: ProviderAttribute.other(provider.groupsAttribute) },
          },
        });
      case 'oidc':
        return new UserPoolIdentityProviderOidc(this, provider.name, {
          userPool,
          name: provider.name,
          issuerUrl: provider.issuerUrl,
          clientId: provider.clientId,
          clientSecret: SecretValue.secretsManager(provider.clientSecretName).unsafeUnwrap(),
          scopes: ['openid', 'email', 'profile'],
          attributeRequestMethod: OidcAttributeRequestMethod.GET,
          attributeMapping: {
            email: ProviderAttribute.other(provider.emailClaim),
            custom: { [`custom:${idpGroupsAttribute}`]: ProviderAttribute.other(provider.groupsClaim) },
          },
        });
      case 'google':
        return new UserPoolIdentityProviderGoogle(this, 'Google', {
          userPool,
          clientId: provider.clientId,
          clientSecretValue: SecretValue.secretsManager(provider.clientSecretName),
          scopes: ['openid', 'email', 'profile'],
          attributeMapping: {
            email: ProviderAttribute.GOOGLE_EMAIL,
            emailVerified: ProviderAttribute.GOOGLE_EMAIL_VERIFIED,
          },
        });
    }
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
