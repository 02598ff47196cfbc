import { AppError } from './errors.js';

/**
 * Access tokens of a service's own Keycloak service account (client credentials), cached until
 * shortly before they expire. The realm's tierline-api scope gives them the audiences of the
 * Tierline services, so one token serves every call to another service (and Keycloak's admin API
 * where the account has those roles).
 */
export interface ServiceToken {
  get(): Promise<string>;
  /** Forget the cached token (a service answered 401: it may have been revoked or rotated). */
  invalidate(): void;
}

export interface ServiceTokenOptions {
  /** The realm's token endpoint: `<keycloak>/realms/<realm>/protocol/openid-connect/token`. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export function realmTokenUrl(keycloakUrl: string, realm: string): string {
  return `${keycloakUrl.replace(/\/$/, '')}/realms/${encodeURIComponent(realm)}/protocol/openid-connect/token`;
}

export function serviceAccountToken(opts: ServiceTokenOptions): ServiceToken {
  let token: { value: string; until: number } | null = null;
  let pending: Promise<string> | null = null;
  const fetchToken = async (): Promise<string> => {
    let res: Response;
    try {
      res = await (opts.fetch ?? fetch)(opts.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: opts.clientId, client_secret: opts.clientSecret }),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
    } catch {
      throw new AppError('UNAVAILABLE', `Keycloak is unreachable (token for the ${opts.clientId} service account)`);
    }
    if (!res.ok) throw new AppError('UNAVAILABLE', `Keycloak refused the ${opts.clientId} service account (HTTP ${res.status})`);
    const body = (await res.json()) as { access_token: string; expires_in: number };
    // Renew a little before expiry rather than racing it.
    token = { value: body.access_token, until: Date.now() + Math.max(5, body.expires_in - 30) * 1000 };
    return body.access_token;
  };
  return {
    async get() {
      if (token && Date.now() < token.until) return token.value;
      // Concurrent callers share one token request.
      pending ??= fetchToken().finally(() => {
        pending = null;
      });
      return pending;
    },
    invalidate() {
      token = null;
    },
  };
}
