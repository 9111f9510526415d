// The durability floors run for real on a temporary directory (no timing asserted, BENCH.md rule 5): the
// closed loop commits batches, the open loop answers every record that fell due, batched as the host batches.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runLmdbFloor, runOpenLmdbFloor } from './lmdb-floor.ts';

t.test('open-loop floor: every record that fell due is durable and timed; nothing is left behind', async (t) => {
  const parent = await mkdtemp(join(tmpdir(), 'cd-floor-'));
  t.teardown(() => rm(parent, { recursive: true, force: true }));
  const run = await runOpenLmdbFloor({ target: { label: 'test', directory: parent }, ratePerSecond: 400, seconds: 1, recordBytes: 400 });
  t.equal(run.counts.failed, 0);
  t.equal(run.counts.timedOut, 0);
  t.equal(run.counts.inFlightAtEnd, 0);
  t.ok(run.counts.answered >= 350 && run.counts.answered <= 401, `about 400 records answered (${run.counts.answered})`);
  t.equal(run.latency.count, run.counts.answered, 'one latency per answered record');
  t.ok(run.batches > 0 && run.batches <= run.counts.answered, 'records are committed in batches');
  t.ok(run.recordsPerBatch >= 1);
  t.equal(run.batchesInFlightMax, 2, 'the LMDB-backed host\'s group commit bound');
  t.same(await readdir(parent), [], 'its data directory is removed');
});

t.test('closed-loop floor: batches commit and are counted', async (t) => {
  const parent = await mkdtemp(join(tmpdir(), 'cd-floor-'));
  t.teardown(() => rm(parent, { recursive: true, force: true }));
  const result = await runLmdbFloor({ recordBytes: 300, batchRecords: 5, seconds: 0.5, targets: [{ label: 'test', directory: parent }], durabilities: ['sync-commit'] });
  const run = result.runs[0];
  t.ok(run !== undefined && run.batches > 0 && run.records === run.batches * 5);
  t.same(await readdir(parent), []);
});
