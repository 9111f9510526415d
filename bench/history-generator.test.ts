import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIntoDataDir } from './history-generator.ts';
import { verifyDataDir } from '../persistence/verify.ts';
import type { HomeCall } from '../engine/index.ts';
import { LmdbEnvironment } from '../persistence/lmdb-environment.ts';
import { LmdbEventLog } from '../persistence/lmdb-event-log.ts';
import type { HostRecord } from '../persistence/engine-host.ts';

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

  // Count from the log: closed calls leave the actors' memory after a week, the log keeps everything.
  const environment = LmdbEnvironment.open({ path: a, readOnly: true });
  const calls: HomeCall[] = [];
  let completedCount = 0;
  let cancelledCount = 0;
  let assignedCount = 0;
  for (const entry of LmdbEventLog.open<HostRecord>(environment).read(1)) {
    for (const record of entry.records) {
      if ('ledger' in record) continue;
      const event = record.event;
      if (event.type === 'CallRegistered') calls.push(event.call);
      else if (event.type === 'CallCompleted') completedCount += 1;
      else if (event.type === 'CallCancelled') cancelledCount += 1;
      else if (event.type === 'CallAssigned') assignedCount += 1;
    }
  }
  await environment.close();
  t.ok(calls.length > options.calls * 0.8, `${calls.length} calls registered of ${options.calls} attempts (the rest met the one-open-call rule)`);
  const share = calls.filter((c) => c.source === 'smp').length / calls.length;
  t.ok(share > 0.08 && share < 0.2, `ambulance share ${share.toFixed(3)} near the source's 0.134`);
  t.ok(completedCount / calls.length > 0.8, `most calls completed (${(completedCount / calls.length).toFixed(2)})`);
  t.ok(assignedCount > 0 && cancelledCount > 0);
});
