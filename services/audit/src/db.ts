import postgres from 'postgres';
import type { Sql } from '@tierline/platform';

export const AUDIT_SCHEMA = 'audit';

/**
 * The service's pool. Like platform's createSql, plus `role`: every connection starts with
 * SET ROLE to the insert-only writer. The login itself (tierline_audit) is already no more than
 * the writer; the switch keeps a login given more rights by mistake from using them.
 */
export function createAuditSql(url: string, opts: { role?: string; max?: number; schema?: string } = {}): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => undefined,
    connection: {
      search_path: opts.schema ?? AUDIT_SCHEMA,
      application_name: 'tierline-audit',
      ...(opts.role ? { role: opts.role } : {}),
    },
    transform: { undefined: null },
  });
}
