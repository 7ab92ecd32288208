/**
 * The S3 SDK, imported at first use rather than when a function loads: most API requests never
 * touch S3, and its import (≈400 KB of source with its checksum and XML modules) is cold-start
 * time they would pay for nothing. Node imports a module once; later calls cost a resolved promise.
 */
export const s3Sdk = () => import('@aws-sdk/client-s3');

/** A client, or how to make one at first use. */
export type ClientSource<Client extends object> = Client | (() => Promise<Client>);

/** The client of a source, made once. */
export function clientOf<Client extends object>(source: ClientSource<Client>): () => Promise<Client> {
  let client: Promise<Client> | undefined;
  return () => {
    client ??= typeof source === 'function' ? source() : Promise.resolve(source);
    return client;
  };
}
