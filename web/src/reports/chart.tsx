import { useId } from 'react';

/** One line or set of bars of a chart: a label and a value per period (null: nothing to show). */
export interface Series {
  readonly label: string;
  readonly values: readonly (number | null)[];
  /** `bar` series are drawn side by side per period; `line` series over them. */
  readonly kind: 'bar' | 'line';
}

const WIDTH = 640;
const HEIGHT = 240;
const PAD = { top: 12, right: 12, bottom: 36, left: 44 };
/** Colours with ≥ 3:1 contrast on white (the legend's classes `chart-colour-N` repeat them), told apart by shape too. */
const COLOURS = ['#1f5fa8', '#b3541e', '#2e7d32', '#6a3d9a'];

const niceMax = (max: number) => {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil(max / step) * step;
};

/**
 * A chart drawn as plain SVG (no chart library: the dashboard's chunk stays small). The SVG is
 * an image with a title and a description for screen readers; the table below it carries the
 * same numbers, for everyone who prefers to read them.
 */
export function Chart(props: {
  title: string;
  description: string;
  labels: readonly string[];
  series: readonly Series[];
  unit?: string;
}) {
  const { title, description, labels, series, unit } = props;
  const id = useId();
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = niceMax(Math.max(0, ...all));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(1, labels.length);
  const bars = series.filter((s) => s.kind === 'bar');
  const barWidth = Math.max(1, (slot * 0.8) / Math.max(1, bars.length));
  const y = (value: number) => PAD.top + plotHeight - (value / max) * plotHeight;
  const x = (i: number) => PAD.left + slot * i + slot / 2;
  const every = Math.max(1, Math.ceil(labels.length / 8));
  const colourOf = (s: Series) => COLOURS[series.indexOf(s) % COLOURS.length];
  return (
    <figure className="chart">
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${id}-svg-title ${id}-desc`}
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={`${id}-svg-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line
              x1={PAD.left}
              x2={WIDTH - PAD.right}
              y1={y(max * f)}
              y2={y(max * f)}
              className="chart-grid"
            />
            <text x={PAD.left - 6} y={y(max * f) + 4} textAnchor="end" className="chart-axis">
              {Number((max * f).toFixed(max < 10 ? 1 : 0))}
            </text>
          </g>
        ))}
        {bars.map((s, n) =>
          s.values.map((value, i) =>
            value === null || value === 0 ? null : (
              <rect
                key={`${s.label}-${labels[i]}`}
                x={x(i) - (barWidth * bars.length) / 2 + n * barWidth}
                y={y(value)}
                width={barWidth}
                height={Math.max(0, y(0) - y(value))}
                fill={colourOf(s)}
              />
            ),
          ),
        )}
        {series
          .filter((s) => s.kind === 'line')
          .map((s, n) => {
            const points = s.values
              .map((value, i) => (value === null ? null : `${x(i)},${y(value)}`))
              .filter((p): p is string => p !== null);
            return (
              <polyline
                key={s.label}
                points={points.join(' ')}
                fill="none"
                stroke={colourOf(s)}
                strokeWidth={2.5}
                strokeDasharray={n % 2 === 1 ? '6 4' : undefined}
              />
            );
          })}
        {labels.map((label, i) =>
          i % every === 0 ? (
            <text
              key={label}
              x={x(i)}
              y={HEIGHT - PAD.bottom + 16}
              textAnchor="middle"
              className="chart-axis"
            >
              {label.slice(5)}
            </text>
          ) : null,
        )}
      </svg>
      <ul className="chart-legend">
        {series.map((s, n) => (
          <li key={s.label}>
            <span
              className={`chart-key chart-key-${s.kind} chart-colour-${n % COLOURS.length}`}
              aria-hidden="true"
            />
            {s.label}
            {unit ? ` (${unit})` : ''}
          </li>
        ))}
      </ul>
    </figure>
  );
}
