import { describe, expect, it } from 'vitest';
import { createLogger } from '@tierline/platform';
import { openApiDocumentErrors } from '@tierline/testing';
import { createTicketApp } from './app.js';
import type { TicketDeps } from './deps.js';
import { API_DOCUMENTS } from './routes/docs.js';

// Building the app touches only the logger and the rate limits; serving the document uses no dependency at all.
const app = createTicketApp({ logger: createLogger('test', 'silent') } as TicketDeps);
type Doc = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
const served = async () => (await (await app.request('/api/v1/openapi.json')).json()) as Doc;

describe('the ticket service OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(await openApiDocumentErrors(await served())).toEqual([]);
  });

  it('declares 429 on the rate-limited operations (finding: undeclared 429 on policy publish)', async () => {
    const doc = await served();
    expect(doc.paths['/api/v1/policies/draft/publish']!['post']!.responses).toHaveProperty('429');
    expect(doc.paths['/api/v1/tickets']!['post']!.responses).toHaveProperty('429');
  });

  it('declares 400 on every operation with parameters or a body (finding: undeclared 400 on GET /tickets/{id}/comments)', async () => {
    const doc = await served();
    expect(doc.paths['/api/v1/tickets/{id}/comments']!['get']!.responses).toHaveProperty('400');
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item) as [string, { parameters?: unknown[]; requestBody?: unknown; responses: object }][]) {
        if ((op.parameters?.length ?? 0) > 0 || op.requestBody) expect(op.responses, `${method} ${path}`).toHaveProperty('400');
      }
    }
  });

  it('is one of the documents the API docs page lists, and the page lists every service', async () => {
    const init = await (await app.request('/api/docs/init.js')).text();
    for (const d of API_DOCUMENTS) expect(init).toContain(JSON.stringify(d.url));
    expect(API_DOCUMENTS.map((d) => d.url)).toEqual([
      '/api/v1/openapi.json',
      '/api/v1/identity/openapi.json',
      '/api/v1/notifications/openapi.json',
      '/api/v1/audit/openapi.json',
    ]);
  });
});
