import {
  Aspects,
  CfnDeletionPolicy,
  CfnOutput,
  CfnResource,
  Duration,
  Fn,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { Api } from './api.ts';
import { Auth, identityOrigins } from './auth.ts';
import { accessLogBucket } from './buckets.ts';
import { Catalog } from './catalog.ts';
import { CloudOperations } from './cloud-operations.ts';
import { AssetImports, CmdbDiscovery } from './cmdb.ts';
import { businessHoursEnv, resourcePrefix, type SpokeConfig } from './config.ts';
import { Data } from './data.ts';
import { Email } from './email.ts';
import { Events } from './events.ts';
import { Housekeeping } from './housekeeping.ts';
import { MailFeedback } from './mail-feedback.ts';
import { Notifications } from './notifications.ts';
import { Observability } from './observability.ts';
import { Portal } from './portal.ts';
import { ProblemEvents } from './problem-events.ts';
import { Release, withoutParameter } from './release.ts';
import { Reporting } from './reporting.ts';
import { Search } from './search.ts';
import { ServiceStatus } from './service-status.ts';
import {
  ChangeSettings,
  intakeSettingsEnv,
  notificationSettingsEnv,
  openLimitEnv,
  problemSettingsEnv,
  reportingSettingsEnv,
  satisfactionSettingsEnv,
  ticketSettingsEnv,
  valueSettingsEnv,
} from './settings.ts';
import { Sla } from './sla.ts';
import { Workflows } from './workflows.ts';

export interface SpokeStackProps extends Omit<StackProps, 'env'> {
  readonly config: SpokeConfig;
}

/**
 * One complete Spoke service desk in one account (DESIGN §1): data, sign-in, API, portal,
 * inbound mail and the change workflow, each a construct of its own, wired here.
 */
export class SpokeStack extends Stack {
  readonly config: SpokeConfig;
  readonly data: Data;
  readonly auth: Auth;
  readonly api: Api;
  readonly portal: Portal;
  readonly email: Email;
  readonly workflows: Workflows;
  readonly catalog: Catalog;
  readonly events: Events;
  readonly notifications: Notifications;
  readonly reporting: Reporting;
  readonly problemEvents: ProblemEvents;
  readonly release: Release;
  readonly serviceStatus: ServiceStatus;
  readonly mailFeedback: MailFeedback;
  /** AWS Config discovery into the CMDB, when the config turns it on. */
  readonly cmdbDiscovery?: CmdbDiscovery;
  /** CSV imports of assets (an asynchronous function on the domain bus). */
  readonly assetImports: AssetImports;
  readonly observability: Observability;
  readonly housekeeping: Housekeeping;
  readonly sla: Sla;
  /** Alarms, AWS Health and CloudTrail into incidents (`cloudOperations`). */
  readonly cloudOperations: CloudOperations;

  constructor(scope: Construct, id: string, { config, ...props }: SpokeStackProps) {
    super(scope, id, {
      description: `Spoke service desk for ${config.company.name} (${config.stage})`,
      ...props,
      env: { account: config.account, region: config.region },
    });
    this.config = config;
    const prefix = resourcePrefix(config);
    const logRetention = config.retention.logDays as RetentionDays;
    const accessLogs = accessLogBucket(this, 'AccessLogs', config.retention.logDays);

    this.events = new Events(this, 'Events', {
      prefix,
      archiveRetention: Duration.days(config.retention.auditEventDays),
    });
    this.data = new Data(this, 'Data', {
      prefix,
      accessLogs,
      eventBusName: this.events.bus.eventBusName,
      businessHours: {
        TIME_ZONE: config.businessHours.timeZone,
        BUSINESS_HOURS: businessHoursEnv(config.businessHours),
      },
      ticketSettings: ticketSettingsEnv(config.tickets, config.support),
      restoredTables: config.restoredTables,
      deletionProtection: config.deletionProtection,
    });
    this.portal = new Portal(this, 'Portal', {
      prefix,
      accessLogs,
      identityOrigins: identityOrigins(config.region, config.auth.domainPrefix),
      // The bucket's own domain would make a cycle (its CORS rule names the portal's URL), so the
      // CSP names the region's S3 hosts; presigned URLs are virtual-hosted (<bucket>.s3.<region>…).
      transferOrigin: `https://*.s3.${config.region}.amazonaws.com`,
      customDomain: config.portal,
    });
    this.mailFeedback = new MailFeedback(this, 'MailFeedback', { prefix, data: this.data, logRetention });
    const configurationSet = this.mailFeedback.configurationSet.configurationSetName;
    this.auth = new Auth(this, 'Auth', {
      portalUrl: this.portal.url,
      ...config.auth,
      logRetention,
      deletionProtection: config.deletionProtection,
      invitations: {
        from: config.support.mailFrom,
        fromName: `${config.company.name} IT service desk`,
        configurationSet,
      },
    });
    this.email = new Email(this, 'Email', {
      prefix,
      recipients: config.support.addresses,
      mail: {
        SUPPORT_ADDRESS: config.support.addresses[0],
        MAIL_FROM: config.support.mailFrom,
        PORTAL_URL: this.portal.url,
        MAIL_CONFIGURATION_SET: configurationSet,
      },
      intake: intakeSettingsEnv(config.support),
      data: this.data,
      accessLogs,
      logRetention,
      identityDomains: config.support.identities === 'create' ? config.support.domains : [],
      rawMailDays: config.retention.rawMailDays,
    });
    // Cognito sends invitations from the SES identity of mailFrom's domain: create it first.
    for (const identity of this.email.identities) this.auth.userPool.node.addDependency(identity);
    const changeSettings = new ChangeSettings(this, 'ChangeSettings', config.changes);
    this.workflows = new Workflows(this, 'Workflows', {
      prefix,
      data: this.data,
      environment: {
        ...this.data.environment,
        ...changeSettings.environment,
        SUPPORT_ADDRESS: config.support.addresses[0],
        MAIL_FROM: config.support.mailFrom,
        PORTAL_URL: this.portal.url,
        MAIL_CONFIGURATION_SET: configurationSet,
      },
      logRetention,
    });
    this.api = new Api(this, 'Api', {
      auth: this.auth,
      data: this.data,
      changeApproval: this.workflows.changeApproval,
      changeApprovalName: this.workflows.changeApprovalName,
      linkKey: this.workflows.linkKey,
      changeSettings: changeSettings.environment,
      openLimits: openLimitEnv(config.tickets),
      cmdb: {
        CMDB_MANAGER_GROUP: config.cmdb.managerGroup,
        CMDB_CRITICAL_RISK_WEIGHT: String(config.cmdb.criticalServiceRiskWeight),
      },
      problemSettings: problemSettingsEnv(config.problems),
      satisfaction: satisfactionSettingsEnv(config.reporting),
      value: valueSettingsEnv(config.reporting),
      logRetention,
    });
    changeSettings.grantRead(this.api.handler, this.workflows.changeTask);
    // Catalog approvals use the change approvals' link lifetime and escalation group.
    const { APPROVAL_LINK_VALID_HOURS, ESCALATION_GROUP } = changeSettings.environment;
    this.catalog = new Catalog(this, 'Catalog', {
      prefix,
      data: this.data,
      environment: {
        ...this.data.environment,
        APPROVAL_LINK_VALID_HOURS,
        ESCALATION_GROUP,
        SUPPORT_ADDRESS: config.support.addresses[0],
        MAIL_FROM: config.support.mailFrom,
        PORTAL_URL: this.portal.url,
        MAIL_CONFIGURATION_SET: configurationSet,
        CATALOG_AUTOMATION_HOOKS: JSON.stringify(config.catalog.automationHooks),
      },
      linkKey: this.workflows.linkKey,
      api: this.api.handler,
      logRetention,
    });
    this.data.allowAttachmentTransfersFrom(this.portal.url);
    this.portal.routeApi(this.api.domainName, this.api.originHeaders);
    this.portal.publish({
      authority: this.auth.issuer,
      clientId: this.auth.portalClient.userPoolClientId,
      logoutEndpoint: this.auth.logoutEndpoint,
      apiBase: '/api',
    });
    const search = new Search(this, 'Search', {
      data: this.data,
      api: this.api,
      config: config.search,
      logRetention,
    });
    this.housekeeping = new Housekeeping(this, 'Housekeeping', { data: this.data, logRetention });
    this.events.grantPublish(
      this.api.handler,
      this.email.handler,
      this.housekeeping.handler,
      this.workflows.changeTask,
      this.catalog.task,
    );
    this.notifications = new Notifications(this, 'Notifications', {
      data: this.data,
      events: this.events,
      mail: {
        SUPPORT_ADDRESS: config.support.addresses[0],
        MAIL_FROM: config.support.mailFrom,
        PORTAL_URL: this.portal.url,
        MAIL_CONFIGURATION_SET: configurationSet,
        ...notificationSettingsEnv(config.support),
      },
      satisfaction: satisfactionSettingsEnv(config.reporting),
      linkKey: this.workflows.linkKey,
      logRetention,
    });
    this.sla = new Sla(this, 'Sla', {
      prefix,
      data: this.data,
      events: this.events,
      mail: {
        SUPPORT_ADDRESS: config.support.addresses[0],
        MAIL_FROM: config.support.mailFrom,
        PORTAL_URL: this.portal.url,
        MAIL_CONFIGURATION_SET: configurationSet,
      },
      logRetention,
    });
    this.reporting = new Reporting(this, 'Reporting', {
      data: this.data,
      events: this.events,
      logRetention,
      monthlyReport: reportingSettingsEnv(config.reporting, {
        SUPPORT_ADDRESS: config.support.addresses[0],
        MAIL_FROM: config.support.mailFrom,
        PORTAL_URL: this.portal.url,
        MAIL_CONFIGURATION_SET: configurationSet,
      }),
    });
    this.problemEvents = new ProblemEvents(this, 'ProblemEvents', {
      data: this.data,
      events: this.events,
      settings: problemSettingsEnv(config.problems),
      logRetention,
    });
    this.release = new Release(this, 'Release', {
      prefix,
      data: this.data,
      events: this.events,
      environment: {
        ...this.data.environment,
        // The gate records standard changes only: no service owners or questionnaire (no SSM read).
        ...withoutParameter(changeSettings.environment),
        SUPPORT_ADDRESS: config.support.addresses[0],
        MAIL_FROM: config.support.mailFrom,
        PORTAL_URL: this.portal.url,
        MAIL_CONFIGURATION_SET: configurationSet,
      },
      config: config.release,
      linkKey: this.workflows.linkKey,
      api: this.api,
      logRetention,
    });
    this.serviceStatus = new ServiceStatus(this, 'ServiceStatus', {
      data: this.data,
      events: this.events,
      settings: {
        CMDB_MANAGER_GROUP: config.cmdb.managerGroup,
        CMDB_STATUS_DEPTH: String(config.cmdb.statusImpactDepth),
      },
      logRetention,
    });
    this.events.routeToFunction('QuarantineRelease', ['mail.release_requested'], this.email.handler, {
      deadLetterQueue: this.email.deadLetters,
    });

    this.assetImports = new AssetImports(this, 'AssetImports', {
      data: this.data,
      events: this.events,
      api: this.api,
      cmdb: config.cmdb,
      logRetention,
    });
    if (config.cmdb.discovery.enabled)
      this.cmdbDiscovery = new CmdbDiscovery(this, 'CmdbDiscovery', {
        data: this.data,
        events: this.events,
        cmdb: config.cmdb,
        logRetention,
      });

    this.cloudOperations = new CloudOperations(this, 'CloudOperations', {
      data: this.data,
      events: this.events,
      config: config.cloudOperations,
      mail: {
        SUPPORT_ADDRESS: config.support.addresses[0],
        MAIL_FROM: config.support.mailFrom,
        PORTAL_URL: this.portal.url,
        MAIL_CONFIGURATION_SET: configurationSet,
      },
      cmdbManagerGroup: config.cmdb.managerGroup,
      logRetention,
    });
    const operations = this.cloudOperations;

    this.observability = new Observability(this, 'Observability', {
      prefix,
      functions: {
        api: this.api.handler,
        'inbound-email': this.email.handler,
        notifications: this.notifications.handler,
        reporting: this.reporting.handler,
        'monthly-report': this.reporting.monthly,
        'problem-events': this.problemEvents.handler,
        'service-status': this.serviceStatus.handler,
        'mail-feedback': this.mailFeedback.handler,
        housekeeping: this.housekeeping.handler,
        sla: this.sla.handler,
        'change-workflow': this.workflows.changeTask,
        'catalog-workflow': this.catalog.task,
        search: search.handler,
        'search-indexer': search.indexer,
        ...(this.auth.preTokenGeneration ? { 'pre-token-generation': this.auth.preTokenGeneration } : {}),
        ...(this.cmdbDiscovery ? { 'cmdb-discovery': this.cmdbDiscovery.handler } : {}),
        ...this.release.observed.functions,
        'asset-import': this.assetImports.handler,
        'cloud-operations': operations.handler,
      },
      deadLetters: {
        'inbound-email': this.email.deadLetters,
        notifications: this.notifications.deadLetters,
        sla: this.sla.deadLetters,
        reporting: this.reporting.deadLetters,
        'search-indexer': search.deadLetters,
        'problem-events': this.problemEvents.deadLetters,
        'service-status': this.serviceStatus.deadLetters,
        ...(this.cmdbDiscovery ? { 'cmdb-discovery': this.cmdbDiscovery.deadLetters } : {}),
        ...this.release.observed.deadLetters,
        'asset-import': this.assetImports.deadLetters,
        'cloud-operations': operations.deadLetters,
      },
      stateMachines: {
        'change-approval': this.workflows.changeApproval,
        'catalog-request': this.catalog.requestWorkflow,
        ...this.release.observed.stateMachines,
      },
      httpApis: { api: this.api.httpApi },
      ...(config.alarms.email ? { alarmEmail: config.alarms.email } : {}),
      ...(config.alarms.topicArn ? { alarmTopicArn: config.alarms.topicArn } : {}),
    });

    // What CDK's own constructs retain (the BucketDeployment's log group) is kept like Spoke's:
    // only once created, so the rollback of a failed first deploy removes it.
    Aspects.of(this).add({
      visit(node) {
        if (node instanceof CfnResource && node.cfnOptions.deletionPolicy === CfnDeletionPolicy.RETAIN)
          node.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE;
      },
    });

    new CfnOutput(this, 'PortalUrl', { value: this.portal.url });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'PortalClientId', { value: this.auth.portalClient.userPoolClientId });
    new CfnOutput(this, 'ReceiptRuleSetName', {
      value: this.email.ruleSet.receiptRuleSetName,
      description: 'Not active: activate with aws ses set-active-receipt-rule-set once MX points at SES',
    });
    new CfnOutput(this, 'EventBusName', { value: this.events.bus.eventBusName });
    new CfnOutput(this, 'InboundEmailFunctionName', { value: this.email.handler.functionName });
    new CfnOutput(this, 'InboundEmailDeadLetterQueueUrl', {
      value: this.email.deadLetters.queueUrl,
      description: 'npm run mail:reprocess -- --queue-url <this> --function <InboundEmailFunctionName>',
    });
    new CfnOutput(this, 'NotificationsFunctionName', { value: this.notifications.handler.functionName });
    new CfnOutput(this, 'NotificationsDeadLetterQueueUrl', {
      value: this.notifications.deadLetters.queueUrl,
      description:
        'npm run notifications:reprocess -- --queue-url <this> --function <NotificationsFunctionName>',
    });
    new CfnOutput(this, 'ChangeApprovalStateMachineArn', {
      value: this.workflows.changeApproval.stateMachineArn,
    });
    this.dnsOutputs(config);
  }

  /**
   * Every DNS record to create, one output each (`DnsRecord1`, …) whose value reads
   * `<name> <type> <value>`, and the URLs a company IdP needs. Numbered in a fixed order
   * (MX, DKIM, DMARC, portal), so the outputs stay put from one deploy to the next.
   */
  private dnsOutputs(config: SpokeConfig): void {
    const records = [...this.email.dnsRecords];
    if (config.portal) {
      records.push({
        name: config.portal.domainName,
        type: 'CNAME',
        value: this.portal.distribution.distributionDomainName,
        why: 'serves the portal (or an alias record to the CloudFront distribution in Route 53)',
      });
    }
    records.forEach((record, index) => {
      new CfnOutput(this, `DnsRecord${index + 1}`, {
        value: Fn.join(' ', [record.name, record.type, record.value]),
        description: record.why,
      });
    });
    if (config.auth.federation) {
      new CfnOutput(this, 'SamlReplyUrl', {
        value: this.auth.samlReplyUrl,
        description: 'SAML IdP: the reply (ACS) URL to register',
      });
      new CfnOutput(this, 'SamlEntityId', {
        value: this.auth.samlEntityId,
        description: 'SAML IdP: the audience / identifier (entity ID) to register',
      });
      new CfnOutput(this, 'OidcRedirectUri', {
        value: this.auth.oidcRedirectUri,
        description: 'OIDC IdP or Google: the redirect URI to register',
      });
    }
  }
}
