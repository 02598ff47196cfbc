import type { SlaWeek } from '../../../lib/api/types.js';
import { formatDuration, linePoints } from '../logic/reports.js';

const WIDTH = 420;
const HEIGHT = 120;
const PAD = { left: 8, right: 8, top: 12, bottom: 24 };

/**
 * One measure week by week as an SVG line (coordinates are attributes, so the CSP needs no
 * inline styles). The picture is for the eye: its label names the range and the highest value,
 * and the table below the charts, read by screen readers as any table, has every figure.
 */
function LineChart({ title, weeks, measure, format }: { title: string; weeks: SlaWeek[]; measure: (w: SlaWeek) => number | null; format: (v: number) => string }) {
  const { points, max, segments } = linePoints(weeks.map(measure), WIDTH, HEIGHT);
  const first = weeks[0]?.week ?? '';
  const last = weeks.at(-1)?.week ?? '';
  return (
    <figure className="chart" data-testid="weekly-chart">
      <figcaption className="chart__title">{title}</figcaption>
      <svg
        className="chart__svg"
        width={WIDTH + PAD.left + PAD.right}
        height={HEIGHT + PAD.top + PAD.bottom}
        role="img"
        aria-label={`${title}, weeks ${first} to ${last}, highest ${format(max)}. Every week's figure is in the table "Week by week".`}
      >
        <g transform={`translate(${PAD.left}, ${PAD.top})`}>
          <line className="chart__axis" x1={0} y1={HEIGHT} x2={WIDTH} y2={HEIGHT} />
          {segments.map((s) => (
            <polyline key={s} className="chart__line" points={s} />
          ))}
          {points.map((p) => (
            <circle key={p.index} className="chart__point" cx={p.x} cy={p.y} r={3} />
          ))}
          <text className="chart__label" x={0} y={HEIGHT + 18}>
            {first}
          </text>
          <text className="chart__label" x={WIDTH} y={HEIGHT + 18} textAnchor="end">
            {last}
          </text>
          <text className="chart__value" x={0} y={-2}>
            {format(max)}
          </text>
        </g>
      </svg>
    </figure>
  );
}

/** MTTA, MTTR and breaches per ISO week, as three line charts and the table they draw. */
export function WeeklyTrend({ weeks, timeZone, tableId }: { weeks: SlaWeek[]; timeZone: string; tableId: string }) {
  const duration = (v: number) => formatDuration(v);
  return (
    <section aria-labelledby={`${tableId}-title`} data-testid="weekly-trend">
      <h2 id={`${tableId}-title`}>Week by week</h2>
      <p className="hint">ISO weeks (Monday to Sunday) in {timeZone}, by the week each ticket was opened.</p>
      <div className="charts">
        <LineChart title="Mean time to acknowledge" weeks={weeks} measure={(w) => w.mttaMinutes} format={duration} />
        <LineChart title="Mean time to resolve" weeks={weeks} measure={(w) => w.mttrMinutes} format={duration} />
        <LineChart title="Tickets with a breach" weeks={weeks} measure={(w) => w.breached} format={(v) => String(v)} />
      </div>
      <div className="table-wrap">
          <table className="report" id={tableId} data-testid="weekly-table">
            <caption>Week by week</caption>
            <thead>
              <tr>
                <th scope="col">Week</th>
                <th scope="col">Tickets</th>
                <th scope="col">MTTA</th>
                <th scope="col">MTTR</th>
                <th scope="col">With a breach</th>
                <th scope="col">Response breaches</th>
                <th scope="col">Resolution breaches</th>
                <th scope="col">Vendor breaches</th>
              </tr>
            </thead>
            <tbody>
              {weeks.map((w) => (
                <tr key={w.week}>
                  <th scope="row">{w.week}</th>
                  <td>{w.tickets}</td>
                  <td>{formatDuration(w.mttaMinutes)}</td>
                  <td>{formatDuration(w.mttrMinutes)}</td>
                  <td>{w.breached}</td>
                  <td>{w.breachedResponse}</td>
                  <td>{w.breachedResolution}</td>
                  <td>{w.breachedVendor}</td>
                </tr>
              ))}
            </tbody>
          </table>
      </div>
    </section>
  );
}
