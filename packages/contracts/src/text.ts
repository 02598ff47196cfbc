import { z } from '@hono/zod-openapi';

/**
 * Free text that is trimmed and must keep at least `min` characters. The length checks run on
 * the trimmed text, which a JSON Schema cannot say; the pattern says it instead (at least `min`
 * characters from the first to the last non-space), so the OpenAPI document refuses a blank
 * string just as the server does. In contracts (not platform) so that a browser form checked by
 * a body schema using it pulls in no server code.
 */
export const trimmedText = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .regex(min <= 1 ? /\S/ : new RegExp(`\\S[\\s\\S]{${min - 2},}\\S`), `must have at least ${min} character${min === 1 ? '' : 's'} besides spaces`);
