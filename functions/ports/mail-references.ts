/**
 * Which ticket a Message-ID we sent belongs to. SES replaces the Message-ID of outbound mail
 * with its own, and replies quote that one: so the id SES returned is remembered here.
 */
export interface MailReferenceStore {
  remember(messageIds: readonly string[], ticketId: string): Promise<void>;
  /** The ticket of the first of these ids that is known, if any. */
  ticketFor(messageIds: readonly string[]): Promise<string | undefined>;
}
