/**
 * What every form bound to an API body schema shares (react-hook-form with the zod resolver,
 * decision 0031): a resolver that checks the body the form will send, the server's field errors
 * set on the same fields, and the messages to show next to one field.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import type { FieldErrors, FieldValues, Path, Resolver, UseFormSetError } from 'react-hook-form';
import type { z } from 'zod';

/** One field the server (or the schema) refused: a dotted path and a message. */
export interface FieldIssue {
  path: string;
  message: string;
}

/**
 * A resolver checking what the form would send: its values are turned into the request body
 * (`toBody`: text to lists, "" to null, local times to instants…) and checked by the route's own
 * schema. The form's fields are named after the body's fields, so each issue lands on the field
 * it names; the values handed to submit are the schema's output (trimmed, defaults filled).
 */
export function bodyResolver<TForm extends FieldValues, S extends z.ZodType<unknown, FieldValues>>(
  schema: S,
  toBody: (values: TForm) => z.input<S>,
  params?: { error?: (issue: { code: string; path?: PropertyKey[] | undefined }) => string | undefined },
): Resolver<TForm, unknown, z.output<S>> {
  const check = zodResolver(schema, params);
  return (values, context, options) => check(toBody(values), context, options as never) as never;
}

/**
 * Sets each of the server's field `details` on the form field `fieldOf` maps its path to (the
 * first message per field), so it shows next to that field until the field is edited; returns
 * the details no field of the form shows, for the form's summary.
 */
export function setServerErrors<T extends FieldValues>(
  setError: UseFormSetError<T>,
  details: readonly FieldIssue[],
  fieldOf: (path: string) => Path<T> | undefined,
): FieldIssue[] {
  const placed = new Set<string>();
  const unplaced: FieldIssue[] = [];
  for (const d of details) {
    const field = fieldOf(d.path);
    if (!field) unplaced.push(d);
    else if (!placed.has(field)) {
      placed.add(field);
      setError(field, { type: 'server', message: d.message });
    }
  }
  return unplaced;
}

/** Keys of a react-hook-form error node that are not nested fields. */
const OWN_KEYS = new Set(['type', 'message', 'ref', 'types']);

/**
 * Every error at `path` and below it (a list's items, an object's fields, an array's `root`), by
 * dotted path, as the form's errors hold them: what to show next to a field that edits a whole
 * list (skills) or a whole document (the policy text).
 */
export function errorsUnder(errors: FieldErrors, path: string): FieldIssue[] {
  let node: unknown = errors;
  for (const part of path ? path.split('.') : []) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  const found: FieldIssue[] = [];
  const walk = (n: unknown, at: string) => {
    if (!n || typeof n !== 'object') return;
    const message = (n as { message?: unknown }).message;
    if (typeof message === 'string' && message) found.push({ path: at, message });
    for (const [k, child] of Object.entries(n)) {
      if (OWN_KEYS.has(k)) continue;
      walk(child, k === 'root' ? at : at ? `${at}.${k}` : k);
    }
  };
  walk(node, path);
  return found;
}

/** The messages to show next to one field (it and everything below it), each once. */
export function messagesAt(errors: FieldErrors, path: string): string[] {
  return [...new Set(errorsUnder(errors, path).map((i) => i.message))];
}
