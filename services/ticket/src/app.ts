import type { OpenAPIHono } from '@hono/zod-openapi';
import { annotateTicket, createServiceApp, limitOperations, rateLimit, requireAuth } from '@tierline/platform';
import type { TicketAppEnv, TicketDeps, TicketRateLimits } from './deps.js';
import { registerDocs } from './routes/docs.js';
import { registerSlaReport } from './routes/v1_reports_sla.js';
import { registerSlaReportCsv } from './routes/v1_reports_sla_csv.js';
import { registerSlaWeekly } from './routes/v1_reports_sla_weekly.js';
import { registerDeleteTeamMember } from './routes/v1_assignment_members_delete.js';
import { registerPutTeamMember } from './routes/v1_assignment_members_put.js';
import { registerCreateOnCallShift } from './routes/v1_assignment_oncall_create.js';
import { registerDeleteOnCallShift } from './routes/v1_assignment_oncall_delete.js';
import { registerListOnCall } from './routes/v1_assignment_oncall_list.js';
import { registerOnCallSchedule } from './routes/v1_assignment_oncall_schedule.js';
import { registerDeleteRotation } from './routes/v1_assignment_rotation_delete.js';
import { registerGetRotation } from './routes/v1_assignment_rotation_get.js';
import { registerPutRotation } from './routes/v1_assignment_rotation_put.js';
import { registerGetAssignmentRules } from './routes/v1_assignment_rules_get.js';
import { registerPutAssignmentRules } from './routes/v1_assignment_rules_put.js';
import { registerGetTeam } from './routes/v1_assignment_teams_get.js';
import { registerListTeams } from './routes/v1_assignment_teams_list.js';
import { registerPutTeam } from './routes/v1_assignment_teams_put.js';
import { registerDiffPolicies } from './routes/v1_policies_diff.js';
import { registerGetPolicyDraft } from './routes/v1_policies_draft_get.js';
import { registerPublishPolicyDraft } from './routes/v1_policies_draft_publish.js';
import { registerPutPolicyDraft } from './routes/v1_policies_draft_put.js';
import { registerValidatePolicyDraft } from './routes/v1_policies_draft_validate.js';
import { registerMigratePolicies } from './routes/v1_policies_migrate.js';
import { registerPreviewPolicy } from './routes/v1_policies_preview.js';
import { registerWhatIfPolicy } from './routes/v1_policies_what_if.js';
import { registerGetPolicyVersion } from './routes/v1_policies_versions_get.js';
import { registerListPolicyVersions } from './routes/v1_policies_versions_list.js';
import { registerRefusePolicyVersionChanges } from './routes/v1_policies_versions_update.js';
import { registerCreateTicket } from './routes/v1_tickets_create.js';
import { registerGetTicket } from './routes/v1_tickets_get.js';
import { registerLikelyDuplicates } from './routes/v1_tickets_likely_duplicates.js';
import { registerListTickets } from './routes/v1_tickets_list.js';
import { registerTicketActions } from './routes/v1_tickets_actions.js';
import { registerTicketReads } from './routes/v1_tickets_read_more.js';
import { registerTicketWatchers } from './routes/v1_tickets_watchers.js';
import { registerRequesterLink } from './routes/v1_tickets_requester_link.js';
import { registerVendorLinkAcknowledge } from './routes/v1_tickets_vendor_link_ack.js';
import { registerTicketEventsStream } from './routes/v1_events_stream.js';
import { INBOUND_EMAIL_ATTACHMENTS_PATH, registerInboundEmail } from './routes/v1_inbound_email.js';
import { registerTicketAttachments } from './routes/v1_tickets_attachments.js';
import { registerListMaintenance } from './routes/v1_maintenance_list.js';
import { registerCreateMaintenance } from './routes/v1_maintenance_create.js';
import { registerChangeMaintenance } from './routes/v1_maintenance_change.js';
import { registerCreateIncident } from './routes/v1_incidents_create.js';
import { registerDeclareIncident } from './routes/v1_tickets_declare_incident.js';
import { registerGetTicketIncident } from './routes/v1_tickets_incident_get.js';
import { registerLinkChild } from './routes/v1_tickets_children_link.js';
import { registerUnlinkChild } from './routes/v1_tickets_children_unlink.js';
import { registerPostIncidentStatus } from './routes/v1_tickets_incident_status.js';
import { registerStatusBanners } from './routes/v1_status_banners.js';
import { attachmentLimits } from './attachments/store.js';

/** Generous for people (a nurse does not open 120 tickets a minute); TICKET_*_RATE_LIMIT_* in env.ts. */
export const DEFAULT_TICKET_RATE_LIMITS: TicketRateLimits = { ticketCreatePerMinute: 120, policyPublishPerMinute: 10 };

