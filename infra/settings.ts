import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type * as z from 'zod';
import type {
  apiEnv,
  changeEnv,
  dataEnv,
  inboundEmailEnv,
  MonthlyReportEnv,
  notificationsEnv,
  problemEnv,
} from '#config/env.ts';
import { changeSettingsDocument, type SpokeConfig } from './config.ts';

/** SSM's standard tier holds 4 KB a parameter; the advanced tier (billed monthly) 8 KB. */
const STANDARD_TIER_BYTES = 4096;

export type TicketSettingsEnv = Pick<
  z.input<typeof dataEnv>,
  | 'AGENT_VISIBILITY'
  | 'WATCHER_POLICY'
  | 'KNOWN_SENDER_DOMAINS'
  | 'REOPEN_WINDOW_DAYS'
  | 'AUTO_CLOSE_DAYS'
  | 'PRIORITY_MATRIX'
>;

/** The ticket settings of the account config as every function that touches tickets gets them. */
export const ticketSettingsEnv = (
  tickets: SpokeConfig['tickets'],
  support: SpokeConfig['support'],
): TicketSettingsEnv => ({
  AGENT_VISIBILITY: tickets.agentVisibility,
  WATCHER_POLICY: tickets.watcherPolicy,
  KNOWN_SENDER_DOMAINS: support.unknownSenders.knownDomains.join(','),
  REOPEN_WINDOW_DAYS: String(tickets.reopenWindowDays),
  AUTO_CLOSE_DAYS: String(tickets.autoCloseDays),
  PRIORITY_MATRIX: tickets.priorityMatrix.flat().join(''),
});

/** The API's cap on tickets opened per person (account config `tickets`). */
export const openLimitEnv = (
  tickets: SpokeConfig['tickets'],
): Pick<z.input<typeof apiEnv>, 'TICKET_OPEN_LIMIT_PER_MINUTE' | 'TICKET_OPEN_LIMIT_PER_HOUR'> => ({
  TICKET_OPEN_LIMIT_PER_MINUTE: String(tickets.openLimitPerMinute),
  TICKET_OPEN_LIMIT_PER_HOUR: String(tickets.openLimitPerHour),
});

export type ProblemSettingsEnv = z.input<typeof problemEnv>;

/** The problem settings of the account config, as the API and the problem-events function get them. */
export const problemSettingsEnv = (problems: SpokeConfig['problems']): ProblemSettingsEnv => ({
  PROBLEM_MANAGERS_GROUP: problems.managersGroup,
  PROBLEM_FIX_POLICY: problems.fixPolicy,
  PROBLEM_SUGGESTION_THRESHOLD: String(problems.suggestionThreshold),
  PROBLEM_SUGGESTION_WINDOW_DAYS: String(problems.suggestionWindowDays),
});

/** The inbound-mail filters of the account config, as the inbound-email function gets them. */
export const intakeSettingsEnv = (
  support: SpokeConfig['support'],
): Pick<
  z.input<typeof inboundEmailEnv>,
  'UNKNOWN_SENDER_POLICY' | 'ACK_LIMIT_PER_SENDER_PER_HOUR' | 'ACK_LIMIT_PER_MINUTE'
> => ({
  UNKNOWN_SENDER_POLICY: support.unknownSenders.policy,
  ACK_LIMIT_PER_SENDER_PER_HOUR: String(support.acknowledgements.perSenderPerHour),
  ACK_LIMIT_PER_MINUTE: String(support.acknowledgements.perMinute),
});

/** The notification cap of the account config, as the notifications function gets it. */
export const notificationSettingsEnv = (
  support: SpokeConfig['support'],
): Pick<z.input<typeof notificationsEnv>, 'NOTIFY_LIMIT_PER_RECIPIENT_PER_HOUR'> => ({
  NOTIFY_LIMIT_PER_RECIPIENT_PER_HOUR: String(support.notificationsPerRecipientPerHour),
});

export type ChangeSettingsEnv = Omit<
  z.input<typeof changeEnv>,
  'LINK_KEY_ID' | 'SERVICE_OWNERS' | 'RISK_QUESTIONNAIRE'
>;

/**
 * The change settings: the small ones as environment variables, service owners and the risk
 * questionnaire as one JSON document in an SSM parameter (a function's environment holds 4 KB
 * in all), which the api and change-workflow functions read once per cold start.
 */
export class ChangeSettings extends Construct {
  readonly parameter: StringParameter;
  /** What the api and change-workflow functions get in their environment. */
  readonly environment: ChangeSettingsEnv;

  constructor(scope: Construct, id: string, changes: SpokeConfig['changes']) {
    super(scope, id);
    const document = changeSettingsDocument(changes);
    this.parameter = new StringParameter(this, 'Document', {
      description: 'Spoke change settings: service owners and the risk questionnaire (JSON)',
      stringValue: document,
      tier:
        Buffer.byteLength(document, 'utf8') > STANDARD_TIER_BYTES
          ? ParameterTier.ADVANCED
          : ParameterTier.STANDARD,
    });
    this.environment = {
      CAB_GROUP: changes.cabGroup,
      ECAB_GROUP: changes.ecabGroup,
      ESCALATION_GROUP: changes.escalationGroup,
      CAB_QUORUM: String(changes.cabQuorum),
      APPROVAL_LINK_VALID_HOURS: String(changes.approvalLinkValidHours),
      CHANGE_SETTINGS_PARAMETER: this.parameter.parameterName,
    };
  }

  /** Lets a function read the document (ssm:GetParameter on this parameter only). */
  grantRead(...grantees: readonly IGrantable[]): this {
    for (const grantee of grantees) this.parameter.grantRead(grantee);
    return this;
  }
}

/** The survey settings of the account config, as the API and the notifications function get them. */
export const satisfactionSettingsEnv = (
  reporting: SpokeConfig['reporting'],
): Pick<z.input<typeof notificationsEnv>, 'SATISFACTION_DAYS' | 'SATISFACTION_FOLLOW_UP_AT_OR_BELOW'> => ({
  SATISFACTION_DAYS: String(reporting.satisfactionDays),
  SATISFACTION_FOLLOW_UP_AT_OR_BELOW: String(reporting.satisfactionFollowUpAtOrBelow) as z.input<
    typeof notificationsEnv
  >['SATISFACTION_FOLLOW_UP_AT_OR_BELOW'],
});

/** The business-value assumptions of the account config, as the API and the monthly report get them. */
export const valueSettingsEnv = (
  reporting: SpokeConfig['reporting'],
): Pick<MonthlyReportEnv, 'DEFLECTION_HANDLING_MINUTES' | 'MONTHLY_COST_USD'> => ({
  DEFLECTION_HANDLING_MINUTES: String(reporting.deflectionHandlingMinutes),
  MONTHLY_COST_USD: String(reporting.monthlyCostUsd),
});

/** The monthly report mail's environment: recipients, the mail settings and the assumptions. */
export const reportingSettingsEnv = (
  reporting: SpokeConfig['reporting'],
  mail: Pick<MonthlyReportEnv, 'SUPPORT_ADDRESS' | 'MAIL_FROM' | 'PORTAL_URL' | 'MAIL_CONFIGURATION_SET'>,
) => ({
  ...mail,
  ...valueSettingsEnv(reporting),
  MONTHLY_REPORT_TO: reporting.monthlyReportTo.join(','),
});
