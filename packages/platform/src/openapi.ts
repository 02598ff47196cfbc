import { ErrorEnvelopeSchema } from '@tierline/contracts';

/**
 * An OpenAPI response entry for an error status, always in the one error envelope. Routes spread
 * these into `responses`, each with the description that fits the service.
 */
export function errorResponse<S extends number>(status: S, description: string) {
  return { [status]: { description, content: { 'application/json': { schema: ErrorEnvelopeSchema } } } } as {
    [K in S]: { description: string; content: { 'application/json': { schema: typeof ErrorEnvelopeSchema } } };
  };
}
