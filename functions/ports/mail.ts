/** Where raw inbound messages live (S3 in AWS, s3rver locally): stored before anything else happens. */
export interface RawMailStore {
  get(key: string): Promise<Uint8Array>;
  put(key: string, raw: Uint8Array): Promise<void>;
}

export interface OutboundMail {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  readonly replyTo?: string;
  /** Our own Message-ID, also listed in References so replies thread even though SES replaces it. */
  readonly messageId: string;
  readonly inReplyTo?: string;
  readonly references?: readonly string[];
  /** Mail Spoke sends on its own carries `Auto-Submitted: auto-replied`, so other robots stay quiet. */
  readonly automatic: boolean;
}

export interface Mailer {
  /** Sends one message and returns the Message-ID the provider assigned. */
  send(mail: OutboundMail): Promise<{ providerMessageId: string }>;
}
