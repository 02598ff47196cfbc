import { errorResponse } from '@tierline/platform';

/** Error responses every authenticated route documents. */
export const authErrorResponses = {
  ...errorResponse(401, 'Missing, expired or invalid access token'),
  ...errorResponse(403, 'Authenticated, but not allowed'),
};

export const badRequestResponse = {
  ...errorResponse(400, 'Invalid request; `details` names each field'),
};

export const notFoundResponse = {
  ...errorResponse(404, 'No such ticket, or not visible to you'),
};

export const unavailableResponse = {
  ...errorResponse(503, 'A dependency (database, Temporal) is unreachable'),
};
