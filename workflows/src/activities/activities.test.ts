import { describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import type { EventEnvelope } from '@tierline/contracts';
import { createActivities, type ActivityDeps } from './index.js';

describe('ticket activities', () => {
  // Nothing may be written when the input is bad: the database and JetStream must not be touched.
  const untouchable = new Proxy({}, { get: () => { throw new Error('dependency used'); } }) as unknown as ActivityDeps['sql'];
  const acts = createActivities({ sql: untouchable, js: untouchable as unknown as ActivityDeps['js'] });

  it('refuses a malformed event as a non-retryable failure (retrying cannot fix it)', async () => {
    const env = new MockActivityEnvironment();
    const bad = { id: 'not-a-uuid', type: 'ticket.created' } as unknown as EventEnvelope;
    const err = await env.run(acts.recordTicketEvent, { ticketId: '7f1c2a4e-1b2c-4d3e-8f90-0a1b2c3d4e5f', events: [bad] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).type).toBe('InvalidEvent');
  });
});
