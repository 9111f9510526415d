import t from 'tap';
import {
  createLatencyHistogram, decodeHistogram, encodeHistogram, latencyHighestTrackableUs, mergeHistograms,
  percentileCurve, recordLatencyMs, summarizeLatency,
} from './histogram.ts';

t.test('summary is in milliseconds from microsecond recordings', async (t) => {
  const histogram = createLatencyHistogram();
  for (let value = 1; value <= 1_000; value += 1) recordLatencyMs(histogram, value / 10);
  const summary = summarizeLatency(histogram);
  t.equal(summary.count, 1_000);
  t.ok(Math.abs(summary.p50 - 50) <= 0.05, `p50 ${summary.p50}`);
  t.ok(Math.abs(summary.p99 - 99) <= 0.1, `p99 ${summary.p99}`);
  t.ok(Math.abs(summary.max - 100) <= 0.1, `max ${summary.max}`);
  t.ok(Math.abs(summary.mean - 50.05) <= 0.1, `mean ${summary.mean}`);
});

t.test('values beyond the top are clamped and still counted; negatives count as zero', async (t) => {
  const histogram = createLatencyHistogram();
  recordLatencyMs(histogram, 120_000);
  recordLatencyMs(histogram, -5);
  t.equal(histogram.totalCount, 2);
  t.ok(histogram.maxValue <= latencyHighestTrackableUs * 1.001);
});

t.test('histograms from several processes merge exactly through compressed base64', async (t) => {
  const first = createLatencyHistogram();
  const second = createLatencyHistogram();
  for (let value = 1; value <= 1_000; value += 1) recordLatencyMs(first, value);
  for (let value = 1_001; value <= 2_000; value += 1) recordLatencyMs(second, value);
  const encoded = encodeHistogram(second);
  t.type(encoded, 'string');
  t.equal(decodeHistogram(encoded).totalCount, 1_000);
  const merged = mergeHistograms([first, encoded]);
  const summary = summarizeLatency(merged);
  t.equal(summary.count, 2_000);
  t.ok(Math.abs(summary.p50 - 1_000) <= 1, `p50 ${summary.p50}`);
  t.ok(Math.abs(summary.max - 2_000) <= 2, `max ${summary.max}`);
  t.equal(first.totalCount, 1_000, 'inputs are left unchanged');
});

t.test('the percentile curve runs from 0 to 99.99 and never decreases', async (t) => {
  const histogram = createLatencyHistogram();
  for (let value = 1; value <= 10_000; value += 1) recordLatencyMs(histogram, value / 100);
  const curve = percentileCurve(histogram);
  t.equal(curve[0]?.percentile, 0);
  t.equal(curve.at(-1)?.percentile, 99.99);
  t.ok(curve.every((point, index) => index === 0 || point.ms >= (curve[index - 1]?.ms ?? 0)));
  t.same(percentileCurve(createLatencyHistogram()), [], 'an empty histogram has no curve');
});
