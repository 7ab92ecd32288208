/**
 * Signs the approve/reject links mailed to approvers: KMS HMAC (`GenerateMac`/`VerifyMac`) in
 * AWS, so the key never leaves KMS; a local key file on a laptop.
 */
export interface LinkSigner {
  /** A base64url MAC of the message. */
  sign(message: string): Promise<string>;
  /** Whether the MAC is the message's; never throws for a wrong one. */
  verify(message: string, mac: string): Promise<boolean>;
}
