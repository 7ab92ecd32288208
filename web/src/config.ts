/** Read at boot from the portal's own origin, so one build serves every deployment and local mode. */
export interface PortalConfig {
  readonly authority: string;
  readonly clientId: string;
  /** The identity provider's logout endpoint: Cognito's `https://<login domain>/logout`. */
  readonly logoutEndpoint: string;
  readonly apiBase: string;
  /** Present in local mode only: the mail outbox of the local cloud. */
  readonly outboxUrl?: string;
}

export async function loadConfig(): Promise<PortalConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  const config = (await response.json()) as Partial<PortalConfig>;
  if (!config.authority || !config.clientId || !config.logoutEndpoint || !config.apiBase) {
    throw new Error('/config.json lacks authority, clientId, logoutEndpoint or apiBase');
  }
  return {
    authority: config.authority,
    clientId: config.clientId,
    logoutEndpoint: config.logoutEndpoint,
    apiBase: config.apiBase,
    outboxUrl: config.outboxUrl,
  };
}
