import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type * as z from 'zod';
import type { MonthlyReportEnv, reportingEnv } from '#config/env.ts';
import { countedEvents } from '#core/reporting/mappings.ts';
import type { Data } from './data.ts';
import { sendMailAs } from './email.ts';
import type { Events } from './events.ts';
import { deadLetterQueue } from './queues.ts';
import { SpokeFunction } from './spoke-function.ts';

export interface ReportingProps {
  readonly data: Data;
  readonly events: Events;
  readonly logRetention: RetentionDays;
  /** The monthly report mail's settings: recipients, mail and business-value assumptions. */
  readonly monthlyReport: Pick<
    MonthlyReportEnv,
    | 'MONTHLY_REPORT_TO'
    | 'SUPPORT_ADDRESS'
    | 'MAIL_FROM'
    | 'PORTAL_URL'
    | 'MAIL_CONFIGURATION_SET'
    | 'DEFLECTION_HANDLING_MINUTES'
    | 'MONTHLY_COST_USD'
  >;
}

/**
 * Report counters (docs/reporting.md): a rule on the Spoke bus sends every counted record event
 * (`countedEvents`: the mappings decide) to one function, which adds it to the pre-aggregated
 * counters exactly once. An update that overtook its record's creation fails and comes again
 * with Lambda's retries; what still fails, and what EventBridge cannot deliver, lands in the
 * dead-letter queue, from which `npm run notifications:reprocess` (any function) runs it again —
 * a replay counts nothing twice. A daily schedule runs the monthly report mail.
 */
export class Reporting extends Construct {
  readonly handler: SpokeFunction<z.input<typeof reportingEnv>>;
  readonly deadLetters: Queue;
  readonly monthly: SpokeFunction<MonthlyReportEnv>;

  constructor(scope: Construct, id: string, props: ReportingProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(this, 'the reporting rule');
    this.handler = new SpokeFunction(this, 'Handler', {
      entry: 'functions/handlers/reporting.ts',
      description: 'Spoke reporting: counts record events into the report counters',
      environment: props.data.environment,
      logRetention: props.logRetention,
      timeout: Duration.seconds(30),
      deadLetterQueue: this.deadLetters,
      retryAttempts: 2,
    })
      .bindTable(props.data.domain, 'readWrite')
      .bindTable(props.data.idempotency, 'readWrite');
    props.events.routeToFunction('ReportingRule', [...countedEvents], this.handler, {
      deadLetterQueue: this.deadLetters,
    });
    this.monthly = new SpokeFunction(this, 'MonthlyReport', {
      entry: 'functions/handlers/monthly-report.ts',
      description: "Spoke monthly report: last month's figures to the managers, from the counters",
      environment: { ...props.data.environment, ...props.monthlyReport },
      logRetention: props.logRetention,
      timeout: Duration.minutes(1),
    })
      .bindTable(props.data.domain, 'read')
      .bindTable(props.data.idempotency, 'readWrite');
    this.monthly.executionRole.addToPrincipalPolicy(
      sendMailAs(this, props.monthlyReport.MAIL_FROM, props.monthlyReport.MAIL_CONFIGURATION_SET),
    );
    // Daily, not a monthly cron: the function mails in a month's first week, once per recipient,
    // so a failed or missed day is caught up the next; and the local cloud runs `rate(…)`.
    new Rule(this, 'MonthlyReportSchedule', {
      description: "Mails last month's Spoke report in the first week of a month",
      schedule: Schedule.rate(Duration.days(1)),
      targets: [new LambdaFunction(this.monthly, { retryAttempts: 2, maxEventAge: Duration.hours(6) })],
    });
  }
}
