import { html, raw } from 'hono/html';

/**
 * HTML built with hono/html (docs/decisions/0026): every string put into an `html` template is
 * escaped; fragments made by `html` go in as they are; `raw` is for markup the code itself holds
 * (a page's own style). No escaping by hand anywhere.
 */
export { html, raw };

export type HtmlFragment = ReturnType<typeof html>;

/**
 * The finished text of a fragment. Only strings, numbers and other fragments go into Tierline's
 * templates, so hono/html answers at once; a promise would mean an asynchronous part slipped in.
 */
export function htmlText(fragment: HtmlFragment): string {
  if (fragment instanceof Promise) throw new Error('an HTML fragment was asynchronous; Tierline renders pages synchronously');
  return fragment.toString();
}
