/**
 * The gateway's security settings in one object (docs/security.md "Settings"), resolved from the configuration
 * (gateway/config.ts: WS_SOCKETS_PER_PRINCIPAL_MAX, WS_ALLOWED_ORIGINS, WEBHOOK_ALLOW_HOSTS, WEBHOOK_SECRETS_KEY) and handed to every extension through the gateway context, so the server and the tests run the
 * same checks with the same defaults.
 */
export interface SecuritySettings {
  /** Open operator sockets one principal (token or signed-in user) may hold; one more is closed with 4009. */
  readonly socketsPerPrincipalMax: number;
  /**
   * Browser origins (`https://desk.example.org`) allowed to open `/ws` besides the server's own origin (the
   * request's Host). A request without an Origin header is not a browser's and is judged by its token alone.
   */
  readonly allowedOrigins: readonly string[];
  /**
   * Webhook receivers allowed although they resolve to loopback, private, link-local or other internal
   * addresses: host names, IP addresses or CIDR ranges (gateway/webhooks/webhook-address-guard.ts). Empty: none.
   */
  readonly webhookAllowHosts: readonly string[];
  /** Seals webhook secrets on disk (AES-256-GCM, webhook-secret-box.ts); stored as given when absent. */
  readonly webhookSecretsKey?: Buffer;
}

export const socketsPerPrincipalMaxDefault = 16;

export const securityDefaults: SecuritySettings = {
  socketsPerPrincipalMax: socketsPerPrincipalMaxDefault,
  allowedOrigins: [],
  webhookAllowHosts: [],
};

export function resolveSecurity(overrides: Partial<SecuritySettings> = {}): SecuritySettings {
  const settings = { ...securityDefaults, ...overrides };
  if (!Number.isSafeInteger(settings.socketsPerPrincipalMax) || settings.socketsPerPrincipalMax < 1) {
    throw new RangeError(`socketsPerPrincipalMax must be a positive integer, got ${String(settings.socketsPerPrincipalMax)}`);
  }
  return settings;
}
