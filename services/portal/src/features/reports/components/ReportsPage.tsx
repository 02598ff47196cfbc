import { useId, useState } from 'react';
import { QueryState } from '../../../components/ui.js';
import { useSlaReport } from '../api/sla-report.js';
import { PRIORITY_LABELS, siteLabel } from '../../../lib/labels.js';
import { bars, formatDuration, formatPercent, GROUP_BYS, PERIODS, type GroupBy, type Period, type SlaRow } from '../logic/reports.js';
import { PageHeading } from '../../../components/PageHeading.js';
import type { Priority } from '../../../lib/api/types.js';
import { errorMessage } from '../../../lib/query-client.js';
import { useSlaCsvExport, useSlaWeekly } from '../api/sla-export.js';
import { WeeklyTrend } from './WeeklyTrend.js';

const GROUP_LABELS: Record<GroupBy, string> = { priority: 'Priority', site: 'Site', vendor: 'Vendor', month: 'Month', week: 'Week' };

function keyLabel(groupBy: GroupBy, key: string): string {
  if (groupBy === 'priority') return PRIORITY_LABELS[key as Priority] ?? key;
  if (groupBy === 'site') return siteLabel(key);
  if (groupBy === 'vendor') return key === 'none' ? 'No vendor' : key;
  return key;
}

/**
 * A horizontal bar chart drawn in SVG (bar lengths are attributes, so the CSP needs no inline
 * styles). The numbers are in the table below it too: the chart is a picture of the table.
 */
