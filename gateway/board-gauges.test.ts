/**
 * The service-level gauges over a real engine host with a manual clock: a call not assigned within the assign
 * SLA counts as overdue at the "assign" stage; once assigned it leaves that count, and counts at the "serve"
 * stage when the serve SLA passes; open calls per status follow the board counters.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, SequenceIdSource } from '../engine/index.ts';
import { demoRegionCommands } from '../engine/demo-region.ts';
import { EngineHost } from '../persistence/engine-host.ts';
import { GatewayMetrics } from './metrics.ts';
import { sampleBoardGauges } from './board-gauges.ts';

const minuteMs = 60_000;

async function gaugeValues(metrics: GatewayMetrics): Promise<Record<string, number>> {
  const values: Record<string, number> = {};
  for (const sample of (await metrics.callsOverdue.get()).values) values[`overdue:${String(sample.labels['clinic'])}:${String(sample.labels['stage'])}`] = sample.value;
  for (const sample of (await metrics.callsOpen.get()).values) values[`open:${String(sample.labels['clinic'])}:${String(sample.labels['status'])}`] = sample.value;
  return values;
}

t.test('overdue calls by stage and open calls by status', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cd-board-gauges-'));
  // A Monday morning in the demo region, so the demo doctors work today.
  const clock = new ManualClock(Date.parse('2024-06-03T07:00:00Z'));
  const host = await EngineHost.open({ dataDir, clock, ids: new SequenceIdSource('g') });
  const metrics = new GatewayMetrics();
  t.teardown(async () => {
    metrics.close();
    await host.close({ snapshot: false });
    rmSync(dataDir, { recursive: true, force: true });
  });
  for (const command of demoRegionCommands(2)) t.ok((await host.submit(command, 'admin:test')).ok);
  const register = async (n: number): Promise<{ id: string; visitDate: string }> => {
    const outcome = await host.submit({
      type: 'RegisterCall',
      call: {
        source: 'call_center', kind: 'primary', clinicId: 'gp1',
        patient: { surname: 'Гаугин', name: `П${n}`, birthDate: '1970-01-01', sex: 'M', policy: String(5000000000000000 + n) },
        address: { text: 'ул. Свободы', house: String(n) },
        complaints: { text: 'температура' },
      },
    } as never, 'admin:test');
    if (!outcome.ok || !('reply' in outcome)) throw new Error(`register refused: ${JSON.stringify(outcome)}`);
    const reply = outcome.reply as { callId?: string; id?: string; visitDate?: string; call?: { id: string; visitDate: string } };
    const id = reply.call?.id ?? reply.callId ?? reply.id;
    const visitDate = reply.call?.visitDate ?? reply.visitDate;
    if (id === undefined || visitDate === undefined) throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
    return { id, visitDate };
  };
  const first = await register(1);
  await register(2);
  sampleBoardGauges(metrics, host.read);
  let values = await gaugeValues(metrics);
  t.equal(values['overdue:gp1:assign'], 0);
  t.equal((values['open:gp1:received'] ?? 0) + (values['open:gp1:new'] ?? 0), 2, 'two open calls on the board');
  t.equal(values['open:gp2:received'], 0, 'other clinics are listed too');

  clock.advance(31 * minuteMs);
  await host.advanceTime();
  sampleBoardGauges(metrics, host.read);
  values = await gaugeValues(metrics);
  t.equal(values['overdue:gp1:assign'], 2, 'both calls missed the 30-minute assign SLA');
  t.equal(values['overdue:gp1:serve'], 0);

  const assigned = await host.submit({ type: 'AssignCall', callId: first.id, doctorId: 'gp1-d1', visitDate: first.visitDate } as never, 'admin:test');
  t.ok(assigned.ok, `assigned: ${JSON.stringify(assigned)}`);
  sampleBoardGauges(metrics, host.read);
  values = await gaugeValues(metrics);
  t.equal(values['overdue:gp1:assign'], 1, 'the assigned call left the assign count');
  t.equal(values['open:gp1:assigned'], 1);

  clock.advance(25 * 60 * minuteMs);
  await host.advanceTime();
  sampleBoardGauges(metrics, host.read);
  values = await gaugeValues(metrics);
  t.equal(values['overdue:gp1:assign'], 1);
  t.equal(values['overdue:gp1:serve'], 1, 'the assigned call was not served within 24 hours');
});
