import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { DataEnv } from '#config/env.ts';
import type { Data } from './data.ts';
import { SpokeFunction } from './spoke-function.ts';

export interface MailFeedbackProps {
  readonly prefix: string;
  readonly data: Data;
  readonly logRetention: RetentionDays;
}

/**
 * Bounces and complaints (DESIGN §5): every mail Spoke sends goes through one SES
 * configuration set, whose bounce and complaint events reach a function through an encrypted
 * SNS topic; it suppresses the address so Spoke does not mail it again.
 */
export class MailFeedback extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly topic: Topic;
  readonly handler: SpokeFunction<DataEnv>;

  constructor(scope: Construct, id: string, props: MailFeedbackProps) {
    super(scope, id);
    const key = new Key(this, 'Key', {
      description: 'Encrypts SES bounce and complaint notifications',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    key.grant(new ServicePrincipal('ses.amazonaws.com'), 'kms:GenerateDataKey*', 'kms:Decrypt');
    this.topic = new Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: `${props.prefix}-outbound`,
    });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(this.topic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    this.handler = new SpokeFunction(this, 'Handler', {
      entry: 'functions/handlers/mail-feedback.ts',
      description: 'Spoke mail feedback: suppress addresses that bounce or complain',
      environment: props.data.environment,
      logRetention: props.logRetention,
      timeout: Duration.seconds(30),
    }).bindTable(props.data.domain, 'readWrite');
    this.topic.addSubscription(new LambdaSubscription(this.handler));
  }
}
