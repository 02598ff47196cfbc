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
  createdAt: string;
  updatedAt: string;
}

export interface FieldError {
  path: string;
  message: string;
}

export interface ErrorEnvelope {
  error: { code: string; message: string; requestId: string; details?: FieldError[] };
}
