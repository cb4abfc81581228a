// A time-series line chart in the same SVG style as the run view's charts (`runs/Charts.tsx`: same
// classes, palette and proportions), with clock-time ticks, dashed series, point markers and
// singled-out points (drift), which those charts' numeric axes cannot show.
import { type ChartMark, ERROR_COLOR, type TimeSeries } from './shaping';

const W = 480;
const H = 200;
const PAD = { l: 42, r: 12, t: 10, b: 24 };
export const PALETTE = [
  '#3b82f6',
  '#f59e0b',
  '#10b981',
  '#8b5cf6',
  '#ec4899',
  '#14b8a6',
  '#a16207',
  '#6366f1',
  '#84cc16',
  '#64748b',
];
const ERROR = '#e04848';
export const colorOf = (i: number) => (i === ERROR_COLOR ? ERROR : PALETTE[i % PALETTE.length]!);

/** 1, 2 or 5 times a power of ten, at least `v`. */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * p >= v - 1e-12) ?? 10) * p;
}

const fmtY = (v: number) =>
  v === 0
    ? '0'
    : Math.abs(v) >= 100
      ? v.toFixed(0)
      : Math.abs(v) >= 1
        ? String(+v.toFixed(1))
        : String(+v.toFixed(3));

const STEPS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400].map(
  (s) => s * 1000,
);

/** Round clock times for the x axis: the smallest step giving at most five ticks. */
export function timeTicks(x0: number, x1: number): { ticks: number[]; step: number } {
  const step = STEPS.find((s) => (x1 - x0) / s <= 5) ?? Math.ceil((x1 - x0) / 5 / 86_400_000) * 86_400_000;
  const ticks: number[] = [];
  for (let t = Math.ceil(x0 / step) * step; t <= x1; t += step) ticks.push(t);
  return { ticks, step };
}

export function TimeChart({
  title,
  unit,
  series,
  marks = [],
  empty,
  markLegend,
  domain,
}: {
  title: string;
  /** The y axis label. */
  unit: string;
  series: TimeSeries[];
  marks?: ChartMark[];
  /** Said instead of the chart when there is nothing to draw. */
  empty: string;
  markLegend?: string;
  /** The time range to show (ms); by default the data's, at least a minute. */
  domain?: [number, number];
}) {
  const drawn = series.filter((s) => s.points.length > 0);
  if (!drawn.length)
    return (
      <figure className="chart-figure time-chart">
        <figcaption>{title}</figcaption>
        <p className="muted small chart-empty">{empty}</p>
      </figure>
    );
  const ts = drawn.flatMap((s) => s.points.map((p) => p.t));
  let [x0, x1] = domain ?? [Math.min(...ts), Math.max(...ts)];
  if (x1 - x0 < 60_000) {
    x0 -= 30_000;
    x1 += 30_000;
  }
  const y1 = niceCeil(Math.max(...drawn.flatMap((s) => s.points.map((p) => p.y)), ...marks.map((m) => m.y)));
  const sx = (t: number) => PAD.l + ((t - x0) / (x1 - x0)) * (W - PAD.l - PAD.r);
  const sy = (y: number) => H - PAD.b - (y / y1) * (H - PAD.t - PAD.b);
  const { ticks: xTicks, step } = timeTicks(x0, x1);
  const clock = (t: number, withSeconds = step < 60_000) =>
    new Date(t).toLocaleTimeString([], {
      hour: '2-digit',
      minute: '2-digit',
      ...(withSeconds ? { second: '2-digit' } : {}),
      ...(x1 - x0 > 86_400_000 ? { month: 'short', day: 'numeric' } : {}),
    });
  const yTicks = [0, y1 / 2, y1];
  return (
    <figure className="chart-figure time-chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} className="chart">
        <title>{title}</title>
        {yTicks.map((v) => (
          <g key={`y${v}`}>
            <line x1={PAD.l} x2={W - PAD.r} y1={sy(v)} y2={sy(v)} className={v === 0 ? 'axis' : 'grid'} />
            <text x={PAD.l - 4} y={sy(v) + 3} textAnchor="end" className="tick">
              {fmtY(v)}
            </text>
          </g>
        ))}
        <line x1={PAD.l} y1={PAD.t} x2={PAD.l} y2={H - PAD.b} className="axis" />
        {xTicks.map((t) => (
          <g key={`x${t}`}>
            <line x1={sx(t)} x2={sx(t)} y1={H - PAD.b} y2={H - PAD.b + 3} className="axis" />
            <text
              x={Math.min(W - PAD.r - 18, Math.max(PAD.l + 18, sx(t)))}
              y={H - PAD.b + 13}
              textAnchor="middle"
              className="tick"
            >
              {clock(t)}
            </text>
          </g>
        ))}
        <text
          x={10}
          y={(PAD.t + H - PAD.b) / 2}
          textAnchor="middle"
          className="axis-label"
          transform={`rotate(-90 10 ${(PAD.t + H - PAD.b) / 2})`}
        >
          {unit}
        </text>
        {drawn.map((s) => (
          <g key={s.name}>
            {s.points.length > 1 && (
              <polyline
                points={s.points.map((p) => `${sx(p.t).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}
                fill="none"
                stroke={colorOf(s.color)}
                strokeWidth={2}
                strokeDasharray={s.dashed ? '5 3' : undefined}
              >
                <title>{s.name}</title>
              </polyline>
            )}
            {s.points.map((p) => (
              <circle key={p.t} cx={sx(p.t)} cy={sy(p.y)} r={2.5} fill={colorOf(s.color)}>
                <title>{`${s.name} at ${clock(p.t, true)}: ${fmtY(p.y)}`}</title>
              </circle>
            ))}
          </g>
        ))}
        {marks.map((m, i) => (
          <circle
            key={`m${i}`}
            cx={sx(m.t)}
            cy={sy(m.y)}
            r={5.5}
            fill="none"
            stroke={ERROR}
            strokeWidth={2}
            className="chart-mark"
          >
            <title>{`${m.label} at ${clock(m.t, true)}`}</title>
          </circle>
        ))}
      </svg>
      <ul className="chart-legend" aria-label={`${title} legend`}>
        {drawn.map((s) => (
          <li key={s.name}>
            <svg width="18" height="8" aria-hidden="true">
              <line
                x1="1"
                y1="4"
                x2="17"
                y2="4"
                stroke={colorOf(s.color)}
                strokeWidth="2"
                strokeDasharray={s.dashed ? '4 2' : undefined}
              />
            </svg>
            {s.name}
          </li>
        ))}
        {marks.length > 0 && (
          <li>
            <svg width="18" height="12" aria-hidden="true">
              <circle cx="9" cy="6" r="4.5" fill="none" stroke={ERROR} strokeWidth="2" />
            </svg>
            {markLegend ?? 'marked'}
          </li>
        )}
      </ul>
    </figure>
  );
}
