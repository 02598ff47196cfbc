/**
 * The policy editor's binding to the API's schema: the JSON text typed, parsed, then checked by
 * `EscalationPolicySchema` of @tierline/contracts (what PUT /api/v1/policies/draft validates and
 * the first check of POST /api/v1/policies/draft/validate), through react-hook-form's zod
 * resolver like every other form. Its issues name the policy's fields by dotted path, as the
 * server's do. The server stays the judge: its semantic checks (calendars, time zones, level
 * order…) come from the validate endpoint and are listed with these.
 */
import { EscalationPolicySchema } from '@tierline/contracts';
import { zodResolver } from '@hookform/resolvers/zod';
import type { FieldErrors } from 'react-hook-form';
import { z } from 'zod';
import { errorsUnder, type FieldIssue } from '../../../lib/forms.js';
import type { PolicyShape } from './policy.js';

/** The form: the whole policy as JSON text. */
export interface PolicyFormValues {
  json: string;
}

export type ParsedPolicy = { ok: true; policy: PolicyShape } | { ok: false; message: string };

/** The text as a JSON object, or why it is not one. */
export function parsePolicyText(text: string): ParsedPolicy {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'The policy must be a JSON object ({ … }).' };
    return { ok: true, policy: value };
  } catch (err) {
    return { ok: false, message: `This is not valid JSON: ${(err as Error).message}` };
  }
}

/** The editor's schema: the text parsed (a JSON mistake is the text's own issue), then the API's policy schema. */
export const PolicyTextSchema = z.object({
  json: z
    .string()
    .transform((text, ctx) => {
      const parsed = parsePolicyText(text);
      if (parsed.ok) return parsed.policy;
      ctx.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    })
    .pipe(EscalationPolicySchema),
});

/** The form's resolver; submit receives the schema's output (the policy as the server stores it). */
export const policyResolver = zodResolver(PolicyTextSchema);

/** The schema's issues on the policy's fields, by their path in the policy ("rules.0.levels"). */
export function schemaIssues(errors: FieldErrors<PolicyFormValues>): FieldIssue[] {
  return errorsUnder(errors, 'json')
    .filter((i) => i.path !== 'json')
    .map((i) => ({ path: i.path.slice('json.'.length), message: i.message }));
}

/** The server's issues, then the schema's the server has not (yet) named: each once. */
export function mergeIssues(server: readonly FieldIssue[], local: readonly FieldIssue[]): FieldIssue[] {
  const key = (i: FieldIssue) => `${i.path}\u0000${i.message}`;
  const seen = new Set(server.map(key));
  return [...server, ...local.filter((i) => !seen.has(key(i)))];
}
