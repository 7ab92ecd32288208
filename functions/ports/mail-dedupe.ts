/**
 * Remembers which inbound message first carried a piece of mail, so that the same mail
 * delivered again (a second SES message for the same Message-ID, sender and content) is
 * recognised, also when both deliveries run at once.
 */
export interface MailDedupe {
  /**
   * Claims `key` for this SES message in one conditional write. Answers the SES message id
   * that holds the claim: this one when it is new (or when this message claimed it before, a retry).
   */
  claim(key: string, sesMessageId: string): Promise<{ readonly first: string }>;
}
