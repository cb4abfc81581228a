import { useEffect, useState } from 'react';
import { kilnApi } from '../api/client';
import { type Chart, inlineCharts, jsonArtifactDigests, reportCharts } from './charts';

const W = 300;
const H = 200;
const PAD = { l: 38, r: 10, t: 10, b: 30 };
const COLORS = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#ec4899'];
const fmt = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(2);

function LineChart({ chart }: { chart: Extract<Chart, { kind: 'line' }> }) {
  const all = chart.series.flatMap((s) => s.points);
  const [x0, x1] = chart.unit
    ? [0, 1]
    : [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const [y0, y1] = chart.unit
    ? [0, 1]
    : [Math.min(0, ...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  const sx = (x: number) => PAD.l + ((x - x0) / (x1 - x0 || 1)) * (W - PAD.l - PAD.r);
  const sy = (y: number) => H - PAD.b - ((y - y0) / (y1 - y0 || 1)) * (H - PAD.t - PAD.b);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={chart.title} className="chart">
      <title>{chart.title}</title>
      <line x1={PAD.l} y1={H - PAD.b} x2={W - PAD.r} y2={H - PAD.b} className="axis" />
      <line x1={PAD.l} y1={PAD.t} x2={PAD.l} y2={H - PAD.b} className="axis" />
      {[y0, y1].map((v) => (
        <text key={`y${v}`} x={PAD.l - 4} y={sy(v) + 4} textAnchor="end" className="tick">
          {fmt(v)}
        </text>
      ))}
      {[x0, x1].map((v) => (
        <text key={`x${v}`} x={sx(v)} y={H - PAD.b + 12} textAnchor="middle" className="tick">
          {fmt(v)}
        </text>
      ))}
      <text x={(PAD.l + W - PAD.r) / 2} y={H - 4} textAnchor="middle" className="axis-label">
        {chart.x}
      </text>
      <text
        x={10}
        y={(PAD.t + H - PAD.b) / 2}
        textAnchor="middle"
        className="axis-label"
        transform={`rotate(-90 10 ${(PAD.t + H - PAD.b) / 2})`}
      >
        {chart.y}
      </text>
      {chart.diagonal && <line x1={sx(0)} y1={sy(0)} x2={sx(1)} y2={sy(1)} className="reference" />}
      {chart.series.map((s, i) => (
        <polyline
          key={s.name}
          points={s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}
          fill="none"
          stroke={COLORS[i % COLORS.length]}
          strokeWidth={2}
        >
          <title>{s.name}</title>
        </polyline>
      ))}
      {chart.series.length > 1 &&
        chart.series.map((s, i) => (
          <text
            key={s.name}
            x={W - PAD.r}
            y={PAD.t + 10 + i * 12}
            textAnchor="end"
            className="tick"
            fill={COLORS[i % COLORS.length]}
          >
            {s.name}
          </text>
        ))}
    </svg>
  );
}

function MatrixChart({ chart }: { chart: Extract<Chart, { kind: 'matrix' }> }) {
  const k = chart.cells.length;
  const size = Math.min(48, 220 / Math.max(1, k));
  const max = Math.max(1, ...chart.cells.flat());
  const left = 60;
  const top = 24;
  const w = left + k * size + 10;
  const h = top + k * size + 24;
  return (
    <svg
      viewBox={`0 0 ${w} ${h}`}
      role="img"
      aria-label={chart.title}
      className="chart"
      style={{ maxWidth: w * 1.4 }}
    >
      <title>{chart.title}: rows are the true class, columns the predicted class</title>
      <text x={left + (k * size) / 2} y={12} textAnchor="middle" className="axis-label">
        predicted
      </text>
      {chart.cells.map((row, r) =>
        row.map((v, c) => (
          <g key={`${r}-${c}`}>
            <rect
              x={left + c * size}
              y={top + r * size}
              width={size - 2}
              height={size - 2}
              fill={r === c ? '#10b981' : '#ef4444'}
              fillOpacity={0.12 + 0.88 * (v / max)}
            >
              <title>{`true ${chart.labels[r] ?? r}, predicted ${chart.labels[c] ?? c}: ${v}`}</title>
            </rect>
            <text
              x={left + c * size + size / 2 - 1}
              y={top + r * size + size / 2 + 3}
              textAnchor="middle"
              className="cell"
            >
              {v}
            </text>
          </g>
        )),
      )}
      {chart.labels.map((l, i) => (
        <g key={l}>
          <text x={left - 4} y={top + i * size + size / 2 + 3} textAnchor="end" className="tick">
            {l}
          </text>
          <text x={left + i * size + size / 2} y={top + k * size + 10} textAnchor="middle" className="tick">
            {l}
          </text>
        </g>
      ))}
      <text x={4} y={top - 6} className="axis-label">
        true
      </text>
    </svg>
  );
}

function BarChart({ chart }: { chart: Extract<Chart, { kind: 'bars' }> }) {
  const max = Math.max(1e-12, ...chart.bars.map((b) => b.value));
  if (chart.horizontal) {
    const row = 16;
    const left = 110;
    const h = chart.bars.length * row + 8;
    return (
      <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-label={chart.title} className="chart">
        <title>{chart.title}</title>
        {chart.bars.map((b, i) => (
          <g key={`${b.label}-${i}`}>
            <text x={left - 4} y={i * row + 12} textAnchor="end" className="tick">
              {b.label.length > 18 ? `${b.label.slice(0, 17)}…` : b.label}
            </text>
            <rect
              x={left}
              y={i * row + 3}
              height={row - 4}
              width={Math.max(1, (b.value / max) * (W - left - 44))}
              fill={COLORS[0]}
            >
              <title>{`${b.label}: ${b.value}`}</title>
            </rect>
            <text x={left + (b.value / max) * (W - left - 44) + 3} y={i * row + 12} className="tick">
              {fmt(b.value)}
            </text>
          </g>
        ))}
      </svg>
    );
  }
  const bw = (W - PAD.l - PAD.r) / chart.bars.length;
  const sy = (v: number) => (v / max) * (H - PAD.t - PAD.b);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={chart.title} className="chart">
      <title>{chart.title}</title>
      <line x1={PAD.l} y1={H - PAD.b} x2={W - PAD.r} y2={H - PAD.b} className="axis" />
      <text x={PAD.l - 4} y={PAD.t + 8} textAnchor="end" className="tick">
        {fmt(max)}
      </text>
      {chart.bars.map((b, i) => (
        <rect
          key={i}
          x={PAD.l + i * bw + 0.5}
          y={H - PAD.b - sy(b.value)}
          width={Math.max(1, bw - 1)}
          height={sy(b.value)}
          fill={COLORS[0]}
        >
          <title>{`${b.label}: ${b.value}`}</title>
        </rect>
      ))}
      <text x={PAD.l} y={H - PAD.b + 12} className="tick">
        {chart.bars[0]?.label.split('–')[0]}
      </text>
      <text x={W - PAD.r} y={H - PAD.b + 12} textAnchor="end" className="tick">
        {chart.bars.at(-1)?.label.split('–').at(-1)}
      </text>
    </svg>
  );
}

function ChecksChart({ chart }: { chart: Extract<Chart, { kind: 'checks' }> }) {
  const passed = chart.checks.filter((c) => c.passed).length;
  return (
    <div role="group" aria-label={chart.title}>
      <p className="small">
        {passed} of {chart.checks.length} checks passed
      </p>
      <ul className="checks">
        {chart.checks.map((c, i) => (
          <li key={i} className={c.passed ? 'ok' : 'failed'}>
            <span aria-hidden="true">{c.passed ? '✓' : '✗'}</span> {c.name}
            {!c.passed && (
              <span className="muted small">
                {' '}
                — {c.failing}/{c.total}: {c.message}
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ChartView({ chart }: { chart: Chart }) {
  return (
    <figure className="chart-figure">
      <figcaption>{chart.title}</figcaption>
      {chart.kind === 'line' ? (
        <LineChart chart={chart} />
      ) : chart.kind === 'matrix' ? (
        <MatrixChart chart={chart} />
      ) : chart.kind === 'bars' ? (
        <BarChart chart={chart} />
      ) : (
        <ChecksChart chart={chart} />
      )}
    </figure>
  );
}

/** The charts of a node's outputs: inline dataset stats, and the JSON reports they refer to. */
export function NodeCharts({ outputs }: { outputs: unknown }) {
  const digests = jsonArtifactDigests(outputs).join(' ');
  const [fetched, setFetched] = useState<{ charts: Chart[]; error?: string }>({ charts: [] });
  useEffect(() => {
    let live = true;
    if (!digests) return;
    Promise.all(digests.split(' ').map((d) => kilnApi.artifactJson(d))).then(
      (reports) => live && setFetched({ charts: reports.flatMap(reportCharts) }),
      (err: Error) => live && setFetched({ charts: [], error: err.message }),
    );
    return () => {
      live = false;
    };
  }, [digests]);
  const charts = [...fetched.charts, ...inlineCharts(outputs)];
  if (!charts.length && !fetched.error) return null;
  return (
    <section aria-label="Charts" className="charts">
      <h3>Charts</h3>
      {fetched.error && (
        <p role="alert" className="error-text small">
          Could not load a report: {fetched.error}
        </p>
      )}
      {charts.map((c, i) => (
        <ChartView key={`${c.title}-${i}`} chart={c} />
      ))}
    </section>
  );
}
