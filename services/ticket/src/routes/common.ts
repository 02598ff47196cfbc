import { ErrorEnvelopeSchema } from '@tierline/contracts';

/** Error responses every authenticated route documents. */
export const authErrorResponses = {
  401: { description: 'Missing, expired or invalid access token', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
  403: { description: 'Authenticated, but not allowed', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
} as const;

export const badRequestResponse = {
  400: { description: 'Invalid request; `details` names each field', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
} as const;

export const notFoundResponse = {
  404: { description: 'No such ticket, or not visible to you', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
} as const;

export const unavailableResponse = {
  503: { description: 'A dependency (database, Temporal) is unreachable', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
} as const;
