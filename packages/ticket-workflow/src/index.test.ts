import { describe, expect, it } from 'vitest';
import { currentTracing } from '@tierline/platform';
import { DEFAULT_TASK_QUEUE, SA, TICKET_WORKFLOW_TYPE, acknowledgeUpdate, getStateQuery, searchAttributesFor, ticketWorkflowId } from './index.js';
import { temporalClientInterceptors } from './client-tracing.js';

describe('the ticket workflow definitions', () => {
  it('name the workflow, its task queue, its id and its messages as the worker registers them', () => {
    expect(TICKET_WORKFLOW_TYPE).toBe('ticketWorkflow');
    expect(DEFAULT_TASK_QUEUE).toBe('tierline-tickets');
    expect(ticketWorkflowId('3f1c')).toBe('ticket-3f1c');
    expect(getStateQuery.name).toBe('getState');
    expect(acknowledgeUpdate.name).toBe('acknowledge');
  });

  it('map a ticket to the search attributes an SRE filters on', () => {
    const pairs = searchAttributesFor({ number: 'IT-1001', priority: 'P1', tier: 2, status: 'new', siteId: 'north', policyVersion: 3 });
    expect(pairs.map((p) => [p.key.name, p.value])).toEqual([
      ['TicketNumber', 'IT-1001'],
      ['Priority', 'P1'],
      ['Tier', 2],
      ['Status', 'new'],
      ['Site', 'north'],
      ['PolicyVersion', 3],
    ]);
    expect(SA.Tier.type).toBe('INT');
  });

  it('give the client no interceptors while tracing is off, and the OpenTelemetry one when it is on', () => {
    expect(temporalClientInterceptors({ ...currentTracing(), enabled: false })).toBeUndefined();
    expect(temporalClientInterceptors({ ...currentTracing(), enabled: true })?.workflow).toHaveLength(1);
  });
});
