/**
 * The results table of `npm run bench`: each figure with the baseline it is compared to, the ratio,
 * the target of issue #7 and whether it was met. Pure, so the judgement is unit-tested.
 */
export type Unit = '/s' | 'ms' | 'MiB' | 'rows';

/** A rate that must reach a share of its baseline, or a figure that must stay at or under a limit. */
export type Target = { kind: 'min_ratio'; ratio: number } | { kind: 'max'; value: number };

export interface Row {
  name: string;
  value: number;
  unit: Unit;
  baseline?: { name: string; value: number };
  target?: Target;
}

export interface Judged extends Row {
  ratio: number | null;
  /** null when the row has no target. */
  met: boolean | null;
  /** For a missed target: by how much, in words. */
  missedBy: string | null;
}

export function judge(row: Row): Judged {
  const ratio = row.baseline && row.baseline.value > 0 ? row.value / row.baseline.value : null;
  if (!row.target) return { ...row, ratio, met: null, missedBy: null };
  if (row.target.kind === 'min_ratio') {
    if (ratio === null) throw new Error(`${row.name}: a ratio target needs a baseline with a positive value`);
    const met = ratio >= row.target.ratio;
    return { ...row, ratio, met, missedBy: met ? null : `${pct(ratio)} of the baseline instead of ${pct(row.target.ratio)} (${pct(row.target.ratio - ratio)} short)` };
  }
  const met = row.value <= row.target.value;
  return {
    ...row,
    ratio,
    met,
    missedBy: met ? null : `${fmt(row.value - row.target.value, row.unit)} over (${(row.value / row.target.value).toFixed(1)} × the limit of ${fmt(row.target.value, row.unit)})`,
  };
}

const pct = (r: number) => `${Math.round(r * 100)} %`;

export function fmt(value: number, unit: Unit): string {
  if (unit === 'ms') return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
  if (unit === '/s') return `${value >= 100 ? Math.round(value) : value.toFixed(1)} /s`;
  if (unit === 'MiB') return `${value.toFixed(1)} MiB`;
  return `${Math.round(value).toLocaleString('en-US')}`;
}

function targetText(t: Target, unit: Unit): string {
  return t.kind === 'min_ratio' ? `≥ ${pct(t.ratio)} of baseline` : `≤ ${fmt(t.value, unit)}`;
}

export function renderTable(rows: readonly Row[]): string {
  const judged = rows.map(judge);
  const lines = [
    '| benchmark | value | baseline | ratio | target | result |',
    '|---|---:|---|---:|---|---|',
    ...judged.map((r) =>
      [
        r.name,
        fmt(r.value, r.unit),
        r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value, r.unit)}` : '',
        r.ratio === null ? '' : r.ratio.toFixed(2),
        r.target ? targetText(r.target, r.unit) : '',
        r.met === null ? '' : r.met ? 'met' : `**missed** by ${r.missedBy}`,
      ].join(' | '),
    ).map((l) => `| ${l} |`),
  ];
  return lines.join('\n');
}

/** A plain-text version of the same table for the terminal. */
export function renderText(rows: readonly Row[]): string {
  const judged = rows.map(judge);
  const cells = judged.map((r) => [
    r.name,
    fmt(r.value, r.unit),
    r.baseline ? `${fmt(r.baseline.value, r.unit)}` : '',
    r.ratio === null ? '' : r.ratio.toFixed(2),
    r.target ? targetText(r.target, r.unit) : '',
    r.met === null ? '' : r.met ? 'met' : 'MISSED',
  ]);
  const head = ['benchmark', 'value', 'baseline', 'ratio', 'target', 'result'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), ...cells.map(line)].join('\n');
}

export function missed(rows: readonly Row[]): Judged[] {
  return rows.map(judge).filter((r) => r.met === false);
}
