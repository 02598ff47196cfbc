import { useMutation, useQuery } from '@tanstack/react-query';
import { call, download } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import { auditQuery, type Filters } from '../logic/audit.js';

export const AUDIT_PAGE_SIZE = 50;

/** One page of GET /api/v1/audit/events; '' is the first page's cursor. */
export function useAuditEvents(filters: Filters, cursor: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['audit', 'events', filters, cursor],
    queryFn: ({ signal }) =>
      call(api.audit.GET('/api/v1/audit/events', { params: { query: { ...auditQuery(filters), limit: AUDIT_PAGE_SIZE, ...(cursor ? { cursor } : {}) } }, signal })),
  });
}

/** POST /api/v1/audit/verify: checked when the page opens, and again on request. */
export function useAuditVerification() {
  const api = useApi();
  return useQuery({
    queryKey: ['audit', 'verify'],
    queryFn: ({ signal }) => call(api.audit.POST('/api/v1/audit/verify', { body: {}, signal })),
    staleTime: 0,
  });
}

/** GET /api/v1/audit/export as a file (the token goes in the header, which a plain link cannot send). */
export function useAuditExport() {
  const api = useApi();
  return useMutation({
    mutationFn: ({ filters, format }: { filters: Filters; format: 'jsonl' | 'csv' }) =>
      download(api.audit.GET('/api/v1/audit/export', { params: { query: { ...auditQuery(filters), format } }, parseAs: 'blob' })),
  });
}
