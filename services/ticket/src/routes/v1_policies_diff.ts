import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError, pathInt } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { getDraft, publishedVersion } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import { POLICY_TAGS, policyNotFoundResponse, policyReaders } from './v1_policies_common.js';

// ---------------------------------------------------------------------------------------------
// diffJson: a small structural diff of two JSON values

export interface JsonChange {
  /** Dotted path, as validatePolicy names fields: `rules.0.levels.1.after.minutes`; '' = the whole value. */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  /** Absent for `added`. */
  from?: unknown;
  /** Absent for `removed`. */
  to?: unknown;
}

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: JsonObject, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k) && o[k] !== undefined;
const join = (path: string, key: string | number): string => (path === '' ? String(key) : `${path}.${key}`);

/**
 * What changed from `a` to `b`, as a list of changes at the deepest path where they differ:
 * - a leaf (string, number, boolean, null) that differs, or a value whose type changed (object
 *   ↔ array ↔ leaf), is one `changed` entry with both values;
 * - an object key or array element present on one side only is one `added`/`removed` entry
 *   carrying the whole subtree (a new calendar is one change, not one per field).
 * Object keys are visited in sorted order so the output is deterministic. Arrays are compared by
 * index: inserting an element at the front reports every later element as changed — fine for
 * policies, whose lists are short and mostly appended to. Keys are joined with dots as they are
 * (policy keys never contain dots). Values are JSON: `undefined` counts as absent.
 */
export function diffJson(a: unknown, b: unknown, path = ''): JsonChange[] {
  if (Object.is(a, b)) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: JsonChange[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length) out.push({ path: join(path, i), kind: 'added', to: b[i] });
      else if (i >= b.length) out.push({ path: join(path, i), kind: 'removed', from: a[i] });
      else out.push(...diffJson(a[i], b[i], join(path, i)));
    }
    return out;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    const out: JsonChange[] = [];
    for (const k of keys) {
      const inA = has(a, k);
      const inB = has(b, k);
      if (inA && !inB) out.push({ path: join(path, k), kind: 'removed', from: a[k] });
      else if (!inA && inB) out.push({ path: join(path, k), kind: 'added', to: b[k] });
      else if (inA && inB) out.push(...diffJson(a[k], b[k], join(path, k)));
    }
    return out;
  }
  return [{ path, kind: 'changed', from: a, to: b }];
}

// ---------------------------------------------------------------------------------------------
// GET /api/v1/policies/diff

const VersionRef = z.union([z.literal('draft'), pathInt()]);

export const PolicyChangeSchema = z
  .object({
    path: z.string().openapi({ example: 'rules.0.responseTargetMinutes' }),
    kind: z.enum(['added', 'removed', 'changed']),
    from: z.unknown().optional().openapi({ description: 'The old value; absent when added' }),
    to: z.unknown().optional().openapi({ description: 'The new value; absent when removed' }),
  })
  .openapi('PolicyChange');

export const PolicyDiffSchema = z
  .object({
    from: z.union([z.number().int(), z.literal('draft')]),
    to: z.union([z.number().int(), z.literal('draft')]),
    changes: z.array(PolicyChangeSchema),
  })
  .openapi('PolicyDiff');

export const diffPoliciesRoute = createRoute({
  method: 'get',
  path: '/api/v1/policies/diff',
  tags: POLICY_TAGS,
  summary: 'What changed between two policy versions',
  description:
    'A structural diff: one entry per changed leaf, and one per added or removed subtree, each with its dotted path. `from` and `to` are version numbers, or `draft` for the saved draft.',
  security: [{ bearerAuth: [] }],
  middleware: [policyReaders] as const,
  request: {
    query: z.object({
      from: VersionRef.openapi({ param: { name: 'from', in: 'query' }, example: 1 }),
      to: VersionRef.openapi({ param: { name: 'to', in: 'query' }, example: 2 }),
    }),
  },
  responses: {
    200: { description: 'The changes, in path order', content: { 'application/json': { schema: PolicyDiffSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...policyNotFoundResponse,
  },
});

export function registerDiffPolicies(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(diffPoliciesRoute, async (c) => {
    const { sql } = c.get('deps');
    const { from, to } = c.req.valid('query');
    const load = async (ref: number | 'draft') => {
      if (ref === 'draft') {
        const d = await getDraft(sql);
        if (!d) throw new AppError('NOT_FOUND', 'no draft has been saved yet');
        return d.policy;
      }
      const v = await publishedVersion(sql, ref);
      if (!v) throw new AppError('NOT_FOUND', `no published policy version ${ref}`);
      return v.policy;
    };
    const [a, b] = await Promise.all([load(from), load(to)]);
    return c.json({ from, to, changes: diffJson(a, b) }, 200);
  });
}
