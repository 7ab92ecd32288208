import type { KMSClient } from '@aws-sdk/client-kms';
import type { LinkSigner } from '#ports/link-signer.ts';

/**
 * The KMS SDK, imported at first use: most functions that hold a signer never sign, and its
 * import is cold-start time they would pay for nothing.
 */
const kmsSdk = () => import('@aws-sdk/client-kms');

/** Approval links signed with a KMS HMAC key: the key material never leaves KMS. */
export class KmsLinkSigner implements LinkSigner {
  #client: Promise<KMSClient> | undefined;
  readonly #keyId: string;

  constructor(keyId: string, client?: KMSClient) {
    this.#keyId = keyId;
    this.#client = client && Promise.resolve(client);
  }

  #kms(): Promise<KMSClient> {
    this.#client ??= kmsSdk().then(({ KMSClient }) => new KMSClient({}));
    return this.#client;
  }

  async sign(message: string): Promise<string> {
    const [{ GenerateMacCommand }, client] = await Promise.all([kmsSdk(), this.#kms()]);
    const { Mac } = await client.send(
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
    const [{ KMSInvalidMacException, VerifyMacCommand }, client] = await Promise.all([kmsSdk(), this.#kms()]);
    try {
      const { MacValid } = await client.send(
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
