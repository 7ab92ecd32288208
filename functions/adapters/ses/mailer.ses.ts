import { randomUUID } from 'node:crypto';
import type { SESClient } from '@aws-sdk/client-ses';
import type { Mailer, OutboundMail } from '#ports/mail.ts';
import { buildRawMessage } from './mime.ts';

/** Sends through SES v1 SendRawEmail and returns the Message-ID SES assigned. */
export class SesMailer implements Mailer {
  readonly #ses: Pick<SESClient, 'send'>;
  readonly #from: string;
  readonly #configurationSet: string | undefined;

  /** @param configurationSet the SES configuration set that reports bounces and complaints */
  constructor(ses: Pick<SESClient, 'send'>, from: string, configurationSet?: string) {
    this.#ses = ses;
    this.#from = from;
    this.#configurationSet = configurationSet;
  }

  async send(mail: OutboundMail): Promise<{ providerMessageId: string }> {
    // The SES SDK is imported at first send: a function that never mails never loads it.
    const { SendRawEmailCommand } = await import('@aws-sdk/client-ses');
    const raw = buildRawMessage({ ...mail, from: this.#from }, `spoke-${randomUUID()}`);
    const result = await this.#ses.send(
      new SendRawEmailCommand({
        RawMessage: { Data: Buffer.from(raw, 'utf8') },
        Destinations: [...mail.to],
        ...(this.#configurationSet ? { ConfigurationSetName: this.#configurationSet } : {}),
      }),
    );
    if (!result.MessageId) throw new Error('SES returned no MessageId');
    return { providerMessageId: result.MessageId };
  }
}
