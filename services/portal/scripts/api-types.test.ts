import { describe, expect, it } from 'vitest';
import { API_SOURCES, committedApiTypes, generateApiTypes } from './api-types.js';

// The portal's API types are generated from the services' OpenAPI documents and committed; a route
// schema changed without regenerating them fails here, not in the browser.
describe('the generated API types', () => {
  it('match the OpenAPI documents the services serve now (else: run npm run api-types -w @tierline/portal)', async () => {
    const generated = await generateApiTypes();
    expect([...generated.keys()]).toEqual(API_SOURCES.map((s) => s.file));
    for (const [file, content] of generated) {
      const committed = await committedApiTypes(file);
      expect(committed, `src/lib/api/${file} is missing: run npm run api-types -w @tierline/portal`).not.toBeNull();
      expect(committed === content, `src/lib/api/${file} is stale: run npm run api-types -w @tierline/portal`).toBe(true);
    }
  });

  it('type the operations the portal calls', async () => {
    const ticket = (await generateApiTypes()).get('ticket.gen.ts')!;
    expect(ticket).toContain('"/api/v1/tickets": {');
    expect(ticket).toContain('"/api/v1/tickets/{id}/escalation": {');
  });
});
