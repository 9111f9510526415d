/**
 * The SRE page (admin): live throughput and latency percentiles per socket command and per API method,
 * socket connections, event-loop delay, log commit latency and projector lag, polled from
 * GET /api/v1/admin/stats every `statsPollMs` and drawn as SVG charts. Throughput is the difference of the
 * counters between two polls; the last `statsSamplesMax` polls are kept.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/http.ts';
import { LatencyBars, LineChart } from '../components/line-chart.tsx';
import { t } from '../i18n/i18n.ts';

export const statsPollMs = 2_000;
export const statsSamplesMax = 90;

interface LatencyRow {
  readonly name: string;
  readonly count: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

interface Stats {
  readonly at: number;
  readonly http: readonly LatencyRow[];
  readonly ws: readonly LatencyRow[];
  readonly connections: number;
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly projectorLagEntries: number;
  readonly logCommitMs: { readonly p50: number; readonly p99: number };
}

const total = (rows: readonly LatencyRow[]): number => rows.reduce((sum, row) => sum + row.count, 0);

function ratePerSecond(samples: readonly Stats[], pick: (stats: Stats) => number): number[] {
  const rates: number[] = [];
  for (let index = 1; index < samples.length; index += 1) {
    const before = samples[index - 1] as Stats;
    const after = samples[index] as Stats;
    const seconds = Math.max(0.001, (after.at - before.at) / 1000);
    rates.push(Math.max(0, (pick(after) - pick(before)) / seconds));
  }
  return rates;
}

export function Sre() {
  const [samples, setSamples] = useState<readonly Stats[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    let stopped = false;
    const poll = (): void => {
      api<Stats>('GET', '/api/v1/admin/stats')
        .then((stats) => { if (!stopped) setSamples((previous) => [...previous, stats].slice(-statsSamplesMax)); })
        .catch((failure: Error) => setError(failure.message));
    };
    poll();
    const timer = setInterval(poll, statsPollMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  const last = samples[samples.length - 1];
  const before = samples[samples.length - 2];
  const rowRate = (rows: (stats: Stats) => readonly LatencyRow[], name: string): number => {
    if (last === undefined || before === undefined) return 0;
    const count = (stats: Stats): number => rows(stats).find((row) => row.name === name)?.count ?? 0;
    return Math.max(0, (count(last) - count(before)) / Math.max(0.001, (last.at - before.at) / 1000));
  };
  const table = (title: string, rows: readonly LatencyRow[], of: (stats: Stats) => readonly LatencyRow[]) => {
    const maxMs = Math.max(1, ...rows.map((row) => row.p99Ms));
    return (
      <section class="panel">
        <h2>{title}</h2>
        {rows.length === 0 ? <p class="muted">{t('sre.noData')}</p> : (
          <table class="grid compact">
            <thead><tr><th>{t('sre.name')}</th><th>{t('sre.count')}</th><th>{t('sre.rate')}</th><th>p50</th><th>p95</th><th>p99</th><th>{t('sre.latency')}</th></tr></thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.name}>
                  <td>{row.name}</td><td>{row.count}</td><td>{rowRate(of, row.name).toFixed(1)}</td>
                  <td>{row.p50Ms}</td><td>{row.p95Ms}</td><td>{row.p99Ms}</td>
                  <td><LatencyBars p50={row.p50Ms} p95={row.p95Ms} p99={row.p99Ms} maxMs={maxMs} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    );
  };
  return (
    <div class="sre" data-testid="sre">
      <h1>{t('sre.title')}</h1>
      {error === '' ? null : <p class="error">{t('app.error', { message: error })}</p>}
      <div class="charts">
        <LineChart title={t('sre.throughput')} testId="chart-throughput" series={[
          { name: t('sre.commands'), color: '#0b5cad', values: ratePerSecond(samples, (stats) => total(stats.ws)) },
          { name: t('sre.methods'), color: '#d9822b', values: ratePerSecond(samples, (stats) => total(stats.http)) },
        ]} />
        <LineChart title={t('sre.connections')} series={[{ name: t('sre.connections'), color: '#2e8540', values: samples.map((stats) => stats.connections) }]} />
        <LineChart title={t('sre.loopDelay')} series={[
          { name: 'p50', color: '#0b5cad', values: samples.map((stats) => stats.eventLoopDelayMs.p50) },
          { name: 'p99', color: '#c0392b', values: samples.map((stats) => stats.eventLoopDelayMs.p99) },
        ]} />
        <LineChart title={t('sre.commitLatency')} series={[{ name: 'p99', color: '#8e44ad', values: samples.map((stats) => stats.logCommitMs.p99) }]} />
        <LineChart title={t('sre.projectorLag')} series={[{ name: t('sre.projectorLag'), color: '#7f8c8d', values: samples.map((stats) => stats.projectorLagEntries) }]} />
      </div>
      {table(t('sre.commands'), last?.ws ?? [], (stats) => stats.ws)}
      {table(t('sre.methods'), last?.http ?? [], (stats) => stats.http)}
    </div>
  );
}
