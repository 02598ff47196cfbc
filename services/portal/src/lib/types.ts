// Shapes the portal reads from the API (see @tierline/contracts for the server's source of truth;
// the browser bundle keeps its own copy so it pulls in no server-side schema library).

export type Impact = 'one_user' | 'department' | 'whole_site';
export type Urgency = 'low' | 'medium' | 'high';
export type Priority = 'P1' | 'P2' | 'P3' | 'P4';
export type TicketStatus = 'new' | 'acknowledged' | 'in_progress' | 'waiting_on_requester' | 'waiting_on_vendor' | 'resolved' | 'closed';

export interface CreateTicketRequest {
  title: string;
  description: string;
  category: string;
  siteId: string;
  impact: Impact;
  urgency: Urgency;
  patientCareAffected: boolean;
}

export interface Ticket extends CreateTicketRequest {
  id: string;
  number: string;
  requesterId: string;
  priority: Priority;
  status: TicketStatus;
  tier: number;
  policyVersion: number;
  workflowId: string;
  teamId: string | null;
  assigneeId: string | null;
  vendorOrgId: string | null;
  escalationLevel: number;
  /** The next instant the workflow acts unless someone does first. */
  nextDeadlineAt: string | null;
  /** e.g. "escalation to tier 2", "response target". */
  nextDeadlineKind: string | null;
  slaAtRisk: boolean;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TicketPage {
  items: Ticket[];
  nextCursor: string | null;
}

export type ClockName = 'response' | 'resolution' | 'vendor_response' | 'vendor_resolution';

/** One SLA clock as GET /api/v1/tickets/{id}/escalation shows it. */
export interface ClockView {
  name: ClockName;
  state: 'running' | 'paused' | 'stopped' | 'not_started';
  targetMinutes: number;
  elapsedMinutes: number;
  remainingMinutes: number;
  deadlineAt: string | null;
  breached: boolean;
}

export interface EscalationRecord {
  level: number;
  tier: number;
  repeat: number;
  at: string;
  clock: 'response' | 'resolution';
}

export interface EscalationLevel {
  index: number;
  clock: 'response' | 'resolution';
  afterMinutes: number;
  tier: number;
  fired: number;
}

/** The ticket workflow's state (GET /api/v1/tickets/{id}/escalation). */
export interface EscalationState {
  status: TicketStatus;
  priority: Priority;
  tier: number;
  teamId: string | null;
  assigneeId: string | null;
  vendorOrgId: string | null;
  policyVersion: number;
  clocks: ClockView[];
  levels: EscalationLevel[];
  escalations: EscalationRecord[];
  currentLevel: number;
  nextDeadline: { at: string; kind: string } | null;
  now: string;
}

export interface Comment {
  id: string;
  authorId: string;
  authorRole: string;
  visibility: 'public' | 'internal';
  /** A comment, or the free text of an action (the reason of a priority change, the hand-off note, ...). */
  kind: 'comment' | 'priority_reason' | 'question' | 'handoff_note' | 'resolution' | 'reopen_reason';
  body: string;
  createdAt: string;
}

export interface TimelineEntry {
  eventId: string;
  type: string;
  occurredAt: string;
  actor: { kind: string; id: string };
  data: Record<string, unknown>;
}

/** A notification delivery (GET /api/v1/notifications?ticketId=). */
export interface Delivery {
  id: string;
  kind: 'page' | 'alert';
  template: string | null;
  channel: string;
  recipientId: string;
  recipientUsername: string | null;
  status: 'queued' | 'sent' | 'delivered' | 'failed';
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One `event: ticket` message of GET /api/v1/events/stream. */
export interface StreamMessage {
  event: { id: string; type: string; occurredAt: string; ticketId: string };
  ticket: Ticket;
}

export interface FieldError {
  path: string;
  message: string;
}

export interface ErrorEnvelope {
  error: { code: string; message: string; requestId: string; details?: FieldError[] };
}
