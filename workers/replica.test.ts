import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SequenceIdSource } from '../engine/index.ts';
import { EngineHost } from '../persistence/engine-host.ts';
import { generateHistory } from './testing/history-generator.ts';
import { Replica } from './replica.ts';

void t.test('the replica rebuilds once, then replays only new entries; archived calls come by clinic', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cd-replica-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const history = await generateHistory({ dataDir, calls: 3_000, days: 12, appointmentsPerDoctorDay: 1 });
  const startedWall = Date.now();
  const host = await EngineHost.open({ dataDir, clock: { now: () => history.endMs + (Date.now() - startedWall) }, ids: new SequenceIdSource('r') });
  const replica = Replica.open(dataDir);
  t.teardown(async () => {
    await replica.close();
    await host.close({ snapshot: false });
  });

  const first = replica.catchUp(host.durablePosition);
  t.equal(first.rebuilt, true, 'the first catch-up builds from the snapshot');
  t.equal(first.position, host.durablePosition);
  t.equal(replica.read.region().clinics.size, 3);

  const outcome = await host.submit({
    type: 'RegisterCall',
    call: { source: 'registry', kind: 'primary', clinicId: 'gp2', patient: { surname: 'Репликова', name: 'Ия', birthDate: '1990-01-01', sex: 'F', policy: '4400000000000001' }, address: { text: 'г. Ярославль, ул. Чкалова', house: '3' }, complaints: { text: 'кашель' } },
  }, 'operator:test');
  t.ok(outcome.ok);
  const callId = outcome.ok ? String(outcome.reply['id']) : '';
  const second = replica.catchUp(host.durablePosition);
  t.equal(second.rebuilt, false);
  t.ok(second.replayedEntries >= 1 && second.replayedEntries <= 3, `only the new entries are replayed (${second.replayedEntries})`);
  t.equal(replica.read.call(callId)?.patient.surname, 'Репликова', 'the new call is seen');
  replica.release();

  const archivedGp1 = [...replica.archivedCalls('gp1')];
  t.ok(archivedGp1.length > 100, `closed calls older than a week are archived (${archivedGp1.length} of gp1)`);
  t.ok(archivedGp1.every((call) => call.clinicId === 'gp1'), 'a clinic range holds only its calls');
  const all = [...replica.archivedCalls()];
  t.equal(all.filter((call) => call.clinicId === 'gp1').length, archivedGp1.length);
  t.equal(replica.read.call(archivedGp1[0]?.id ?? '')?.id, archivedGp1[0]?.id, 'read.call falls back to the archive');
});
