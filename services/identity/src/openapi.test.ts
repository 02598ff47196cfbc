import { describe, expect, it } from 'vitest';
import { createLogger } from '@tierline/platform';
import { openApiDocumentErrors } from '@tierline/testing';
import { createIdentityApp, IDENTITY_OPENAPI_PATH } from './app.js';
import type { IdentityDeps } from './deps.js';

// Building the app touches only the logger and the rate limits; serving the document uses no dependency at all.
const app = createIdentityApp({ logger: createLogger('test', 'silent'), vendorLinks: { pageRateLimitPerMinute: 30, mintRateLimitPerMinute: 600 } } as IdentityDeps);
type Doc = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

describe('the identity service OpenAPI document', () => {
  it('is served at its own path, without a token, and is a valid OpenAPI 3.1 document', async () => {
    const res = await app.request(IDENTITY_OPENAPI_PATH);
    expect(res.status).toBe(200);
    expect(await openApiDocumentErrors(await res.json())).toEqual([]);
  });

  it("declares 429 on the directory's disable, enable and roles (finding: undeclared 429)", async () => {
    const doc = (await (await app.request(IDENTITY_OPENAPI_PATH)).json()) as Doc;
    expect(doc.paths['/api/v1/directory/users/{id}/disable']!['post']!.responses).toHaveProperty('429');
    expect(doc.paths['/api/v1/directory/users/{id}/enable']!['post']!.responses).toHaveProperty('429');
    expect(doc.paths['/api/v1/directory/users/{id}/roles']!['put']!.responses).toHaveProperty('429');
    expect(doc.paths['/api/v1/directory/users']!['post']!.responses).toHaveProperty('429');
    expect(doc.paths['/api/v1/directory/users']!['get']!.responses).not.toHaveProperty('429');
  });
});
