// The shapes the portal reads from the API, named once. Every one is generated from the services'
// OpenAPI documents (npm run api-types), so the server's route schemas stay their only source.
import type { components as Audit } from './audit.gen.js';
import type { components as Notification } from './notification.gen.js';
import type { components as TicketApi, paths as TicketPaths } from './ticket.gen.js';

type T = TicketApi['schemas'];

export type Ticket = T['Ticket'];
export type TicketPage = T['TicketPage'];
/** The query of GET /api/v1/tickets (filters, sort, page size). */
export type TicketListQuery = NonNullable<TicketPaths['/api/v1/tickets']['get']['parameters']['query']>;
export type CreateTicketRequest = T['CreateTicketRequest'];
export type Impact = Ticket['impact'];
export type Urgency = Ticket['urgency'];
export type Priority = Ticket['priority'];
export type TicketStatus = Ticket['status'];
export type EscalationState = T['EscalationState'];
export type EscalationLevel = T['EscalationLevelState'];
export type EscalationRecord = T['EscalationRecord'];
export type ClockView = T['TicketClock'];
export type ClockName = ClockView['name'];
export type Comment = T['Comment'];
export type TimelineEntry = T['TimelineEntry'];
export type TicketActionResult = T['TicketActionResult'];
export type Attachment = T['Attachment'];
export type AttachmentList = T['AttachmentList'];

export type PolicyDraftResponse = T['PolicyDraftResponse'];
export type EscalationPolicy = T['EscalationPolicy'];
export type PolicyIssue = T['PolicyIssue'];
export type PolicyVersionList = T['PolicyVersionList'];
export type PolicyVersionSummary = T['PolicyVersionSummary'];
export type PolicyChange = T['PolicyChange'];
export type PolicyMigration = T['PolicyMigration'];

export type Team = T['Team'];
export type TeamMember = T['TeamMember'];
export type AssignmentRule = T['AssignmentRule'];
export type OnCallShift = T['OnCallShift'];
export type Rotation = T['Rotation'];
export type ScheduledShift = T['ScheduledShift'];
export type SlaReport = T['SlaReport'];
export type SlaReportRow = T['SlaReportRow'];

export type Delivery = Notification['schemas']['Delivery'];

export type AuditEntry = Audit['schemas']['AuditEntry'];
export type AuditEventPage = Audit['schemas']['AuditEventPage'];
export type AuditVerifyReport = Audit['schemas']['AuditVerifyReport'];

/**
 * One `event: ticket` message of GET /api/v1/events/stream. The document describes the stream's
 * frames (ServerSentEvent) with their data as a JSON string, so the message inside is named here.
 */
export interface StreamMessage {
  event: { id: string; type: string; occurredAt: string; ticketId: string };
  ticket: Ticket;
}

export type PolicyPreview = T['PolicyPreview'];
export type PolicyPreviewStep = T['PolicyPreviewStep'];

export type PolicyWhatIf = T['PolicyWhatIf'];
export type PolicyWhatIfOutcome = T['PolicyWhatIfOutcome'];
export type SlaWeekly = T['SlaWeekly'];
export type SlaWeek = T['SlaWeek'];
export type MaintenanceWindow = T['MaintenanceWindow'];
export type IncidentView = T['IncidentView'];
export type IncidentStatus = T['IncidentStatus'];
export type StatusBanners = T['StatusBanners'];
export type IncidentBanner = T['IncidentBanner'];