function BarChart({ title, rows, groupBy, measure, format, max }: { title: string; rows: SlaRow[]; groupBy: GroupBy; measure: (r: SlaRow) => number | null; format: (v: number | null) => string; max?: number }) {
  const data = bars(rows, measure, max);
  const labelWidth = 150;
  const barWidth = 260;
  const rowHeight = 28;
  const height = Math.max(rowHeight, data.length * rowHeight);
  const summary = data.map((d) => `${keyLabel(groupBy, d.key)}: ${format(d.value)}`).join('; ');
  return (
    <figure className="chart">
      <figcaption className="chart__title">{title}</figcaption>
      <svg className="chart__svg" width={labelWidth + barWidth + 90} height={height} role="img" aria-label={`${title}. ${summary}`}>
        {data.map((d, i) => (
          <g key={d.key} transform={`translate(0, ${i * rowHeight})`}>
            <text className="chart__label" x={labelWidth - 8} y={rowHeight / 2} dominantBaseline="middle" textAnchor="end">
              {keyLabel(groupBy, d.key)}
            </text>
            <rect className="chart__track" x={labelWidth} y={6} width={barWidth} height={rowHeight - 12} rx={3} />
            <rect className="chart__bar" x={labelWidth} y={6} width={Math.round(barWidth * d.fraction)} height={rowHeight - 12} rx={3} />
            <text className="chart__value" x={labelWidth + barWidth + 8} y={rowHeight / 2} dominantBaseline="middle">
              {format(d.value)}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

/**
 * The IT lead's (and auditor's) dashboard: service level over a period, grouped by priority,
 * site, vendor or month, from the ticket service's SLA report.
 */
export function ReportsPage() {
  const [period, setPeriod] = useState<Period>('90d');
  const [groupBy, setGroupBy] = useState<GroupBy>('priority');
  const query = useSlaReport(period, groupBy);
  const weekly = useSlaWeekly(period);
  const exporter = useSlaCsvExport();
  const [exportError, setExportError] = useState<string | null>(null);
  const periodId = useId();
  const groupId = useId();
  const weeklyId = useId();

  /** The report on screen as a CSV file, named by the server. */
  const exportCsv = async () => {
    try {
      const { blob, filename } = await exporter.mutateAsync({ period, groupBy });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename ?? `tierline-sla-by-${groupBy}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setExportError(null);
    } catch (err) {
      setExportError(errorMessage(err, 'The export failed. Please try again.'));
    }
  };

  return (
    <>
      <PageHeading>Service level</PageHeading>
      <p className="lead">How quickly tickets were acknowledged and resolved, how many missed a target, and how far they climbed. Times are from opening, on the wall clock.</p>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={periodId}>Period</label>
          <select id={periodId} value={period} onChange={(e) => setPeriod(e.target.value as Period)}>
            {(Object.keys(PERIODS) as Period[]).map((p) => (
              <option key={p} value={p}>
                {PERIODS[p]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={groupId}>Group by</label>
          <select id={groupId} value={groupBy} onChange={(e) => setGroupBy(e.target.value as GroupBy)}>
            {GROUP_BYS.map((g) => (
              <option key={g} value={g}>
                {GROUP_LABELS[g]}
              </option>
            ))}
          </select>
        </div>
        <div className="form__actions filters__export">
          <button type="button" className="button button--secondary" onClick={() => void exportCsv()} disabled={exporter.isPending}>
            Export CSV
          </button>
        </div>
      </form>
      {exportError && (
        <p className="notice notice--error" role="alert">
          {exportError}
        </p>
      )}
      <QueryState query={query} loading="Loading…" failed="The report could not be loaded.">
        {(report) => {
          const t = report.total;
          return (
        <>
          <dl className="stats" data-testid="sla-totals">
            <div>
              <dt>Tickets</dt>
              <dd>{t.tickets}</dd>
            </div>
            <div>
              <dt>Mean time to acknowledge</dt>
              <dd>{formatDuration(t.mttaMinutes)}</dd>
            </div>
            <div>
              <dt>Mean time to resolve</dt>
              <dd>{formatDuration(t.mttrMinutes)}</dd>
            </div>
            <div>
              <dt>Within every target</dt>
              <dd>{formatPercent(t.slaCompliancePercent)}</dd>
            </div>
            <div>
              <dt>Breaches (response / resolution / vendor)</dt>
              <dd>
                {t.breachedResponse} / {t.breachedResolution} / {t.breachedVendor}
              </dd>
            </div>
            <div>
              <dt>Escalations to tier 2 / tier 3</dt>
              <dd>
                {t.escalationsByTier.tier2} / {t.escalationsByTier.tier3}
              </dd>
            </div>
          </dl>
          {weekly.data && <WeeklyTrend weeks={weekly.data.weeks} timeZone={weekly.data.timeZone} tableId={weeklyId} />}
          {weekly.error && <p className="empty">The week-by-week trend could not be loaded.</p>}
          {report.rows.length === 0 ? (
            <p className="empty">No tickets were opened in this period.</p>
          ) : (
            <>
              <div className="charts">
                <BarChart title="Within every target" rows={report.rows} groupBy={groupBy} measure={(r) => r.slaCompliancePercent} format={formatPercent} max={100} />
                <BarChart title="Mean time to acknowledge" rows={report.rows} groupBy={groupBy} measure={(r) => r.mttaMinutes} format={formatDuration} />
                <BarChart title="Mean time to resolve" rows={report.rows} groupBy={groupBy} measure={(r) => r.mttrMinutes} format={formatDuration} />
                <BarChart title="Escalations to tier 3 (vendor)" rows={report.rows} groupBy={groupBy} measure={(r) => r.escalationsByTier.tier3} format={(v) => String(v ?? 0)} />
              </div>
              <div className="table-wrap">
                <table className="report" data-testid="sla-report">
                  <caption>Service level by {GROUP_LABELS[groupBy].toLowerCase()}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{GROUP_LABELS[groupBy]}</th>
                      <th scope="col">Tickets</th>
                      <th scope="col">MTTA</th>
                      <th scope="col">MTTR</th>
                      <th scope="col">Within every target</th>
                      <th scope="col">Response breaches</th>
                      <th scope="col">Resolution breaches</th>
                      <th scope="col">Vendor breaches</th>
                      <th scope="col">To tier 2</th>
                      <th scope="col">To tier 3</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.rows.map((r) => (
                      <tr key={r.key}>
                        <th scope="row">{keyLabel(groupBy, r.key)}</th>
                        <td>{r.tickets}</td>
                        <td>{formatDuration(r.mttaMinutes)}</td>
                        <td>{formatDuration(r.mttrMinutes)}</td>
                        <td>{formatPercent(r.slaCompliancePercent)}</td>
                        <td>{r.breachedResponse}</td>
                        <td>{r.breachedResolution}</td>
                        <td>{r.breachedVendor}</td>
                        <td>{r.escalationsByTier.tier2}</td>
                        <td>{r.escalationsByTier.tier3}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
          );
        }}
      </QueryState>
    </>
  );
}
