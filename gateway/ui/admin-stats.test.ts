// Percentiles estimated from cumulative histogram buckets, as Prometheus' histogram_quantile does.
import t from 'tap';
import { httpOutcome, latencyRows, methodRows, wsOutcome } from './admin-stats.ts';

const bucket = (le: string, value: number, operation = 'op') => ({ metricName: 'x_bucket', labels: { le, operation }, value });

t.test('interpolates inside the bucket that holds the rank, per label value', async (t) => {
  const samples = [
    bucket('0.001', 50), bucket('0.01', 90), bucket('0.1', 100), bucket('+Inf', 100),
    { metricName: 'x_count', labels: { operation: 'op' }, value: 100 },
    bucket('0.001', 0, 'idle'), bucket('+Inf', 0, 'idle'), { metricName: 'x_count', labels: { operation: 'idle' }, value: 0 },
  ];
  const rows = latencyRows(samples, 'operation');
  t.equal(rows.length, 1, 'an operation never called is left out');
  t.match(rows[0], { name: 'op', count: 100, p50Ms: 1 });
  t.equal(rows[0]?.p95Ms, 55, 'halfway through the 10..100 ms bucket');
  t.equal(rows[0]?.p99Ms, 91);
});

t.test('past the last finite bucket it reports that bound', async (t) => {
  const rows = latencyRows([bucket('0.5', 1), bucket('+Inf', 10), { metricName: 'x_count', labels: { operation: 'op' }, value: 10 }], 'operation');
  t.equal(rows[0]?.p99Ms, 500);
});

t.test('per method: failures counted from the request counter, and a name the histogram never timed still listed', async (t) => {
  const latency = [{ name: 'registerCall', count: 8, p50Ms: 2, p95Ms: 4, p99Ms: 5 }, { name: 'getBoard', count: 3, p50Ms: 1, p95Ms: 1, p99Ms: 1 }];
  const counter = [
    { labels: { operation: 'registerCall', status: '400' }, value: 5 },
    { labels: { operation: 'registerCall', status: '503' }, value: 3 },
    { labels: { operation: 'getBoard', status: '200' }, value: 3 },
    { labels: { operation: 'importCsv', status: '413' }, value: 2 },
  ];
  const rows = methodRows(latency, counter, 'operation', 'status', httpOutcome);
  t.same(rows.map((row) => [row.name, row.count, row.errors, row.serverErrors]), [
    ['registerCall', 8, 8, 3], ['getBoard', 3, 0, 0], ['importCsv', 2, 2, 0],
  ], 'a method whose 8 requests all failed says so, and which of them were the server');
  t.equal(rows[2]?.p99Ms, null, 'no percentile is made up for requests that were never timed');
  const ws = methodRows([], [{ labels: { command: 'HoldSlot', outcome: 'ok' }, value: 4 }, { labels: { command: 'HoldSlot', outcome: 'rejected' }, value: 1 }, { labels: { command: 'HoldSlot', outcome: 'error' }, value: 1 }], 'command', 'outcome', wsOutcome);
  t.match(ws[0], { name: 'HoldSlot', count: 6, errors: 2, serverErrors: 1 }, 'socket outcomes: rejected is a failure, error is the server');
});
