import { realmTokenUrl, serviceAccountToken } from '@tierline/platform';

export interface ClientCredentials {
  baseUrl: string;
  realm: string;
  clientId: string;
  clientSecret: string;
}

/**
 * The identity service's own service-account tokens, for Keycloak's admin API and for calls to
 * the ticket service, as the function its clients take.
 */
export function serviceAccountTokens(opts: ClientCredentials): () => Promise<string> {
  const token = serviceAccountToken({ tokenUrl: realmTokenUrl(opts.baseUrl, opts.realm), clientId: opts.clientId, clientSecret: opts.clientSecret });
  return () => token.get();
}
