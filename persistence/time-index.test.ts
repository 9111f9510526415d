/**
 * The time index: the last position durable at or before an instant, from memory and after a reopen; one point
 * per resolution bucket; a clock stepping back never reorders; a log ahead of the index (a lost flush) is
 * recorded at the opening instant, so a lookup in the lost interval answers an older state, never a newer one.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbEnvironment } from './lmdb-environment.ts';
import { TimeIndex } from './time-index.ts';

function withEnvironment(name: string, body: (path: string) => Promise<void>): void {
  t.test(name, async (tap) => {
    const path = mkdtempSync(join(tmpdir(), 'cd-time-index-'));
    tap.teardown(() => rmSync(path, { recursive: true, force: true }));
    await body(path);
  });
}

withEnvironment('lookups before and after a flush and a reopen', async (path) => {
  let environment = LmdbEnvironment.open({ path });
  let index = TimeIndex.open(environment, 0, 1_000, { resolutionMs: 1 });
  t.equal(index.positionAt(5_000), undefined, 'nothing before the first point');
  index.record(1, 1_000);
  index.record(2, 1_010);
  index.record(3, 1_020);
  t.equal(index.positionAt(999), undefined, 'before the first point');
  t.equal(index.positionAt(1_000), 1, 'at a point: that position');
  t.equal(index.positionAt(1_015), 2, 'between points: the earlier');
  t.equal(index.positionAt(9_999), 3, 'after the last: the last');
  await index.close();
  await environment.close();
  environment = LmdbEnvironment.open({ path });
  index = TimeIndex.open(environment, 3, 50_000, { resolutionMs: 1 });
  t.same([index.positionAt(1_015), index.positionAt(1_020), index.first?.atMs], [2, 3, 1_000], 'the same answers after a reopen');
  await index.close();
  await environment.close();
});

withEnvironment('one point per bucket, the last of it; a clock stepping back stays in order', async (path) => {
  const environment = LmdbEnvironment.open({ path });
  const index = TimeIndex.open(environment, 0, 0, { resolutionMs: 100 });
  index.record(1, 1_000);
  index.record(2, 1_050);
  index.record(3, 1_099);
  index.record(4, 1_100);
  t.equal(index.positionAt(1_099), 3, 'the bucket keeps its last position');
  t.equal(index.positionAt(1_000), undefined, 'an earlier instant of the bucket answers what was before it (no older state to show here)');
  index.record(5, 900);
  t.equal(index.positionAt(1_100), 5, 'an instant that steps back is recorded at the last instant');
  await index.flush();
  t.equal(index.positionAt(1_099), 3, 'the same from disk');
  await index.close();
  await environment.close();
});

withEnvironment('a log ahead of the index is recorded at the opening instant', async (path) => {
  let environment = LmdbEnvironment.open({ path });
  let index = TimeIndex.open(environment, 0, 0, { resolutionMs: 1 });
  index.record(1, 1_000);
  await index.close();
  await environment.close();
  // Positions 2..7 became durable but their points were lost with the process.
  environment = LmdbEnvironment.open({ path });
  index = TimeIndex.open(environment, 7, 60_000, { resolutionMs: 1 });
  t.equal(index.positionAt(30_000), 1, 'inside the lost interval: the older state');
  t.equal(index.positionAt(60_000), 7, 'from the opening on: everything recovered');
  await index.close();
  await environment.close();
});
