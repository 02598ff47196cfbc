/**
 * The report form's binding to the API's own body schema: `CreateTicketRequestSchema` of
 * @tierline/contracts (what POST /api/v1/tickets validates) checks the form in the browser, with
 * the schema's issues worded for the person reporting; the server's field errors land on the same
 * fields. The server stays the judge: what passes here can still be refused there.
 */
import { CreateTicketRequestSchema } from '@tierline/contracts';
import { zodResolver } from '@hookform/resolvers/zod';
import type { z } from 'zod';

export const reportSchema = CreateTicketRequestSchema;
/** What the form holds (before the schema's trimming and defaults). */
export type ReportValues = Required<z.input<typeof CreateTicketRequestSchema>>;
export type ReportField = keyof ReportValues;

export const FIELD_ORDER: ReportField[] = ['title', 'category', 'siteId', 'impact', 'urgency', 'patientCareAffected', 'description'];
export const FIELD_NAMES: Record<ReportField, string> = {
  title: 'Short summary',
  category: 'Kind of problem',
  siteId: 'Site',
  impact: 'Who is affected',
  urgency: 'How urgent',
  patientCareAffected: 'Patient care',
  description: 'Details',
};

interface Issue {
  code: string;
  path?: PropertyKey[] | undefined;
}

/**
 * The words for a schema issue on a field of the report (the schema's own message otherwise).
 * Passed to the schema as its error map, so the limits stay the schema's and only the wording is ours.
 */
export function reportMessage(issue: Issue): string | undefined {
  const field = issue.path?.[0];
  switch (field) {
    case 'title':
      if (issue.code === 'too_small') return 'Enter a short summary of at least 3 characters.';
      if (issue.code === 'too_big') return 'Keep the summary to 200 characters or fewer.';
      return undefined;
    case 'category':
      return 'Choose the kind of problem.';
    case 'siteId':
      return 'Choose the site where the problem is.';
    case 'impact':
      return 'Choose who is affected.';
    case 'urgency':
      return 'Choose how urgent it is.';
    case 'description':
      if (issue.code === 'too_big') return 'Keep the details to 5000 characters or fewer.';
      return undefined;
    default:
      return undefined;
  }
}

/** The form's resolver: the API's body schema with the report's wording. */
export const reportResolver = zodResolver(reportSchema, { error: reportMessage });

/** Server field paths ("title", "body.siteId"…) onto the form's fields. */
export function fieldOf(path: string): ReportField | undefined {
  const last = path.split('.').pop() ?? '';
  return (FIELD_ORDER as string[]).includes(last) ? (last as ReportField) : undefined;
}

/** The form's starting values: a remembered draft over the defaults, its site one of the person's sites. */
export function initialValues(sites: readonly string[], draft: Partial<ReportValues>): ReportValues {
  const initial: ReportValues = {
    title: '',
    description: '',
    category: '',
    siteId: sites[0] ?? '',
    impact: 'one_user',
    urgency: 'medium',
    patientCareAffected: false,
    ...draft,
  };
  if (sites.length > 0 && !sites.includes(initial.siteId)) initial.siteId = sites[0]!;
  return initial;
}
