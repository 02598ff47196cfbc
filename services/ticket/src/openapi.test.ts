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

  // Finding: on publish, migrate, on-call, assignment rules, the policy draft and teams, almost
  // every document-valid request was refused. The document now says what the validation says.
  it('documents the request constraints the handlers enforce', async () => {
    const doc = (await served()) as unknown as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string; required?: boolean; schema: { pattern?: string } }[] }>>;
      components: { schemas: Record<string, { anyOf?: unknown; properties: Record<string, { pattern?: string; maxLength?: number }> }> };
    };
    const ifMatch = (path: string, method: string) => doc.paths[path]![method]!.parameters!.find((p) => p.in === 'header' && p.name === 'if-match')!;
    // PUT /policies/draft refuses a missing or malformed If-Match: the document says required, and the ETag pattern.
    expect(ifMatch('/api/v1/policies/draft', 'put')).toMatchObject({ required: true, schema: { pattern: expect.any(String) as string } });
    expect(new RegExp(ifMatch('/api/v1/policies/draft', 'put').schema.pattern!).test('"3"')).toBe(true);
    expect(new RegExp(ifMatch('/api/v1/policies/draft/publish', 'post').schema.pattern!).test('abc')).toBe(false);
    // A migration names its tickets (ticketIds or filter), as the refine requires.
    expect(doc.components.schemas['MigratePolicyRequest']!.anyOf).toEqual([{ required: ['ticketIds'] }, { required: ['filter'] }]);
    // Trimmed text: a blank name or reason is refused by the document as by the server.
    const blank = (schema: string, field: string) => new RegExp(doc.components.schemas[schema]!.properties[field]!.pattern!).test('   ');
    expect(blank('TeamInput', 'name')).toBe(false);
    expect(blank('TeamMemberInput', 'displayName')).toBe(false);
    expect(blank('MigratePolicyRequest', 'reason')).toBe(false);
    expect(new RegExp(doc.components.schemas['MigratePolicyRequest']!.properties['reason']!.pattern!).test(' a b ')).toBe(true);
    expect(new RegExp(doc.components.schemas['MigratePolicyRequest']!.properties['reason']!.pattern!).test(' ab ')).toBe(false);
  });

  it('documents the escalation state with its schema, not as a free-form record', async () => {
    const doc = (await served()) as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: { $ref?: string } }> }> }>>;
      components: { schemas: Record<string, { type?: string; required?: string[]; properties: Record<string, { $ref?: string; type?: unknown }> }> };
    };
    const schemaOf = (path: string, method: string) => doc.paths[path]![method]!.responses['200']!.content['application/json']!.schema.$ref;
    expect(schemaOf('/api/v1/tickets/{id}/escalation', 'get')).toBe('#/components/schemas/EscalationState');
    const state = doc.components.schemas['EscalationState']!;
    expect(state.required).toEqual(expect.arrayContaining(['clocks', 'nextDeadline', 'escalations', 'currentLevel', 'levels', 'status', 'now']));
    expect(JSON.stringify(state.properties['nextDeadline']), 'null when nothing is due').toContain('null');
    expect(doc.components.schemas['TicketClock']!.required).toEqual(expect.arrayContaining(['name', 'state', 'deadlineAt', 'remainingMinutes']));
    // Every action answers the state after it; a comment answers the id of the comment it recorded.
    expect(schemaOf('/api/v1/tickets/{id}/acknowledge', 'post')).toBe('#/components/schemas/TicketActionResult');
    expect(doc.components.schemas['TicketActionResult']!.properties['escalation']!.$ref).toBe('#/components/schemas/EscalationState');
    expect(schemaOf('/api/v1/tickets/{id}/comments', 'post')).toBe('#/components/schemas/TicketCommentResult');
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
