import type { SESEventRecord } from 'aws-lambda';
import type { InboundMessage } from './process-inbound.ts';

/**
 * The message an SES receipt rule's Lambda action reports, for the pipeline: the raw MIME is
 * under `rawPrefix` + the SES message id, where the rule's S3 action put it.
 */
export function inboundMessageFromSes(record: SESEventRecord, rawPrefix: string): InboundMessage {
  const { mail, receipt } = record.ses;
  const withPolicy = receipt as typeof receipt & { dmarcPolicy?: string };
  return {
    sesMessageId: mail.messageId,
    rawKey: `${rawPrefix}${mail.messageId}`,
    envelopeSender: mail.source,
    recipients: receipt.recipients,
    receivedAt: new Date(mail.timestamp).toISOString(),
    verdicts: {
      spam: receipt.spamVerdict?.status,
      virus: receipt.virusVerdict?.status,
      spf: receipt.spfVerdict?.status,
      dkim: receipt.dkimVerdict?.status,
      dmarc: receipt.dmarcVerdict?.status,
      ...(withPolicy.dmarcPolicy ? { dmarcPolicy: withPolicy.dmarcPolicy } : {}),
    },
  };
}
