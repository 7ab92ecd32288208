/**
 * The header CloudFront adds to every request it forwards to the API (an origin custom header
 * whose value is a secret generated in Secrets Manager at deploy time). The API function refuses
 * a request without it, so the `execute-api` endpoint answers nobody who goes around CloudFront.
 * A viewer's own header of that name is replaced by CloudFront's, never passed through.
 */
export const ORIGIN_VERIFY_HEADER = 'x-spoke-origin-verify';

/** Says whether a request came through the portal's CloudFront distribution. */
export type OriginCheck = (headers: Readonly<Record<string, string | undefined>>) => boolean;
