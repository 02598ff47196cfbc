import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { EscalationPolicySchema, PrioritySchema, type Priority } from '@tierline/contracts';
import { AppError, zodIssuesToDetails } from '@tierline/platform';
import { compareWhatIf, readTimeline, validatePolicy, type RecordedTicket } from '@tierline/domain';
import { getDraft, latestPublished, ticketHistories, type TicketHistory } from '@tierline/ticket-store';
import type { TicketAppEnv } from '../deps.js';
import { authErrorResponses, badRequestResponse } from './common.js';
import { POLICY_TAGS, policyEditors, policyNotFoundResponse, unprocessableResponse } from './v1_policies_common.js';

/** How far back a what-if looks at most (and by default): the issue's 90 days. */
export const WHAT_IF_MAX_DAYS = 90;
const DAY_MS = 24 * 3600 * 1000;

const WhatIfRequestSchema = z
  .object({
    policy: EscalationPolicySchema.optional().openapi({ description: 'The draft to try; the saved draft (or, before any save, the newest version) when absent.' }),
    days: z.number().int().min(1).max(WHAT_IF_MAX_DAYS).default(WHAT_IF_MAX_DAYS).openapi({ description: `How many days back to replay, at most ${WHAT_IF_MAX_DAYS}.` }),
  })
  .openapi('PolicyWhatIfRequest');

const OutcomeSchema = z
  .object({
    tickets: z.number().int(),
    pages: z.number().int().openapi({ description: 'Escalation pages: each level firing (repeats included) once per target it names.' }),
    vendorPages: z.number().int().openapi({ description: 'Of those, the pages to a vendor organisation.' }),
    vendorHandOffs: z.number().int().openapi({ description: 'Hand-offs to a vendor made by a tier-3 level of the policy (not by a person).' }),
    breaches: z.object({ response: z.number().int(), resolution: z.number().int(), vendor_response: z.number().int(), vendor_resolution: z.number().int() }),
  })
  .openapi('PolicyWhatIfOutcome');

const SidesSchema = {
  recorded: OutcomeSchema.openapi({ description: 'What really happened to the tickets opened on the current version.' }),
  recordedReplay: OutcomeSchema.openapi({ description: "The current version's replay of those same tickets: equal to `recorded` when the replay is faithful." }),
  current: OutcomeSchema.openapi({ description: 'The current version replayed on every ticket of the period.' }),
  draft: OutcomeSchema.openapi({ description: 'The draft replayed on every ticket of the period.' }),
};

export const PolicyWhatIfSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    days: z.number().int(),
    currentVersion: z.number().int().positive(),
    rows: z.array(z.object({ priority: PrioritySchema, ...SidesSchema })),
    total: z.object(SidesSchema),
    skipped: z.object({ current: z.number().int(), draft: z.number().int() }).openapi({ description: 'Tickets a policy has no rule for, left out of its figures.' }),
  })
  .openapi('PolicyWhatIf');

export const whatIfPolicyRoute = createRoute({
  method: 'post',
  path: '/api/v1/policies/what-if',
  tags: POLICY_TAGS,
  summary: 'What a draft would have done to the last days’ real tickets, against the current version',
  description:
    'Replays every ticket opened in the last `days` days (at most 90) on the current published version and on the draft, with the escalation and calendar ' +
    'rules the ticket workflow runs: each ticket opens as it did, and what people did to it (acknowledged, waited on the requester, handed to a vendor, ' +
    'resolved, reopened, changed its priority) happens at the instants its timeline recorded. Per priority: pages, pages to vendors, hand-offs by the ' +
    'policy and breaches per clock. `recorded` beside `recordedReplay` shows that the replay reproduces what the current version really did. IT leads only.',
  security: [{ bearerAuth: [] }],
  middleware: [policyEditors] as const,
  // Optional: without a body (or with {}) the current draft is replayed over 90 days.
  request: { body: { required: false, content: { 'application/json': { schema: WhatIfRequestSchema } } } },
  responses: {
    200: { description: 'The comparison', content: { 'application/json': { schema: PolicyWhatIfSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...policyNotFoundResponse,
    ...unprocessableResponse,
  },
});

const refuse = (issues: { path: string; message: string }[]): never => {
  throw new AppError('UNPROCESSABLE', `the policy cannot be replayed: ${issues.length} issue(s)`, issues);
};

/** A stored ticket's history as the replay takes it. */
export function recordedTicket(h: TicketHistory): RecordedTicket {
  const { actions, recorded } = readTimeline(h.timeline);
  return {
    id: h.id,
    number: h.number,
    siteId: h.siteId,
    category: h.category,
    priority: h.openingPriority as Priority,
    openedAt: Date.parse(h.openedAt),
    policyVersion: h.openingPolicyVersion,
    actions,
    recorded,
  };
}

export function registerWhatIfPolicy(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(
    whatIfPolicyRoute,
    async (c) => {
      const { sql } = c.get('deps');
      // Without a body the validator hands over {} unparsed: the schema's defaults apply here.
      const body = WhatIfRequestSchema.parse(c.req.valid('json'));
      const current = await latestPublished(sql);
      if (!current) throw new AppError('NOT_FOUND', 'there is no published policy to compare with yet');
      const draft = body.policy ?? (await getDraft(sql))?.policy ?? current.policy;
      const issues = validatePolicy(draft);
      if (issues.length > 0) refuse(issues);
      const now = Date.now();
      const from = new Date(now - body.days * DAY_MS).toISOString();
      const to = new Date(now).toISOString();
      const tickets = (await ticketHistories(sql, { from, to })).map(recordedTicket);
      const result = compareWhatIf(current, draft, tickets, now);
      return c.json({ from, to, days: body.days, currentVersion: current.version, ...result }, 200);
    },
    (result) => {
      if (result.success) return undefined;
      const issues = result.error.issues;
      // A draft that is structurally wrong is a 422 named by its path in the policy, as the preview names it.
      if (issues.every((i) => i.path[0] === 'policy' && i.path.length > 1)) {
        refuse(issues.map((i) => ({ path: i.path.slice(1).map(String).join('.'), message: i.message })));
      }
      const details = zodIssuesToDetails(issues);
      throw new AppError('BAD_REQUEST', `invalid request in json: ${details.map((d) => d.path).join(', ')}`, details);
    },
  );
}
