import { Duration } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { notifiedEvents } from '#channels/email/notifications.ts';
import type { NotificationsEnv } from '#config/env.ts';
import type { Data } from './data.ts';
import { sendMailAs } from './email.ts';
import type { Events } from './events.ts';
import { deadLetterQueue } from './queues.ts';
import { SpokeFunction } from './spoke-function.ts';

export interface NotificationsProps {
  readonly data: Data;
  readonly events: Events;
  readonly mail: Pick<
    NotificationsEnv,
    'SUPPORT_ADDRESS' | 'MAIL_FROM' | 'PORTAL_URL' | 'MAIL_CONFIGURATION_SET'
  >;
  readonly logRetention: RetentionDays;
}

/**
 * Mail out about tickets: a rule on the Spoke bus sends `ticket.created`, `article.added` and
 * `ticket.updated` to one function, which mails requesters and watchers the acknowledgement of a
 * portal ticket, an agent's reply or the resolution.
 * Failed deliveries of the event land in a dead-letter queue, like inbound mail.
 */
export class Notifications extends Construct {
  readonly handler: SpokeFunction<NotificationsEnv>;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(this, 'the notification rule');
    this.handler = new SpokeFunction(this, 'Handler', {
      entry: 'functions/handlers/notifications.ts',
      description: 'Spoke notifications: acknowledgements, agent replies and resolutions by mail',
      environment: { ...props.data.environment, ...props.mail },
      logRetention: props.logRetention,
      timeout: Duration.seconds(30),
    })
      .bindTable(props.data.domain, 'readWrite')
      .bindTable(props.data.idempotency, 'readWrite');
    this.handler.executionRole.addToPrincipalPolicy(
      sendMailAs(this, props.mail.MAIL_FROM, props.mail.MAIL_CONFIGURATION_SET),
    );
    props.events.routeToFunction('Rule', [...notifiedEvents], this.handler, {
      deadLetterQueue: this.deadLetters,
    });
  }
}
