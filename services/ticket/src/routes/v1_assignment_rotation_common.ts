import { rotationStartsAt } from '@tierline/domain';
import type { StoredRotation } from '@tierline/ticket-store';

/** A stored rotation as the API shows it, with the instant of its first hand-off. */
export const rotationView = (r: StoredRotation) => ({
  teamId: r.teamId,
  participants: r.participants,
  handoffWeekday: r.handoffWeekday,
  handoffTime: r.handoffTime,
  lengthDays: r.lengthDays,
  timeZone: r.timeZone,
  startDate: r.startDate,
  firstHandoffAt: new Date(rotationStartsAt(r)).toISOString(),
  updatedBy: r.updatedBy,
  updatedAt: r.updatedAt,
});
