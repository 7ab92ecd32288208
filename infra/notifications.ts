import { Duration } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
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
    | 'SUPPORT_ADDRESS'
    | 'MAIL_FROM'
    | 'PORTAL_URL'
    | 'MAIL_CONFIGURATION_SET'
    | 'NOTIFY_LIMIT_PER_RECIPIENT_PER_HOUR'
  >;
  /** Satisfaction surveys (account config `reporting`): how long a survey stays open, when to follow up. */
  readonly satisfaction: Pick<NotificationsEnv, 'SATISFACTION_DAYS' | 'SATISFACTION_FOLLOW_UP_AT_OR_BELOW'>;
  /** The key that signs the survey links of resolution mail (the approval links' key). */
  readonly linkKey: IKey;
  readonly logRetention: RetentionDays;
}

/**
 * Mail out about tickets: a rule on the Spoke bus sends `ticket.created`, `article.added`,
 * `ticket.updated` and `ticket.rated` to one function, which mails requesters and watchers the
 * acknowledgement of a portal ticket, an agent's reply or the resolution (the requester's with
 * signed survey links), and a group manager the follow-up of a low satisfaction rating. An event EventBridge cannot deliver, and
 * one the function still fails on after Lambda's retries, land in one dead-letter queue, like
 * inbound mail; a retry or a reprocessed event mails only the recipients not reached yet (the
 * delivery ledger in the idempotency table).
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
      environment: {
        ...props.data.environment,
        ...props.mail,
        ...props.satisfaction,
        LINK_KEY_ID: props.linkKey.keyArn,
      },
      logRetention: props.logRetention,
      timeout: Duration.seconds(30),
      // An event the function keeps failing on after Lambda's two retries lands here too, not
      // only one EventBridge could not deliver: `npm run notifications:reprocess` runs it again.
      deadLetterQueue: this.deadLetters,
      retryAttempts: 2,
    })
      .bindTable(props.data.domain, 'readWrite')
      .bindTable(props.data.idempotency, 'readWrite');
    this.handler.executionRole.addToPrincipalPolicy(
      sendMailAs(this, props.mail.MAIL_FROM, props.mail.MAIL_CONFIGURATION_SET),
    );
    props.linkKey.grant(this.handler, 'kms:GenerateMac');
    props.events.routeToFunction('Rule', [...notifiedEvents], this.handler, {
      deadLetterQueue: this.deadLetters,
    });
  }
}
