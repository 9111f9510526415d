// Percentiles estimated from cumulative histogram buckets, as Prometheus' histogram_quantile does.
import t from 'tap';
import { latencyRows } from './admin-stats.ts';

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
