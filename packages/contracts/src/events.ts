import { z } from '@hono/zod-openapi';
import { ActorSchema } from './roles.js';

/**
 * Every fact Tierline publishes travels in this envelope. `id` doubles as the JetStream
 * `Nats-Msg-Id`, so a retried publish is stored once, and consumers dedupe on it too.
 */
export const EVENT_SCHEMA_VERSION = 1;

export const EventTypeSchema = z
  .string()
  .regex(/^[a-z][a-z_]*\.[a-z][a-z_.]*$/, 'event type must look like "<aggregate>.<name>", e.g. "ticket.created"');

export const EventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: EventTypeSchema,
  occurredAt: z.iso.datetime({ offset: true }),
  actor: ActorSchema,
  ticketId: z.uuid().optional(),
  data: z.record(z.string(), z.unknown()),
  schemaVersion: z.number().int().positive(),
});
export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;

export const EVENTS_STREAM = 'TIERLINE_EVENTS';
export const EVENTS_SUBJECT_PREFIX = 'tierline.events';
export const COMMANDS_STREAM = 'TIERLINE_COMMANDS';
export const NOTIFY_SUBJECT = 'tierline.commands.notify';

/** `ticket.created` → `tierline.events.ticket.created`: the aggregate is the first segment. */
export function subjectForEvent(type: string): string {
  EventTypeSchema.parse(type);
  return `${EVENTS_SUBJECT_PREFIX}.${type}`;
}
