/**
 * The stage histograms over a real engine host on a real segment log: after commands, every stage has one
 * observation per durable tick, the sync stage is not zero, and the log's writes carry the ticks' entries.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ManualClock, SequenceIdSource } from '../engine/index.ts';
import { demoRegionCommands } from '../engine/demo-region.ts';
import { mondayNineMs, sampleCall } from '../engine/test-harness.ts';
import { EngineHost } from '../persistence/engine-host.ts';
import { registerDurableStageMetrics } from './durable-stage-metrics.ts';

function sampleOf(text: string, pattern: RegExp): number {
  const match = pattern.exec(text);
  return match === null ? Number.NaN : Number(match[1]);
}

t.test('stage histograms count every durable tick; writes carry the entries', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cd-stage-metrics-'));
  const host = await EngineHost.open({ dataDir, clock: new ManualClock(mondayNineMs), ids: new SequenceIdSource('s') });
  t.teardown(async () => {
    await host.close({ snapshot: false });
    rmSync(dataDir, { recursive: true, force: true });
  });
  for (const command of demoRegionCommands(2)) t.ok((await host.submit(command, 'admin:test')).ok);
  const registry = new Registry();
  registerDurableStageMetrics(registry, host);
  const before = host.durablePosition;
  for (let round = 0; round < 5; round += 1) {
    const results = await Promise.all(Array.from({ length: 10 }, () => host.submit({ type: 'RegisterCall', call: sampleCall() }, 'operator:1')));
    t.ok(results.every((result) => result.ok));
  }
  const ticks = host.durablePosition - before;
  const text = await registry.metrics();
  for (const stage of ['decide', 'seal_wait', 'append', 'sync']) {
    t.equal(sampleOf(text, new RegExp(`cd_durable_stage_seconds_count\\{stage="${stage}"\\} (\\d+)`)), ticks, `one ${stage} observation per tick (${ticks} ticks)`);
  }
  t.ok(sampleOf(text, /cd_durable_stage_seconds_sum\{stage="sync"\} ([\d.e-]+)/) > 0, 'syncing takes time');
  t.equal(sampleOf(text, /cd_durable_tick_commands_sum (\d+)/), 50, 'fifty commands in those ticks');
  const writes = sampleOf(text, /cd_log_writes_total (\d+)/);
  const entries = sampleOf(text, /cd_log_entries_written_total (\d+)/);
  t.ok(writes >= 1 && writes <= entries, `${writes} writes carried ${entries} entries`);
});

t.test('through the real gateway: decode and reply of each partner write request, and the ticks behind them', async (t) => {
  const { startTestServer, call } = await import('./test-server.ts');
  const server = await startTestServer();
  t.teardown(() => server.stop());
  const body = {
    source: 'portal', kind: 'primary', clinicId: 'gp1',
    patient: { policy: '6990000000000001', surname: 'Стадиев', name: 'Пётр', birthDate: '1975-04-05', sex: 'M' },
    address: { text: 'ул. Свободы', house: '12' }, complaints: { text: 'температура 38', tags: ['temperature'] },
  };
  const before = await server.gateway.metrics.registry.metrics();
  const created = await call(server.base, 'POST', '/api/v1/calls', { token: server.tokens.partner, body });
  t.equal(created.status, 201, JSON.stringify(created.body));
  const after = await server.gateway.metrics.registry.metrics();
  for (const stage of ['decode', 'reply', 'sync']) {
    const count = (text: string): number => sampleOf(text, new RegExp(`cd_durable_stage_seconds_count\\{stage="${stage}"\\} (\\d+)`)) || 0;
    t.ok(count(after) - count(before) >= 1, `the ${stage} stage observed the request`);
  }
});
