/**
 * Which mails of an event have gone out, per recipient, so a retried event (Lambda retries a
 * failed asynchronous invocation twice, EventBridge may deliver twice) mails nobody twice.
 */
export interface DeliveryLedger {
  /**
   * Claims the delivery `key` (event id and recipient) for `leaseSeconds`: false when it was
   * delivered already, or another invocation holds an unexpired claim on it.
   */
  claim(key: string, leaseSeconds: number): Promise<boolean>;
  /** Records a claimed delivery as done, for good. */
  delivered(key: string): Promise<void>;
  /** Gives a claim up after a failed send, so a retry may try again. */
  release(key: string): Promise<void>;
}
