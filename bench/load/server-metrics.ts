// The server's own view, scraped from its Prometheus `/metrics` (BENCH.md rule 3: event-loop delay of the
// engine thread). A scrape samples and resets the server's event-loop histogram, so a scenario scrapes once
// just before its measured window (to reset) and once right after: the second scrape's
// `cd_event_loop_delay_seconds` quantiles and `cd_event_loop_utilization` cover exactly the window. Counters
// and histograms are cumulative: the window's share is the difference of the two scrapes. Histogram
// quantiles are bucket upper bounds (Prometheus resolution), labelled as such.
// Bounds: `scrapeTimeoutMs` per scrape; `metricLinesMax` lines parsed.

import { request } from 'undici';

export const scrapeTimeoutMs = 10_000;
export const metricLinesMax = 20_000;

export type MetricSamples = ReadonlyMap<string, number>;

interface ParsedName {
  readonly name: string;
  readonly labels: ReadonlyMap<string, string>;
}

function parseSampleName(key: string): ParsedName {
  const brace = key.indexOf('{');
  if (brace === -1) return { name: key, labels: new Map() };
  const labels = new Map<string, string>();
  for (const match of key.slice(brace + 1, -1).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels.set(match[1] ?? '', match[2] ?? '');
  return { name: key.slice(0, brace), labels };
}

export function parseMetrics(text: string): MetricSamples {
  const samples = new Map<string, number>();
  for (const line of text.split('\n').slice(0, metricLinesMax)) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    const value = Number(line.slice(space + 1));
    if (space > 0 && Number.isFinite(value)) samples.set(line.slice(0, space), value);
  }
  return samples;
}

export async function scrapeMetrics(baseUrl: string): Promise<MetricSamples> {
  const response = await request(`${baseUrl}/metrics`, { headersTimeout: scrapeTimeoutMs, bodyTimeout: scrapeTimeoutMs });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`/metrics answered ${response.statusCode}`);
  return parseMetrics(text);
}

/** Sum of a counter or gauge over all its label sets, or over those whose `label` equals `value`. */
export function sumOf(samples: MetricSamples, name: string, where?: { readonly label: string; readonly value: string }): number {
  let total = 0;
  for (const [key, value] of samples) {
    const parsed = parseSampleName(key);
    if (parsed.name !== name) continue;
    if (where !== undefined && parsed.labels.get(where.label) !== where.value) continue;
    total += value;
  }
  return total;
}

/** Counter totals grouped by one label, as the difference between two scrapes. */
export function deltaByLabel(before: MetricSamples, after: MetricSamples, name: string, label: string): { [value: string]: number } {
  const totals: { [value: string]: number } = {};
  for (const [key, value] of after) {
    const parsed = parseSampleName(key);
    if (parsed.name !== name) continue;
    const group = parsed.labels.get(label) ?? '';
    const delta = value - (before.get(key) ?? 0);
    if (delta !== 0) totals[group] = (totals[group] ?? 0) + delta;
  }
  return totals;
}

export interface BucketQuantiles {
  readonly count: number;
  readonly meanMs: number;
  /** Upper bounds of the buckets holding these quantiles, in ms (Infinity when beyond the last bucket). */
  readonly p50UpToMs: number;
  readonly p99UpToMs: number;
  readonly p999UpToMs: number;
}

/**
 * Quantiles of a Prometheus histogram (in seconds) over the window between two scrapes, all labels merged, or
 * only the series whose `label` equals `value`.
 */
export function histogramWindow(before: MetricSamples, after: MetricSamples, name: string, where?: { readonly label: string; readonly value: string }): BucketQuantiles {
  const byBound = new Map<number, number>();
  for (const [key, value] of after) {
    const parsed = parseSampleName(key);
    if (parsed.name !== `${name}_bucket`) continue;
    if (where !== undefined && parsed.labels.get(where.label) !== where.value) continue;
    const bound = parsed.labels.get('le');
    if (bound === undefined) continue;
    const upper = bound === '+Inf' ? Infinity : Number(bound);
    byBound.set(upper, (byBound.get(upper) ?? 0) + value - (before.get(key) ?? 0));
  }
  const count = sumOf(after, `${name}_count`, where) - sumOf(before, `${name}_count`, where);
  const sumSeconds = sumOf(after, `${name}_sum`, where) - sumOf(before, `${name}_sum`, where);
  const bounds = [...byBound.keys()].sort((a, b) => a - b);
  const quantile = (q: number): number => {
    for (const bound of bounds) if ((byBound.get(bound) ?? 0) >= q * count) return bound * 1000;
    return Infinity;
  };
  const round = (ms: number): number => (Number.isFinite(ms) ? Math.round(ms * 1000) / 1000 : ms);
  return {
    count,
    meanMs: count > 0 ? Math.round((sumSeconds / count) * 1e6) / 1000 : 0,
    p50UpToMs: round(quantile(0.5)),
    p99UpToMs: round(quantile(0.99)),
    p999UpToMs: round(quantile(0.999)),
  };
}

export interface ServerEventLoop {
  /** monitorEventLoopDelay at 10 ms resolution: each sample includes the 10 ms period itself. */
  readonly delayP50Ms: number;
  readonly delayP99Ms: number;
  readonly delayP999Ms: number;
  readonly delayMaxMs: number;
  readonly utilization: number;
}

export function eventLoopOf(samples: MetricSamples): ServerEventLoop {
  const stat = (label: string): number => {
    for (const [key, value] of samples) {
      const parsed = parseSampleName(key);
      if (parsed.name === 'cd_event_loop_delay_seconds' && parsed.labels.get('stat') === label) return Math.round(value * 1e6) / 1000;
    }
    return Number.NaN;
  };
  return {
    delayP50Ms: stat('p50'),
    delayP99Ms: stat('p99'),
    delayP999Ms: stat('p999'),
    delayMaxMs: stat('max'),
    utilization: Math.round(sumOf(samples, 'cd_event_loop_utilization') * 1000) / 1000,
  };
}
