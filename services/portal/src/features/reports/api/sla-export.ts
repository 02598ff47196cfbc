import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { call, download } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import { reportQuery, weeklyQuery, type GroupBy, type Period } from '../logic/reports.js';

const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** GET /api/v1/reports/sla.csv as a file: the report on screen, same period and grouping (the token goes in the header, which a plain link cannot send). */
export function useSlaCsvExport() {
  const api = useApi();
  return useMutation({
    mutationFn: ({ period, groupBy }: { period: Period; groupBy: GroupBy }) =>
      download(api.ticket.GET('/api/v1/reports/sla.csv', { params: { query: reportQuery(period, groupBy, new Date(), browserTimeZone()) }, parseAs: 'blob' })),
  });
}

/** GET /api/v1/reports/sla/weekly: MTTA, MTTR and breaches per ISO week of the period, in the viewer's (the clinic's) time zone. */
export function useSlaWeekly(period: Period) {
  const api = useApi();
  return useQuery({
    queryKey: ['reports', 'sla', 'weekly', period],
    queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/reports/sla/weekly', { params: { query: weeklyQuery(period, new Date(), browserTimeZone()) }, signal })),
    placeholderData: keepPreviousData,
  });
}
