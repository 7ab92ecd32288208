import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SlaEnv } from '#config/env.ts';
import type { Data } from './data.ts';
import { sendMailAs } from './email.ts';
import type { Events } from './events.ts';
import { deadLetterQueue } from './queues.ts';
import { nagPartition, SpokeFunction } from './spoke-function.ts';

export interface SlaProps {
  /** Physical-name prefix, e.g. `spoke-prod`. */
  readonly prefix: string;
  readonly data: Data;
  readonly events: Events;
  readonly mail: Pick<SlaEnv, 'SUPPORT_ADDRESS' | 'MAIL_FROM' | 'PORTAL_URL' | 'MAIL_CONFIGURATION_SET'>;
  readonly logRetention: RetentionDays;
}

/** The record events the SLA engine follows (`docs/events.md`), and the repair a read may ask for. */
export const slaEvents = [
  'ticket.created',
  'ticket.updated',
  'article.added',
  'problem.created',
  'problem.updated',
  'task.created',
  'task.updated',
  'sla.rearm_requested',
] as const;

/**
 * Service levels: one function follows record events from the bus and keeps one EventBridge
 * Scheduler one-time schedule per record for its next milestone (warning, breach), in a
 * schedule group of its own. The scheduler invokes the same function through a role that may
 * invoke that function and write to the dead-letter queue, and nothing else; the function may
 * create, move and delete schedules in its group only, and pass that role only to the scheduler.
 * Nothing scans for due records.
 */
export class Sla extends Construct {
  readonly handler: SpokeFunction<SlaEnv>;
  readonly scheduleGroup: ScheduleGroup;
  readonly schedulerRole: Role;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: SlaProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const groupName = `${props.prefix}-sla`;
    this.scheduleGroup = new ScheduleGroup(this, 'Timers', {
      scheduleGroupName: groupName,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.deadLetters = deadLetterQueue(this, 'the SLA rule and the SLA timers');
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'EventBridge Scheduler invokes the Spoke SLA function for a record timer',
    });
    this.handler = new SpokeFunction(this, 'Handler', {
      entry: 'functions/handlers/sla.ts',
      description: 'Spoke service levels: clocks from record events, warnings and breaches from timers',
      environment: {
        ...props.data.environment,
        ...props.mail,
        SLA_SCHEDULE_GROUP: groupName,
        SLA_SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
        SLA_TIMER_DEAD_LETTER_ARN: this.deadLetters.queueArn,
      },
      logRetention: props.logRetention,
      timeout: Duration.seconds(30),
      deadLetterQueue: this.deadLetters,
      retryAttempts: 2,
    })
      .bindTable(props.data.domain, 'readWrite')
      .bindTable(props.data.idempotency, 'readWrite');
    this.schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.handler.functionArn] }),
    );
    this.deadLetters.grantSendMessages(this.schedulerRole);

    const schedules = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${groupName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const role = this.handler.executionRole;
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
        resources: [schedules],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    role.addToPrincipalPolicy(sendMailAs(this, props.mail.MAIL_FROM, props.mail.MAIL_CONFIGURATION_SET));
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${nagPartition(this)}:scheduler:${stack.region}:${stack.account}:schedule/${groupName}/*]`,
      reason:
        'One schedule per record, named after the record at runtime; the grant covers schedules of the SLA group only.',
    });
    props.events.grantPublish(this.handler);
    props.events.routeToFunction('SlaRule', [...slaEvents], this.handler, {
      deadLetterQueue: this.deadLetters,
    });
  }
}
