import { z } from '@hono/zod-openapi';

/** Realm roles, exactly as Keycloak issues them in `realm_access.roles`. */
export const ROLES = ['clinic_staff', 'it_agent', 'it_lead', 'vendor', 'auditor', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** Who did something: a signed-in person, or a named part of Tierline acting on its own. */
export const ActorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), id: z.string().min(1), role: RoleSchema }),
  z.object({ kind: z.literal('system'), id: z.string().min(1) }),
]);
export type ActorRef = z.infer<typeof ActorSchema>;
