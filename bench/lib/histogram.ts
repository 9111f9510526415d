// Latency histograms for the bench suite: one way to build them, record into them, summarise them, ship them
// between processes and merge them (BENCH.md rule 2).
//
// Values are recorded in microseconds, from 1 µs to 60 s at 3 significant digits; a value above the top is
// clamped to it (and so still counted) rather than growing the histogram. Summaries are in milliseconds.
// Histograms cross process boundaries as HdrHistogram's compressed base64 (the same format as the Java and C
// tools, so a result file can be re-analysed with them).

import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

export const latencyLowestDiscernibleUs = 1;
export const latencyHighestTrackableUs = 60_000_000;
export const latencySignificantDigits = 3;

/** How many histograms `mergeHistograms` accepts at once: one per load-generator process is the use. */
export const mergeInputsMax = 10_000;

/** Percentile summary of a latency histogram, in milliseconds (to the microsecond). */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

/** One point of a latency-by-percentile curve (the SVG plot and the JSON result use these). */
export interface PercentilePoint {
  readonly percentile: number;
  readonly ms: number;
}

export function createLatencyHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: latencyLowestDiscernibleUs,
    highestTrackableValue: latencyHighestTrackableUs,
    numberOfSignificantValueDigits: latencySignificantDigits,
  });
}

/** Records one latency given in milliseconds (fractions welcome); negative values count as zero. */
export function recordLatencyMs(histogram: Histogram, latencyMs: number): void {
  const microseconds = Math.round(latencyMs * 1000);
  histogram.recordValue(Math.min(latencyHighestTrackableUs, Math.max(0, microseconds)));
}

function usToMs(microseconds: number): number {
  // Three decimals in ms is the recording resolution (1 µs); more digits would only be noise.
  return Math.round(microseconds) / 1000;
}

export function summarizeLatency(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) {
    return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  }
  // A percentile is reported as the top of its bucket, which can lie a little above the exact maximum; clamp
  // so that a summary never shows p99.9 > max.
  const maxUs = histogram.maxValue;
  const at = (percentile: number): number => usToMs(Math.min(maxUs, histogram.getValueAtPercentile(percentile)));
  return {
    count,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: usToMs(maxUs),
    mean: usToMs(histogram.mean),
  };
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded);
}

/**
 * Merges histograms (objects, or encoded strings from other processes) into a new latency histogram; the
 * inputs are left unchanged. Merging is exact: counts add, percentiles are those of the union.
 */
export function mergeHistograms(inputs: ReadonlyArray<Histogram | string>): Histogram {
  if (inputs.length > mergeInputsMax) {
    throw new RangeError(`mergeHistograms: ${inputs.length} inputs, at most ${mergeInputsMax}; merge in stages`);
  }
  const merged = createLatencyHistogram();
  for (const input of inputs) {
    merged.add(typeof input === 'string' ? decodeHistogram(input) : input);
  }
  return merged;
}

/** Percentiles from 0 to 99.99 spaced evenly on the -log10(1 - p) axis that the plot uses. */
export const curveTopPercentile = 99.99;
export const curveStepsPerDecade = 20;

/** x position of a percentile on the plot's axis: 0 → 0, 90 → 1, 99 → 2, 99.9 → 3, 99.99 → 4. */
export function percentileToAxis(percentile: number): number {
  return -Math.log10(1 - Math.min(percentile, curveTopPercentile) / 100);
}

export function percentileCurve(histogram: Histogram): PercentilePoint[] {
  const points: PercentilePoint[] = [];
  if (histogram.totalCount === 0) return points;
  const top = percentileToAxis(curveTopPercentile);
  const steps = Math.round(top * curveStepsPerDecade);
  for (let step = 0; step <= steps; step += 1) {
    const percentile = Math.round((100 * (1 - 10 ** (-step / curveStepsPerDecade))) * 1e4) / 1e4;
    points.push({ percentile, ms: usToMs(Math.min(histogram.maxValue, histogram.getValueAtPercentile(percentile))) });
  }
  return points;
}
