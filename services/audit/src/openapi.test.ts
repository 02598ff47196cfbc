import { describe, expect, it } from 'vitest';
import { createLogger } from '@tierline/platform';
import { openApiDocumentErrors } from '@tierline/testing';
import { createAuditApp } from './app.js';
import type { AuditDeps } from './deps.js';
import { AUDIT_OPENAPI_PATH } from './routes/docs.js';

// Building the app touches only the logger and the rate limits; serving the document uses no dependency at all.
const app = createAuditApp({ logger: createLogger('test', 'silent') } as AuditDeps);

describe('the audit service OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document (finding: its `type: [...]` form broke reference resolution)', async () => {
    const res = await app.request(AUDIT_OPENAPI_PATH);
    expect(res.status).toBe(200);
    expect(await openApiDocumentErrors(await res.json())).toEqual([]);
  });

  it('writes a nullable reference as anyOf [$ref, null], the form tools resolve (not allOf with a `type: [...]` list)', async () => {
    const doc = (await (await app.request(AUDIT_OPENAPI_PATH)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: { properties: Record<string, unknown> } }> }> }>>;
    };
    const text = JSON.stringify(doc);
    expect(text).not.toMatch(/"allOf":\[\{"\$ref":"[^"]+"\},\{"type":\[/);
    const created = doc.paths['/api/v1/audit/checkpoints']!['post']!.responses['200']!.content['application/json']!.schema;
    expect(created.properties['checkpoint']).toEqual({ anyOf: [{ $ref: '#/components/schemas/AuditCheckpoint' }, { type: 'null' }] });
  });

  it('declares 429 on export and verify, the rate-limited operations', async () => {
    const doc = (await (await app.request(AUDIT_OPENAPI_PATH)).json()) as { paths: Record<string, Record<string, { responses: object }>> };
    expect(doc.paths['/api/v1/audit/export']!['get']!.responses).toHaveProperty('429');
    expect(doc.paths['/api/v1/audit/verify']!['post']!.responses).toHaveProperty('429');
  });
});
