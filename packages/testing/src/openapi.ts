import { Validator } from '@seriousme/openapi-schema-validator';

/**
 * Checks an OpenAPI document against the official OpenAPI 3.1 JSON schema (and that every `$ref`
 * resolves). Resolves with the errors, empty when the document is valid; tests assert on that list
 * so a failure names each problem.
 */
export async function openApiDocumentErrors(doc: unknown): Promise<unknown[]> {
  const validator = new Validator();
  const result = await validator.validate(doc as Parameters<Validator["validate"]>[0]);
  if (!result.valid) return Array.isArray(result.errors) ? result.errors : [result.errors];
  if (validator.version !== '3.1') return [`expected an OpenAPI 3.1 document, got ${validator.version}`];
  return [];
}
