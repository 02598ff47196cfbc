import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { AssignmentRulesInputSchema } from '@tierline/contracts';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { assignmentEvent, replaceRules, type AssignmentRuleFields, type RuleIssue } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import { ASSIGNMENT_TAGS, AssignmentRulesSchema, assignmentEditors } from './v1_assignment_common.js';
import { actorRef, emit } from './v1_policies_common.js';

export const putAssignmentRulesRoute = createRoute({
  method: 'put',
  path: '/api/v1/assignment-rules',
  tags: ASSIGNMENT_TAGS,
  summary: 'Replace the assignment rules (IT leads)',
  description:
    'Replaces the whole ordered list. Refused with 400 naming each offending rule field when a category is not one of the service\'s categories, a team does not exist, an escalation team is not tier 2, or two rules have the same category and site. ' +
    'Publishes `assignment.rules_changed` with the new list.',
  security: [{ bearerAuth: [] }],
  middleware: [assignmentEditors] as const,
  request: { body: { required: true, content: { 'application/json': { schema: AssignmentRulesInputSchema } } } },
  responses: {
    200: { description: 'Saved', content: { 'application/json': { schema: AssignmentRulesSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
  },
});

/** The checks that need the configured categories and the teams as stored. */
export function checkRules(rules: AssignmentRuleFields[], categories: readonly string[], teams: Map<string, { tier: number }>): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const seen = new Map<string, number>();
  rules.forEach((r, i) => {
    if (r.category !== null && !categories.includes(r.category)) {
      issues.push({ path: `rules.${i}.category`, message: `unknown category; one of ${categories.join(', ')}` });
    }
    if (!teams.has(r.teamId)) issues.push({ path: `rules.${i}.teamId`, message: `no team ${r.teamId}` });
    if (r.escalationTeamId !== null) {
      const t = teams.get(r.escalationTeamId);
      if (!t) issues.push({ path: `rules.${i}.escalationTeamId`, message: `no team ${r.escalationTeamId}` });
      else if (t.tier !== 2) issues.push({ path: `rules.${i}.escalationTeamId`, message: `team ${r.escalationTeamId} is tier ${t.tier}; an escalation team must be tier 2` });
    }
    const key = JSON.stringify([r.category, r.siteId]);
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push({ path: `rules.${i}`, message: `same category and site as rules.${first}; the later one could never apply` });
    } else {
      seen.set(key, i);
    }
  });
  return issues;
}

export function registerPutAssignmentRules(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(putAssignmentRulesRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const { rules } = c.req.valid('json');
    const outcome = await replaceRules(deps.sql, {
      rules,
      check: (teams) => checkRules(rules, deps.categories, teams),
      event: (saved) => assignmentEvent('assignment.rules_changed', actorRef(actor), { ruleCount: saved.length, rules: saved }),
    });
    if (outcome.kind === 'invalid') {
      throw new AppError('BAD_REQUEST', `invalid request: ${outcome.issues.map((i) => i.path).join(', ')}`, outcome.issues);
    }
    await emit(deps, outcome.event);
    return c.json({ rules: outcome.rules }, 200);
  });
}
