import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  type Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { MetricName } from '#ports/telemetry.ts';
import { METRICS_NAMESPACE } from './spoke-function.ts';

export interface ObservabilityProps {
  readonly prefix: string;
  /** Every Spoke function, by a short name for alarms and widgets. */
  readonly functions: Readonly<Record<string, LambdaFunction>>;
  /** Dead-letter queues, by what they catch. */
  readonly deadLetters: Readonly<Record<string, Queue>>;
  readonly stateMachines: Readonly<Record<string, StateMachine>>;
  /**
   * HTTP APIs, by name. The API function answers an unexpected error with a 500 instead of
   * failing, so the function's error alarm cannot see it: the API's 5xx count can.
   */
  readonly httpApis?: Readonly<Record<string, HttpApi>>;
  /** Where alarms are mailed; without it they only show in CloudWatch. */
  readonly alarmEmail?: string;
  /** An existing SNS topic (chat, paging) that receives every alarm too. */
  readonly alarmTopicArn?: string;
}

/** Spoke's own metrics on the dashboard (published by the functions through Powertools Metrics). */
export const businessMetrics: readonly MetricName[] = [
  'TicketsCreated',
  'MailsProcessed',
  'MailsQuarantined',
  'NotificationsMailed',
  'AddressesSuppressed',
  'TicketsAutoClosed',
  'ApprovalsDecided',
  'SlaMilestonesFired',
  'Errors',
];

/** SES pauses an account's sending at a 10 % bounce rate; Spoke warns well before. */
export const BOUNCE_RATE_ALARM = 0.05;

/** SES reviews an account at a 0.1 % complaint rate and may pause it at 0.5 %; Spoke warns at the first. */
export const COMPLAINT_RATE_ALARM = 0.001;

/**
 * How a cloud team knows Spoke is healthy: an alarm for every function's errors and
 * throttles, every dead-letter queue that holds a message, every failed workflow execution
 * and the SES bounce rate, all sent to one encrypted topic; and one dashboard with the same.
 */
export class Observability extends Construct {
  readonly alarmTopic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const key = new Key(this, 'Key', {
      description: 'Encrypts Spoke alarm notifications',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.alarmTopic = new Topic(this, 'Alarms', { masterKey: key, enforceSSL: true });
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one: without this
    // Allow, CloudWatch may not publish and no alarm would ever be mailed. Only this account's alarms.
    const stack = Stack.of(this);
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const actions = [
      new SnsAction(this.alarmTopic),
      ...(props.alarmTopicArn
        ? [new SnsAction(Topic.fromTopicArn(this, 'ExternalAlarms', props.alarmTopicArn))]
        : []),
    ];
    const alarm = (name: string, metric: Metric | MathExpression, threshold: number, description: string) => {
      const created = metric.createAlarm(this, name, {
        alarmName: `${props.prefix}-${name}`,
        alarmDescription: description,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(...actions);
      this.alarms.push(created);
    };
    const fiveMinutes = { period: Duration.minutes(5), statistic: 'Sum' };
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}-errors`, fn.metricErrors(fiveMinutes), 1, `The ${name} function failed.`);
      alarm(`${name}-throttles`, fn.metricThrottles(fiveMinutes), 1, `The ${name} function was throttled.`);
    }
    for (const [name, queue] of Object.entries(props.deadLetters)) {
      alarm(
        `${name}-dead-letters`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        1,
        `Messages wait in the ${name} dead-letter queue: look, fix, then reprocess (README).`,
      );
    }
    for (const [name, machine] of Object.entries(props.stateMachines)) {
      alarm(
        `${name}-failed`,
        machine.metricFailed(fiveMinutes),
        1,
        `An execution of the ${name} workflow failed.`,
      );
    }
    for (const [name, api] of Object.entries(props.httpApis ?? {})) {
      alarm(
        `${name}-5xx`,
        api.metricServerError(fiveMinutes),
        1,
        `The ${name} API answered with a server error (5xx): see the api function's ERROR log lines.`,
      );
    }
    const bounceRate = new Metric({
      namespace: 'AWS/SES',
      metricName: 'Reputation.BounceRate',
      period: Duration.hours(1),
      statistic: 'Maximum',
    });
    alarm(
      'ses-bounce-rate',
      bounceRate,
      BOUNCE_RATE_ALARM,
      'The account bounce rate nears the level where SES pauses sending.',
    );
    const complaintRate = new Metric({
      namespace: 'AWS/SES',
      metricName: 'Reputation.ComplaintRate',
      period: Duration.hours(1),
      statistic: 'Maximum',
    });
    alarm(
      'ses-complaint-rate',
      complaintRate,
      COMPLAINT_RATE_ALARM,
      'Recipients mark the account’s mail as spam often enough for SES to review it.',
    );

    const spoke = (metricName: MetricName) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: Stack.of(this).stackName },
        period: Duration.hours(1),
        statistic: 'Sum',
      });
    // Dashboard names are unique per account, not per region: the region keeps two regions apart.
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${props.prefix}-${Stack.of(this).region}-health`,
    });
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Tickets and mail (per hour)',
        left: businessMetrics.filter((name) => name !== 'Errors').map(spoke),
        width: 12,
      }),
      new GraphWidget({
        title: 'Approvals (change workflow executions) and handled errors',
        left: Object.values(props.stateMachines).flatMap((m) => [
          m.metricSucceeded({ period: Duration.hours(1), statistic: 'Sum', label: 'approvals completed' }),
          m.metricTimedOut({ period: Duration.hours(1), statistic: 'Sum', label: 'approvals expired' }),
        ]),
        right: [spoke('Errors')],
        width: 12,
      }),
      new GraphWidget({
        title: 'Function errors',
        left: Object.values(props.functions).map((fn) => fn.metricErrors(fiveMinutes)),
        width: 12,
      }),
      new GraphWidget({
        title: 'Function duration (p95)',
        left: Object.values(props.functions).map((fn) =>
          fn.metricDuration({ period: Duration.minutes(5), statistic: 'p95' }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'API errors',
        left: Object.values(props.httpApis ?? {}).flatMap((api) => [
          api.metricServerError(fiveMinutes),
          api.metricClientError(fiveMinutes),
        ]),
        width: 12,
      }),
      new GraphWidget({
        title: 'Dead letters waiting',
        left: Object.values(props.deadLetters).map((q) => q.metricApproximateNumberOfMessagesVisible()),
        width: 12,
      }),
      new GraphWidget({
        title: 'Workflows and mail',
        left: Object.values(props.stateMachines).flatMap((m) => [
          m.metricStarted(fiveMinutes),
          m.metricFailed(fiveMinutes),
        ]),
        right: [bounceRate, complaintRate],
        width: 12,
      }),
    );
  }
}
