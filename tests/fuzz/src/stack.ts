/**
 * The four API services the fuzzer talks to, from the shared test stack (@tierline/test-stack):
 * the ticket service with the Temporal worker (on a task queue of its own, so ticket actions are
 * answered by real workflows), the identity service (directory synced from Keycloak, signed
 * vendor links), the notification service's API and the audit service's API, on free ports of
 * this process against the real servers. One database for the run, dropped at the end.
 */
import { IDENTITY_OPENAPI_PATH } from '@tierline/identity';
import { NOTIFICATION_OPENAPI_PATH } from '@tierline/notification';
import { startStack } from '@tierline/test-stack';

/**
 * Rate limits far above what the fuzzer sends, so that the logic behind the limited operations
 * (policy publish, user management, audit export) is fuzzed instead of answered 429. Their 429
 * and its documentation are tested where the limits are (platform http-input.test.ts, each
 * service's openapi.test.ts).
 */
const FUZZ_RATE_LIMIT = 100_000;

export interface FuzzedService {
  name: 'ticket' | 'identity' | 'notification' | 'audit';
  baseUrl: string;
  /** Where the service serves its OpenAPI document (the same path the portal forwards). */
  documentPath: string;
}

export async function startServices(label: string) {
  const stack = await startStack(`fuzz-${label}`, { identity: true, audit: true, rateLimitPerMinute: FUZZ_RATE_LIMIT });
  const services: FuzzedService[] = [
    { name: 'ticket', baseUrl: stack.ticketUrl, documentPath: '/api/v1/openapi.json' },
    { name: 'identity', baseUrl: stack.identityUrl, documentPath: IDENTITY_OPENAPI_PATH },
    { name: 'notification', baseUrl: stack.notificationUrl, documentPath: NOTIFICATION_OPENAPI_PATH },
    { name: 'audit', baseUrl: stack.auditUrl, documentPath: '/api/v1/audit/openapi.json' },
  ];
  return { services, stop: stack.stop };
}
