/**
 * Addresses Spoke must not mail: they bounced for good or their owner complained. SES counts
 * both against the account's sending reputation, so every outbound path checks here first.
 */
export interface SuppressionList {
  suppress(email: string, reason: string): Promise<void>;
  /** The given addresses that are suppressed. */
  suppressed(emails: readonly string[]): Promise<ReadonlySet<string>>;
}
