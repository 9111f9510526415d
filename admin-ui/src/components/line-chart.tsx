/**
 * A small SVG line chart (no chart library): several series over the same sample times, a zero-based
 * y-axis rounded up to a readable maximum, three grid lines, a time axis (the clock at the first, middle and
 * last sample) and a legend with each series' colour, name and last value. A chart whose every value is zero
 * says so in words instead of drawing a flat line.
 */
import { t } from '../i18n/i18n.ts';
export interface Series {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

const width = 480;
const height = 130;
const padLeft = 44;
const padBottom = 22;
const padTop = 8;

/** 1, 2 or 5 times a power of ten, at or above `value`. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function label(value: number): string {
  return value >= 1000 ? `${Math.round(value / 100) / 10}k` : String(Math.round(value * 100) / 100);
}

function clock(ms: number): string {
  const date = new Date(ms);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

/** The samples labelled on the time axis: the first and the last, and the middle one when there is room. */
function axisPoints(count: number): Array<readonly [number, 'start' | 'middle' | 'end']> {
  const points: Array<readonly [number, 'start' | 'middle' | 'end']> = [[0, 'start'], [count - 1, 'end']];
  if (count >= 5) points.splice(1, 0, [Math.floor((count - 1) / 2), 'middle']);
  return points;
}

interface LineChartProps {
  readonly title: string;
  readonly series: readonly Series[];
  /** The sample times (epoch ms) of the values, for the time axis. */
  readonly times?: readonly number[];
  readonly testId?: string | undefined;
}

export function LineChart({ title, series, times = [], testId }: LineChartProps) {
  const count = Math.max(0, ...series.map((item) => item.values.length));
  const allZero = count > 1 && series.every((item) => item.values.every((value) => value === 0));
  const top = niceMax(Math.max(0, ...series.flatMap((item) => item.values)));
  const x = (index: number): number => padLeft + (count <= 1 ? 0 : (index * (width - padLeft - 4)) / (count - 1));
  const y = (value: number): number => padTop + (1 - value / top) * (height - padTop - padBottom);
  return (
    <figure class="chart" data-testid={testId} data-all-zero={allZero}>
      <figcaption>{title}</figcaption>
      {allZero ? <p class="muted chart-zero">{t('sre.allZero', { seconds: Math.round(((times[times.length - 1] ?? 0) - (times[0] ?? 0)) / 1000) })}</p> : null}
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title} preserveAspectRatio="none">
        {[0, 0.5, 1].map((share) => (
          <g key={share}>
            <line x1={padLeft} x2={width} y1={y(top * share)} y2={y(top * share)} class="grid-line" />
            <text x={padLeft - 4} y={y(top * share) + 4} text-anchor="end" class="axis">{label(top * share)}</text>
          </g>
        ))}
        {count > 1 && times.length >= count ? axisPoints(count).map(([index, anchor]) => (
          <text key={`t${index}`} x={x(index)} y={height - 4} text-anchor={anchor} class="axis">{clock(times[index] ?? 0)}</text>
        )) : null}
        {series.map((item) => (
          <polyline key={item.name} fill="none" stroke={item.color} stroke-width="2" stroke-linejoin="round"
            points={item.values.map((value, index) => `${x(index).toFixed(1)},${y(value).toFixed(1)}`).join(' ')} />
        ))}
      </svg>
      <div class="legend">
        {series.map((item) => (
          <span key={item.name}><i style={{ background: item.color }} aria-hidden="true" />{item.name}: {label(item.values[item.values.length - 1] ?? 0)}</span>
        ))}
      </div>
    </figure>
  );
}

/** Horizontal bars of p50 / p95 / p99 for one row, scaled to `maxMs`. */
export function LatencyBars({ p50, p95, p99, maxMs }: { readonly p50: number; readonly p95: number; readonly p99: number; readonly maxMs: number }) {
  const scale = (value: number): number => Math.max(1, (value / Math.max(maxMs, 0.001)) * 200);
  return (
    <svg viewBox="0 0 200 14" class="bars" aria-hidden="true" preserveAspectRatio="none">
      <rect x="0" y="0" width={scale(p99)} height="14" class="bar-p99" />
      <rect x="0" y="0" width={scale(p95)} height="14" class="bar-p95" />
      <rect x="0" y="0" width={scale(p50)} height="14" class="bar-p50" />
    </svg>
  );
}
