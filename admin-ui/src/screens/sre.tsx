/**
 * The SRE page (admin): live throughput and latency percentiles per socket command and per API method,
 * socket connections, event-loop delay, log commit latency and projector lag, polled from
 * GET /api/v1/admin/stats every `statsPollMs` and drawn as SVG charts with a time axis and legends.
 * Throughput is the difference of the counters between polls; the last `statsSamplesMax` polls are kept.
 *
 * The tables give per name the total, the failed requests (and the server's own among them) with their
 * share, the rate over the last `rateWindowMs` (a two-second difference is mostly zero), and p50/p95/p99;
 * a name that was never timed shows "—", not a made-up latency. A chart whose series stayed at zero over
 * the whole window (projector lag without Postgres) says so in one line instead of drawing a flat chart.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/http.ts';
import { LatencyBars, LineChart, type Series } from '../components/line-chart.tsx';
import { t } from '../i18n/i18n.ts';

export const statsPollMs = 2_000;
export const statsSamplesMax = 90;
/** The rate column's window: long enough that a method called now and then does not read 0. */
export const rateWindowMs = 60_000;

interface MethodRow {
  readonly name: string;
  readonly count: number;
  readonly errors?: number;
  readonly serverErrors?: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
}

interface Stats {
  readonly at: number;
  readonly http: readonly MethodRow[];
  readonly ws: readonly MethodRow[];
  readonly connections: number;
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly projectorLagEntries: number;
  readonly logCommitMs: { readonly p50: number; readonly p99: number };
}

const total = (rows: readonly MethodRow[]): number => rows.reduce((sum, row) => sum + row.count, 0);
const totalErrors = (rows: readonly MethodRow[]): number => rows.reduce((sum, row) => sum + (row.errors ?? 0), 0);

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

const ms = (value: number | null): string => (value === null ? '—' : String(value));

export function Sre() {
  const [samples, setSamples] = useState<readonly Stats[]>([]);
  const [error, setError] = useState('');
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (paused) return undefined;
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
  }, [paused]);
  const last = samples[samples.length - 1];
  // The oldest sample inside the rate window (or the oldest kept) is the base of every rate column.
  const base = last === undefined ? undefined : samples.find((sample) => last.at - sample.at <= rateWindowMs && sample !== last);
  const rowRate = (rows: (stats: Stats) => readonly MethodRow[], name: string, pick: (row: MethodRow) => number): number => {
    if (last === undefined || base === undefined) return 0;
    const value = (stats: Stats): number => {
      const row = rows(stats).find((item) => item.name === name);
      return row === undefined ? 0 : pick(row);
    };
    return Math.max(0, (value(last) - value(base)) / Math.max(0.001, (last.at - base.at) / 1000));
  };
  const table = (title: string, rows: readonly MethodRow[], of: (stats: Stats) => readonly MethodRow[], testId: string) => {
    const maxMs = Math.max(1, ...rows.map((row) => row.p99Ms ?? 0));
    return (
      <section class="panel">
        <h2>{title}</h2>
        {rows.length === 0 ? <p class="muted">{t('sre.noData')}</p> : (
          <table class="grid compact sre-table" data-testid={testId}>
            <thead>
              <tr>
                <th>{t('sre.name')}</th><th class="num">{t('sre.count')}</th><th class="num">{t('sre.errors')}</th><th class="num">{t('sre.errorShare')}</th>
                <th class="num">{t('sre.ratePerWindow')}</th><th class="num">{t('sre.errorRate')}</th><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th><th>{t('sre.latency')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const errors = row.errors ?? 0;
                const share = row.count === 0 ? 0 : errors / row.count;
                return (
                  <tr key={row.name} class={share >= 0.5 ? 'failing' : errors > 0 ? 'some-errors' : ''} data-name={row.name} data-errors={errors} data-count={row.count}>
                    <td>{row.name}</td><td class="num">{row.count}</td>
                    <td class="num" title={t('sre.serverErrors', { count: row.serverErrors ?? 0 })}>{errors}{(row.serverErrors ?? 0) > 0 ? ` (5xx ${row.serverErrors ?? 0})` : ''}</td>
                    <td class="num">{`${Math.round(share * 1000) / 10}%`}</td>
                    <td class="num">{rowRate(of, row.name, (item) => item.count).toFixed(2)}</td>
                    <td class="num">{rowRate(of, row.name, (item) => item.errors ?? 0).toFixed(2)}</td>
                    <td class="num">{ms(row.p50Ms)}</td><td class="num">{ms(row.p95Ms)}</td><td class="num">{ms(row.p99Ms)}</td>
                    <td>{row.p99Ms === null ? null : <LatencyBars p50={row.p50Ms ?? 0} p95={row.p95Ms ?? 0} p99={row.p99Ms} maxMs={maxMs} />}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    );
  };
  const times = samples.map((stats) => stats.at);
  const rateTimes = times.slice(1);
  const chart = (title: string, series: readonly Series[], at: readonly number[], testId?: string) => (
    <LineChart title={title} series={series} times={at} testId={testId} />
  );
  return (
    <div class="sre" data-testid="sre">
      <div class="row">
        <h1>{t('sre.title')}</h1>
        <span class="spacer" />
        <button type="button" onClick={() => setPaused(!paused)} aria-pressed={paused} data-testid="sre-pause">{t(paused ? 'sre.resume' : 'sre.pause')}</button>
      </div>
      {error === '' ? null : <p class="error">{t('app.error', { message: error })}</p>}
      <div class="charts">
        {chart(t('sre.throughput'), [
          { name: t('sre.commands'), color: '#0b5cad', values: ratePerSecond(samples, (stats) => total(stats.ws)) },
          { name: t('sre.methods'), color: '#b85c00', values: ratePerSecond(samples, (stats) => total(stats.http)) },
        ], rateTimes, 'chart-throughput')}
        {chart(t('sre.errorsChart'), [
          { name: t('sre.commands'), color: '#0b5cad', values: ratePerSecond(samples, (stats) => totalErrors(stats.ws)) },
          { name: t('sre.methods'), color: '#c0392b', values: ratePerSecond(samples, (stats) => totalErrors(stats.http)) },
        ], rateTimes, 'chart-errors')}
        {chart(t('sre.connections'), [{ name: t('sre.connectionsNow'), color: '#2e8540', values: samples.map((stats) => stats.connections) }], times)}
        {chart(t('sre.loopDelay'), [
          { name: 'p50', color: '#0b5cad', values: samples.map((stats) => stats.eventLoopDelayMs.p50) },
          { name: 'p99', color: '#c0392b', values: samples.map((stats) => stats.eventLoopDelayMs.p99) },
        ], times)}
        {chart(t('sre.commitLatency'), [
          { name: 'p50', color: '#0b5cad', values: samples.map((stats) => stats.logCommitMs.p50) },
          { name: 'p99', color: '#8e44ad', values: samples.map((stats) => stats.logCommitMs.p99) },
        ], times)}
        {chart(t('sre.projectorLag'), [{ name: t('sre.entries'), color: '#5f6b76', values: samples.map((stats) => stats.projectorLagEntries) }], times)}
      </div>
      {table(t('sre.methods'), last?.http ?? [], (stats) => stats.http, 'sre-http')}
      {table(t('sre.commands'), last?.ws ?? [], (stats) => stats.ws, 'sre-ws')}
    </div>
  );
}
