// Hand-written SVG of latency by percentile, one line per series (BENCH.md rule 4: "a latency plot").
//
// The x axis is -log10(1 - p): 0, 90, 99, 99.9 and 99.99 are evenly spaced, so the tail gets as much room as
// the body. The y axis is linear, or logarithmic when the series span more than `logScaleSpanMin` (ours
// against a Postgres baseline easily differs 100x, and a linear axis would flatten ours onto zero).
// At most `seriesMax` series and `pointsPerSeriesMax` points each, so the file stays small.

import { curveTopPercentile, percentileToAxis } from './histogram.ts';
import type { PercentilePoint } from './histogram.ts';

export const seriesMax = 12;
export const pointsPerSeriesMax = 1_000;
export const logScaleSpanMin = 100;
const smallestPlottedMs = 0.001;

export type PlotRole = 'ours' | 'baseline' | 'floor';

export interface PlotSeries {
  readonly name: string;
  readonly role: PlotRole;
  readonly curve: readonly PercentilePoint[];
}

const widthPx = 880;
const heightPx = 480;
const marginLeftPx = 72;
const marginRightPx = 200;
const marginTopPx = 44;
const marginBottomPx = 52;
const plotWidthPx = widthPx - marginLeftPx - marginRightPx;
const plotHeightPx = heightPx - marginTopPx - marginBottomPx;
const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf',
  '#7f7f7f', '#bcbd22', '#393b79', '#637939'] as const;
const dashByRole: Record<PlotRole, string> = { ours: '', baseline: '7 4', floor: '2 3' };
const xTickPercentiles = [0, 50, 90, 99, 99.9, 99.99] as const;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

function formatMs(ms: number): string {
  if (ms >= 1000) return `${Math.round(ms / 100) / 10} s`;
  if (ms >= 1) return `${Number(ms.toPrecision(3))}`;
  return `${Number(ms.toPrecision(2))}`;
}

interface YScale {
  readonly log: boolean;
  readonly toPx: (ms: number) => number;
  readonly ticks: readonly number[];
}

/** `values` set the top; `bodyValues` (p50 and up) the bottom, so one tiny minimum cannot add decades. */
function yScaleFor(values: readonly number[], bodyValues: readonly number[]): YScale {
  const maxMs = Math.max(smallestPlottedMs, ...values);
  const positive = bodyValues.filter((value) => value > 0);
  const minMs = positive.length > 0 ? Math.max(smallestPlottedMs, Math.min(...positive)) : smallestPlottedMs;
  if (maxMs / minMs > logScaleSpanMin) {
    const lowPower = Math.floor(Math.log10(minMs));
    const highPower = Math.max(lowPower + 1, Math.ceil(Math.log10(maxMs)));
    const ticks: number[] = [];
    for (let power = lowPower; power <= highPower; power += 1) ticks.push(10 ** power);
    const toPx = (ms: number): number => {
      const clamped = Math.max(10 ** lowPower, ms);
      const share = (Math.log10(clamped) - lowPower) / (highPower - lowPower);
      return marginTopPx + plotHeightPx * (1 - share);
    };
    return { log: true, toPx, ticks };
  }
  const step = niceStep(maxMs / 5);
  const topMs = Math.ceil(maxMs / step) * step;
  const ticks: number[] = [];
  for (let index = 0; index * step <= topMs + step / 2; index += 1) ticks.push(index * step);
  return { log: false, toPx: (ms) => marginTopPx + plotHeightPx * (1 - ms / topMs), ticks };
}

function xToPx(percentile: number): number {
  return marginLeftPx + (plotWidthPx * percentileToAxis(percentile)) / percentileToAxis(curveTopPercentile);
}

function axes(scale: YScale): string[] {
  const parts: string[] = [];
  const bottomPx = marginTopPx + plotHeightPx;
  for (const percentile of xTickPercentiles) {
    const x = xToPx(percentile).toFixed(1);
    parts.push(`<line x1="${x}" y1="${marginTopPx}" x2="${x}" y2="${bottomPx}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${x}" y="${bottomPx + 18}" text-anchor="middle">${percentile}</text>`);
  }
  for (const tick of scale.ticks) {
    const y = scale.toPx(tick).toFixed(1);
    parts.push(`<line x1="${marginLeftPx}" y1="${y}" x2="${marginLeftPx + plotWidthPx}" y2="${y}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${marginLeftPx - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatMs(tick)}</text>`);
  }
  parts.push(`<rect x="${marginLeftPx}" y="${marginTopPx}" width="${plotWidthPx}" height="${plotHeightPx}" fill="none" stroke="#444"/>`);
  parts.push(`<text x="${marginLeftPx + plotWidthPx / 2}" y="${heightPx - 10}" text-anchor="middle">percentile</text>`);
  const yLabel = scale.log ? 'latency, ms (log scale)' : 'latency, ms';
  parts.push(`<text transform="translate(16 ${marginTopPx + plotHeightPx / 2}) rotate(-90)" text-anchor="middle">${yLabel}</text>`);
  return parts;
}

/** Renders the series as a standalone SVG document (no external fonts, styles or scripts). */
export function renderPercentilePlot(title: string, series: readonly PlotSeries[]): string {
  if (series.length > seriesMax) {
    throw new RangeError(`percentile plot: ${series.length} series, at most ${seriesMax}; plot fewer per file`);
  }
  const shown = series.map((entry) => ({ ...entry, curve: entry.curve.slice(0, pointsPerSeriesMax) }));
  const points = shown.flatMap((entry) => entry.curve);
  const scale = yScaleFor(points.map((point) => point.ms),
    points.filter((point) => point.percentile >= 50).map((point) => point.ms));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${widthPx} ${heightPx}" font-family="sans-serif" font-size="12">`,
    `<rect width="${widthPx}" height="${heightPx}" fill="#fff"/>`,
    `<text x="${marginLeftPx}" y="26" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    ...axes(scale),
  ];
  shown.forEach((entry, index) => {
    const color = palette[index % palette.length] ?? '#000';
    const dash = dashByRole[entry.role];
    const points = entry.curve
      .map((point) => `${xToPx(point.percentile).toFixed(1)},${scale.toPx(point.ms).toFixed(1)}`)
      .join(' ');
    const dashAttribute = dash === '' ? '' : ` stroke-dasharray="${dash}"`;
    if (points !== '') {
      parts.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2"${dashAttribute}/>`);
    }
    const legendY = marginTopPx + 10 + index * 20;
    const legendX = marginLeftPx + plotWidthPx + 16;
    parts.push(`<line x1="${legendX}" y1="${legendY}" x2="${legendX + 24}" y2="${legendY}" stroke="${color}" stroke-width="2"${dashAttribute}/>`);
    parts.push(`<text x="${legendX + 30}" y="${legendY}" dominant-baseline="middle">${escapeXml(`${entry.name} (${entry.role})`)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