const ATTACHMENTS_PATH = /^\/api\/v1\/tickets\/[^/]+\/attachments$/;
const TICKET_PATH = /^\/api\/v1\/tickets\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/|$)/i;

/** Builds the ticket service's HTTP app around the dependencies it is given. */
export function createTicketApp(deps: TicketDeps): OpenAPIHono<TicketAppEnv> {
  const app = createServiceApp<TicketAppEnv>({
    name: 'ticket',
    logger: deps.logger,
    // An upload carries one file of up to ATTACHMENT_MAX_BYTES, plus the multipart framing: a file
    // a little over the limit still arrives, to be refused with a message that names it.
    largeBodies: [ATTACHMENTS_PATH, INBOUND_EMAIL_ATTACHMENTS_PATH].map((path) => ({ method: 'POST', path, maxBytes: attachmentLimits(deps).maxBytes + 1024 * 1024 })),
    readiness: {
      postgres: () => deps.sql`select 1`,
      temporal: () => deps.temporal.workflowService.getSystemInfo({}),
    },
  });
  app.use('/api/v1/*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  // A request about one ticket: its id on every log line and on the request's span.
  app.use('/api/v1/tickets/*', async (c, next) => {
    const m = TICKET_PATH.exec(c.req.path);
    if (m?.[1]) annotateTicket(m[1]);
    await next();
  });
  // Everything under /api/v1 needs a token, except the API description itself.
  app.use('/api/v1/*', async (c, next) => {
    if (c.req.path === '/api/v1/openapi.json') return next();
    return requireAuth<TicketAppEnv>(deps.verifyToken)(c, next);
  });
  // Limits per signed-in actor on what is costly or sensitive: each ticket starts a workflow and
  // pages people; a publish changes every new ticket's escalation. Refused with 429 before any work.
  const limits = { ...DEFAULT_TICKET_RATE_LIMITS, ...deps.rateLimits };
  const createLimit = rateLimit({ name: 'ticket creation', max: limits.ticketCreatePerMinute, windowMs: 60_000 });
  limitOperations(app, createLimit, [
    { method: 'post', path: '/api/v1/tickets' },
    { method: 'post', path: '/api/v1/incidents' },
  ]);
  limitOperations(app, rateLimit({ name: 'policy publishing', max: limits.policyPublishPerMinute, windowMs: 60_000 }), [
    { method: 'post', path: '/api/v1/policies/draft/publish' },
  ]);

  // Tickets
  registerCreateTicket(app);
  registerListTickets(app);
  // Before /tickets/{id}, which would take "likely-duplicates" for an id.
  registerLikelyDuplicates(app);
  registerGetTicket(app);
  registerTicketReads(app);
  registerTicketActions(app);
  registerTicketWatchers(app);
  registerInboundEmail(app);
  registerVendorLinkAcknowledge(app);
  registerRequesterLink(app);
  registerTicketEventsStream(app);
  registerTicketAttachments(app);

  // Major incidents and the status banner
  registerCreateIncident(app);
  registerDeclareIncident(app);
  registerGetTicketIncident(app);
  registerLinkChild(app);
  registerUnlinkChild(app);
  registerPostIncidentStatus(app);
  registerStatusBanners(app);

  // Policies
  registerGetPolicyDraft(app);
  registerPutPolicyDraft(app);
  registerValidatePolicyDraft(app);
  registerPreviewPolicy(app);
  registerWhatIfPolicy(app);
  registerPublishPolicyDraft(app);
  registerListPolicyVersions(app);
  registerGetPolicyVersion(app);
  registerRefusePolicyVersionChanges(app);
  registerDiffPolicies(app);
  registerMigratePolicies(app);

  // Assignment
  registerListTeams(app);
  registerGetTeam(app);
  registerPutTeam(app);
  registerPutTeamMember(app);
  registerDeleteTeamMember(app);
  registerGetAssignmentRules(app);
  registerPutAssignmentRules(app);
  registerListOnCall(app);
  registerCreateOnCallShift(app);
  registerDeleteOnCallShift(app);
  registerOnCallSchedule(app);
  registerGetRotation(app);
  registerPutRotation(app);
  registerDeleteRotation(app);

  // Reports
  registerSlaReport(app);
  registerSlaReportCsv(app);
  registerSlaWeekly(app);

  // Maintenance windows (decision 43)
  registerListMaintenance(app);
  registerCreateMaintenance(app);
  registerChangeMaintenance(app);

  registerDocs(app);
  return app;
}
