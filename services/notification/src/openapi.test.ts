import { describe, expect, it } from 'vitest';
import { createLogger } from '@tierline/platform';
import { openApiDocumentErrors } from '@tierline/testing';
import { createNotificationApp, NOTIFICATION_OPENAPI_PATH } from './app.js';

// Building the app touches only the logger; serving the document uses no dependency at all.
const app = createNotificationApp({ logger: createLogger('test', 'silent') } as Parameters<typeof createNotificationApp>[0]);

describe('the notification service OpenAPI document', () => {
  it('is served under /api/v1/notifications, without a token, and is a valid OpenAPI 3.1 document', async () => {
    const res = await app.request(NOTIFICATION_OPENAPI_PATH);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/api/v1/notifications');
    expect(await openApiDocumentErrors(doc)).toEqual([]);
  });
});
