import { GenerateMacCommand, KMSClient, KMSInvalidMacException, VerifyMacCommand } from '@aws-sdk/client-kms';
import type { LinkSigner } from '#ports/link-signer.ts';

/** Approval links signed with a KMS HMAC key: the key material never leaves KMS. */
export class KmsLinkSigner implements LinkSigner {
  readonly #client: KMSClient;
  readonly #keyId: string;

  constructor(keyId: string, client: KMSClient = new KMSClient({})) {
    this.#keyId = keyId;
    this.#client = client;
  }

  async sign(message: string): Promise<string> {
    const { Mac } = await this.#client.send(
      new GenerateMacCommand({
        KeyId: this.#keyId,
        MacAlgorithm: 'HMAC_SHA_256',
        Message: Buffer.from(message),
      }),
    );
    if (!Mac) throw new Error('KMS returned no MAC');
    return Buffer.from(Mac).toString('base64url');
  }

  async verify(message: string, mac: string): Promise<boolean> {
    try {
      const { MacValid } = await this.#client.send(
        new VerifyMacCommand({
          KeyId: this.#keyId,
          MacAlgorithm: 'HMAC_SHA_256',
          Message: Buffer.from(message),
          Mac: Buffer.from(mac, 'base64url'),
        }),
      );
      return MacValid === true;
    } catch (error) {
      if (error instanceof KMSInvalidMacException) return false;
      throw error;
    }
  }
}
