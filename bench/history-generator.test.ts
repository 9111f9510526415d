import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIntoDataDir } from './history-generator.ts';
import { verifyDataDir } from '../persistence/verify.ts';
import { createEngine, SequenceIdSource, ClinicState } from '../engine/index.ts';
import { LmdbEnvironment } from '../persistence/lmdb-environment.ts';
import { LmdbEventLog } from '../persistence/lmdb-event-log.ts';
import { SnapshotStore } from '../persistence/snapshot-store.ts';
import { recoverInto, type HostRecord } from '../persistence/engine-host.ts';

const options = { seed: 7, calls: 3_000, clinics: 3, doctorsPerClinic: 6, untilMs: Date.UTC(2026, 0, 1) };

t.test('the generator is deterministic, writes a verifiable log, and has the source mix', async (t) => {
  const a = mkdtempSync(join(tmpdir(), 'cd-gen-a-'));
  const b = mkdtempSync(join(tmpdir(), 'cd-gen-b-'));
  t.teardown(() => {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  });
  await generateIntoDataDir(a, options, false);
  await generateIntoDataDir(b, options, false);
  const reportA = verifyDataDir(a);
  const reportB = verifyDataDir(b);
  t.same(reportA.problems, []);
  t.equal(reportA.snapshotsChecked, 1);
  t.equal(reportA.replayHash, reportB.replayHash, 'same seed, same history');

  const environment = LmdbEnvironment.open({ path: a, readOnly: true });
  const engine = createEngine(new SequenceIdSource('x'));
  recoverInto(engine, LmdbEventLog.open<HostRecord>(environment), SnapshotStore.open(environment));
  await environment.close();
  const calls = [...engine.addresses()].filter((address) => address.startsWith('clinic/')).flatMap((address) => [...(engine.stateOf(address) as ClinicState).calls.values()]);
  t.ok(calls.length > options.calls * 0.8, `${calls.length} calls registered of ${options.calls} attempts (the rest met the one-open-call rule)`);
  const share = calls.filter((c) => c.source === 'smp').length / calls.length;
  t.ok(share > 0.08 && share < 0.2, `ambulance share ${share.toFixed(3)} near the source's 0.134`);
  const completed = calls.filter((c) => c.status === 'completed').length / calls.length;
  t.ok(completed > 0.8, `most calls completed (${completed.toFixed(2)})`);
  t.ok(calls.some((c) => c.history.some((h) => h.status === 'assigned')) && calls.some((c) => c.status === 'cancelled'));
});
