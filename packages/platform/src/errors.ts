import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ERROR_CODES, type ErrorCode, type ErrorEnvelope } from '@tierline/contracts';
import type { z } from 'zod';
import type { Logger } from './logger.js';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: { path: string; message: string }[] | undefined;
  constructor(code: ErrorCode, message: string, details?: { path: string; message: string }[]) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
  get status(): ContentfulStatusCode {
    return ERROR_CODES[this.code];
  }
}

export const statusOf = (code: ErrorCode): ContentfulStatusCode => ERROR_CODES[code];

export function errorBody(
  code: ErrorCode,
  message: string,
  requestId: string,
  details?: { path: string; message: string }[],
): ErrorEnvelope {
  return { error: { code, message, requestId, ...(details ? { details } : {}) } };
}

export function zodIssuesToDetails(issues: z.core.$ZodIssue[]): { path: string; message: string }[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

/** The request's id; 'unknown' only for an error raised before the request-id middleware ran. */
function requestIdOf(c: Context): string {
  const id: string | undefined = c.get('requestId');
  return id ?? 'unknown';
}

/** Validation hook for @hono/zod-openapi routes: zod failures become 400s naming each field. */
export function validationHook(
  result: { success: true } | { success: false; error: z.ZodError; target?: string },
  c: Context,
): Response | undefined {
  if (result.success) return undefined;
  const details = zodIssuesToDetails(result.error.issues);
  const fields = details.map((d) => d.path).join(', ');
  const where = 'target' in result && result.target ? ` in ${result.target}` : '';
  return c.json(errorBody('BAD_REQUEST', `invalid request${where}: ${fields}`, requestIdOf(c), details), 400);
}

/** The one onError handler: every thrown thing leaves as the error envelope. */
export function makeErrorHandler(logger: Logger) {
  return (err: Error, c: Context): Response => {
    const requestId = requestIdOf(c);
    if (err instanceof AppError) {
      return c.json(errorBody(err.code, err.message, requestId, err.details), err.status);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      const code: ErrorCode =
        status === 401
          ? 'UNAUTHORIZED'
          : status === 403
            ? 'FORBIDDEN'
            : status === 404
              ? 'NOT_FOUND'
              : status === 413
                ? 'PAYLOAD_TOO_LARGE'
                : status === 429
                  ? 'RATE_LIMITED'
                  : status < 500
                    ? 'BAD_REQUEST'
                    : 'INTERNAL_SERVER_ERROR';
      return c.json(errorBody(code, err.message || code, requestId), statusOf(code));
    }
    // Malformed JSON bodies surface as SyntaxError from the body parser.
    if (err instanceof SyntaxError) {
      return c.json(errorBody('BAD_REQUEST', `malformed JSON body: ${err.message}`, requestId), 400);
    }
    logger.error({ err, requestId }, 'unhandled error');
    return c.json(errorBody('INTERNAL_SERVER_ERROR', 'internal error', requestId), 500);
  };
}
