import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { call } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import { reportQuery, type GroupBy, type Period } from '../logic/reports.js';

/** GET /api/v1/reports/sla for a period ending now, in the browser's time zone; the last report stays shown while the next loads. */
export function useSlaReport(period: Period, groupBy: GroupBy) {
  const api = useApi();
  return useQuery({
    queryKey: ['reports', 'sla', period, groupBy],
    queryFn: ({ signal }) => {
      const query = reportQuery(period, groupBy, new Date(), Intl.DateTimeFormat().resolvedOptions().timeZone);
      return call(api.ticket.GET('/api/v1/reports/sla', { params: { query }, signal }));
    },
    placeholderData: keepPreviousData,
  });
}
