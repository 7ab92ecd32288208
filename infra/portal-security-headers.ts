/**
 * The security headers the portal is served with. CloudFront's response headers policy
 * and the local static host both take them from here, so local mode shows the same
 * behaviour (a strict CSP in particular) as a deployment.
 */
export interface PortalHeaderOptions {
  /** Origin of the identity provider the portal talks to (Cognito domain, or the local IdP). */
  readonly identityOrigin: string;
  /**
   * Origin of the attachments bucket: the portal PUTs files there with presigned URLs, so
   * `connect-src` must allow it (downloads are navigations and need nothing).
   */
  readonly transferOrigin?: string;
}

export const HSTS_MAX_AGE_SECONDS = 63_072_000;

/** Content-Security-Policy: no inline script or style, no third-party origins but the IdP. */
export function contentSecurityPolicy({ identityOrigin, transferOrigin }: PortalHeaderOptions): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${identityOrigin}${transferOrigin ? ` ${transferOrigin}` : ''}`,
    "frame-src 'self' blob:",
    "frame-ancestors 'none'",
    `form-action 'self' ${identityOrigin}`,
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Every header, by name, as the local host sends it and CloudFront is configured to. */
export function portalSecurityHeaders(options: PortalHeaderOptions): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(options),
    'strict-transport-security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains; preload`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    'cross-origin-opener-policy': 'same-origin',
  };
}
